"""The audit trail is read by administrators, the BCM office and auditors; written by no one."""

from resilia.core.access import Policy, register

register(
    "audit.auditevent",
    Policy(readers=frozenset({"admin", "bcm_manager", "auditor"}), writers=frozenset()),
)

# Running the chain verification is an administrator's and an auditor's check (not the BCM
# office's, whose own work the trail records).
VERIFIERS = frozenset({"admin", "auditor"})


def can_verify_chain(user) -> bool:
    """Whether the user may run the hash chain verification from the UI."""
    from resilia.core.access import role_of

    return role_of(user) in VERIFIERS
