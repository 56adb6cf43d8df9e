"""Access policy of user accounts: only system administrators read or manage them."""

from resilia.core.access import Policy, register

register(
    "accounts.user",
    Policy(readers=frozenset({"admin"}), writers=frozenset({"admin"})),
)
