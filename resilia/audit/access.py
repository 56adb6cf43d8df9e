"""The audit trail is read by administrators, the BCM office and auditors; written by no one."""

from resilia.core.access import Policy, register

register(
    "audit.auditevent",
    Policy(readers=frozenset({"admin", "bcm_manager", "auditor"}), writers=frozenset()),
)
