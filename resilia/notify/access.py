"""Access policies of notification (see resilia.core.access).

Channels, templates, call trees, policies and sends are the BCM office's: every reader may
read them (the channel configuration's secrets are never shown), the organisation-wide
writers (admin, BCM manager) write them and start sends. Deliveries, attempts and
acknowledgements follow their send.
"""

from __future__ import annotations

from resilia.core.access import ALL_READERS, WRITE_ALL, Policy, register

ORG_WIDE = Policy(readers=frozenset(ALL_READERS), writers=frozenset(WRITE_ALL))
for label in (
    "notify.channel",
    "notify.messagetemplate",
    "notify.calltree",
    "notify.calltreecontact",
    "notify.escalationpolicy",
    "notify.escalationstep",
    "notify.send",
    "notify.delivery",
    "notify.attempt",
    "notify.acknowledgement",
):
    register(label, ORG_WIDE)
