"""Access policies of the operations records (see resilia.core.access)."""

from resilia.core.access import ALL_READERS, WRITE_ALL, Policy, register

EVERY_ROLE = frozenset(ALL_READERS | {"executive"})

# The Word template is the organisation's: administrators and BCM managers manage it.
register(
    "ops.reporttemplate",
    Policy(readers=frozenset(WRITE_ALL), writers=frozenset(WRITE_ALL)),
)
# A report job and its file belong to whoever asked for it: nobody else sees them, an
# administrator included (the report may cover what only its requester may read).
register(
    "ops.reportjob",
    Policy(
        readers=EVERY_ROLE,
        writers=EVERY_ROLE,
        owner="requested_by",
    ),
)
