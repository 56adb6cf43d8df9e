"""Access policy of the saved what-ifs (see resilia.core.access): a saved what-if is its
author's; the BCM office (administrators, BCM managers) reads and deletes everyone's, auditors
read everyone's. Whoever reads one is shown its result through their own analysis scope
(resilia.analysis.scope): a saved run never shows a reader more than a what-if of their own."""

from __future__ import annotations

from resilia.core.access import ALL_READERS, WRITE_ALL, Policy, register, role_of

EVERY_ROLE = frozenset(ALL_READERS | {"executive"})
SAVERS = EVERY_ROLE - {"auditor"}

register(
    "analysis.savedwhatif",
    Policy(
        readers=EVERY_ROLE,
        writers=SAVERS,
        owner="created_by",
        contributor_deletes=True,  # their own record
        office=frozenset(WRITE_ALL | {"auditor"}),
    ),
)


def may_save(user) -> bool:
    """Whether the user may save a what-if: every role that runs one but the auditor."""
    return role_of(user) in SAVERS
