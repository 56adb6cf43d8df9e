"""The rules of the dependency model, each written once with its one message.

The model's `clean()` and constraints, the link views, the XLSX/CSV importer, the API and the
model-file checks all ask these functions, so a rule and its wording cannot drift apart
between them. The functions work on plain values (a node is its kind, "activity" or
"resource", and any identity: a pk or a code), so the model-file checks, which run before
anything is in the database, use them too.

- A link's ends: a node cannot depend on itself; a resource can only depend on a resource.
- A link is stated once.
- An OR redundancy group of one member is no redundancy: a notice where links are edited
  one by one (node page, check page, XLSX/CSV import), a problem in a model file (which states
  the whole model at once and must be coherent).
- An activity's RTO is strictly shorter than its MTPD (ISO 22300 RTO note, "less than";
  standards.md §1.10): an RTO equal to the MTPD is refused wherever objectives are entered.
- A capability test cannot be dated in the future (beyond a day of clock skew): a result
  that has not happened yet is no evidence.
- Doubtful but possible values are warned about, not refused: an RPO longer than the MTPD,
  an MTPD of 0 minutes (no disruption tolerated at all).
- Only the BCM office (the roles of `access.WRITE_ALL`, or the system itself: the CLI) may
  leave a resource without a unit, i.e. share it with the whole organisation.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from resilia.core import access

SELF_LINK = _("A node cannot depend on itself.")
RESOURCE_NEEDS_ACTIVITY = _("A resource can only depend on another resource.")
DUPLICATE_LINK = _("This link already exists.")
SHARED_RESOURCE = _("Only the BCM office may share a resource.")
RTO_NOT_SHORTER = _("The RTO must be shorter than the MTPD.")
FUTURE_TEST = _("The capability test cannot be dated in the future.")
RPO_BEYOND_MTPD = _(
    "The RPO is longer than the MTPD: more data may be lost than the time the activity can"
    " be down. Check the objectives."
)
ZERO_MTPD = _("An MTPD of 0 minutes means no disruption at all is tolerable. Check the objective.")
# A test "today" entered from a clock a few hours ahead of the server's is not refused.
CLOCK_SKEW = dt.timedelta(days=1)

Node = tuple[str, object]  # ("activity" | "resource", pk or code)


def node_ref(node) -> Node:
    """(kind, pk) of a saved activity or resource."""
    kind = "resource" if node._meta.model_name == "resource" else "activity"
    return kind, node.pk


def link_end_error(dependent: Node, dependency: Node) -> str | None:
    """Why a link from `dependent` to `dependency` cannot exist, or None when it can."""
    if dependent == dependency:
        return str(SELF_LINK)
    if dependent[0] == "resource" and dependency[0] == "activity":
        return str(RESOURCE_NEEDS_ACTIVITY)
    return None


def check_link_ends(dependent: Node, dependency: Node) -> None:
    """Raise ValidationError with `link_end_error`'s message when the link cannot exist."""
    message = link_end_error(dependent, dependency)
    if message:
        raise ValidationError(message, code="link_ends")


def duplicate_link(first: str | None = None) -> str:
    """The message of a link stated twice; `first` says where, in a file ("row 3")."""
    if first is None:
        return str(DUPLICATE_LINK)
    return gettext("This link already exists: first at %(first)s.") % {"first": first}


def lonely_group(group: str, node: str) -> str:
    """The notice of an OR group of one member: it is no redundancy."""
    return gettext(
        "Redundancy group “%(group)s” of %(node)s has one member: it is not a redundancy."
    ) % {"group": group, "node": node}


def link_named(link: str, message: str) -> str:
    """A message about one link, prefixed with the link's name ("PAY → CORE")."""
    return gettext("Link “%(link)s”: %(reason)s") % {"link": link, "reason": message}


def objectives_error(*, mtpd: int | None, rto: int | None) -> str | None:
    """Why these objectives cannot be saved (RTO not strictly shorter than MTPD), or None."""
    if rto is not None and mtpd is not None and rto >= mtpd:
        return str(RTO_NOT_SHORTER)
    return None


def objectives_warnings(*, mtpd: int | None, rpo: int | None) -> list[str]:
    """What is doubtful about these objectives, though allowed: shown after a save, in the
    API response and on the model checks page."""
    out = []
    if mtpd == 0:
        out.append(str(ZERO_MTPD))
    if rpo is not None and mtpd is not None and rpo > mtpd:
        out.append(str(RPO_BEYOND_MTPD))
    return out


def latest_test_date(today: dt.date | None = None) -> dt.date:
    """The latest date a capability test may carry: today plus the clock skew."""
    return (today or timezone.localdate()) + CLOCK_SKEW


def tested_on_error(value: dt.date | None, today: dt.date | None = None) -> str | None:
    """Why a capability test date cannot be saved (it is in the future), or None."""
    if value is not None and value > latest_test_date(today):
        return str(FUTURE_TEST)
    return None


def may_share_resource(actor) -> bool:
    """Whether `actor` may leave a resource without a unit (None: the system, e.g. the CLI)."""
    return actor is None or access.may_place_unscoped(actor)


def resource_sharing_error(actor, *, unit, was_shared: bool = False) -> str | None:
    """Why `actor` may not give a resource this unit (None: shared), or None when they may.

    `was_shared`: the resource exists and has no unit already; keeping it so is no change.
    """
    if unit is not None or was_shared or may_share_resource(actor):
        return None
    return str(SHARED_RESOURCE)
