"""The hazard rectification ledger (隐患整改台账) through the reports kit: one row per hazard
with its 五落实 and its verification, filtered like the register, from what the reader may
read. Rendered to DOCX (on the organisation's Word template) and PDF by the view while it has
at most MAX_ROWS rows; a larger ledger is a report job (resilia.ops, kind "hazards.ledger"),
rendered by the worker and downloaded from the job's page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from resilia.core import access
from resilia.core import reports as r
from resilia.hazards.filters import HazardFilterSet
from resilia.hazards.models import Grade, Hazard, HazardStatus, Verification
from resilia.org.models import Unit

# A ledger up to this size is rendered inside the request (in seconds); a larger one is
# produced by a report job. A job's ledger is cut at JOB_MAX_ROWS (and says so).
MAX_ROWS = 2000
JOB_MAX_ROWS = 100_000
SHADE = {HazardStatus.CLOSED: "green", HazardStatus.VERIFYING: "blue"}


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value) if hasattr(value, "tzinfo") else value,
                               "Y-m-d") if value else "—"  # fmt: skip


def ledger_params(params) -> QueryDict:
    """The register's filters out of `params` (a query string's QueryDict, or a report job's
    {name: [values]}), nothing else: paging, sorting and the form's own fields are dropped."""
    names = set(HazardFilterSet.base_filters)
    data = QueryDict(mutable=True)
    for key in names & set(params or ()):
        values = params.getlist(key) if hasattr(params, "getlist") else params[key]
        values = values if isinstance(values, list | tuple) else [values]
        values = [str(v) for v in values if str(v) != ""]
        if values:
            data.setlist(key, values)
    return data


def ledger_rows(user, params):
    """The hazards of the ledger: those `user` may read, filtered like the register."""
    rows = Hazard.objects.for_user(user).select_related(
        "site", "rectification", "rectification__responsible"
    )
    params = ledger_params(params)
    filterset = HazardFilterSet(params or None, queryset=rows)
    if filterset.is_bound and not filterset.is_valid():
        # As the registers' exports: never a ledger of everything for a misspelt filter.
        raise ValidationError(_("Correct the filters before exporting."))
    return filterset.qs if filterset.is_bound else rows


def ledger_count(user, params) -> int:
    return ledger_rows(user, params).count()


def ledger_document(user, params, *, limit: int = MAX_ROWS) -> tuple[r.Document, int]:
    """The ledger for `user`, the register's filters taken from `params`; and its rows."""
    rows = list(ledger_rows(user, params).order_by("found_at", "pk")[: limit + 1])
    cut = len(rows) > limit
    rows = rows[:limit]
    last_check = {}
    for v in Verification.objects.filter(
        hazard__in=[h.pk for h in rows], passed=True
    ).select_related("verifier"):
        last_check[v.hazard_id] = v
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    today = timezone.localdate()
    doc = r.Document(
        title=_("Hazard rectification ledger"),
        organisation=root.display_name if root else "",
        date=formats.date_format(today, "Y-m-d"),
        classification=_("Internal"),
        metadata=[(_("Prepared by"), user.get_full_name() or user.username)],
        landscape=True,
    )
    open_count = sum(1 for h in rows if h.is_open)
    major = sum(1 for h in rows if h.grade == Grade.MAJOR and h.is_open)
    doc.add(
        r.Heading(_("Summary")),
        r.Bullets(
            [
                _("Hazards in this ledger: %(n)d") % {"n": len(rows)},
                _("Still open: %(n)d, of which major: %(m)d") % {"n": open_count, "m": major},
            ]
        ),  # fmt: skip
    )
    if cut:
        doc.add(r.Paragraph([_("Only the first %(n)d hazards are listed.") % {"n": limit}]))
    doc.add(r.Heading(_("Ledger")), _table(rows, last_check, today))
    return doc, len(rows)


def _table(rows, last_check, today) -> r.Table:
    columns = [
        r.Column(_("Number"), 2),
        r.Column(_("Found"), 2),
        r.Column(_("Site and location"), 3),
        r.Column(_("Hazard"), 4),
        r.Column(_("Grade"), 2),
        r.Column(_("Responsible person"), 2),
        r.Column(_("Measures"), 4),
        r.Column(_("Funding (yuan)"), 2, numeric=True),
        r.Column(pgettext("rectification", "Deadline"), 2),
        r.Column(_("Contingency plan"), 3),
        r.Column(_("Verified by"), 2),
        r.Column(pgettext("hazard", "Closed"), 2),
        r.Column(_("Status"), 2),
    ]
    body = []
    for h in rows:
        rect = getattr(h, "rectification", None)
        check = last_check.get(h.pk)
        late = rect is not None and h.status == HazardStatus.RECTIFYING and rect.deadline < today
        body.append([
            h.number,
            _date(h.found_at),
            f"{h.site.display_name} · {h.location}",
            f"{h.title}: {h.description}",
            r.Cell(h.get_grade_display(), shade="red" if h.grade == Grade.MAJOR else "yellow"),
            rect.responsible.full_name if rect else "—",
            rect.measures if rect else "—",
            f"{rect.funding_amount:,.2f}" if rect else "—",
            r.Cell(_date(rect.deadline), shade="red" if late else None) if rect else "—",
            rect.contingency if rect else "—",
            (check.verifier.get_full_name() or check.verifier.username) if check else "—",
            _date(h.closed_at),
            r.Cell(h.get_status_display(), shade=SHADE.get(h.status)),
        ])  # fmt: skip
    return r.Table(columns, body, caption=_("Hazard rectification ledger"), empty=_("None"))


# The report job ------------------------------------------------------------------------------


def _build(*, user, params: dict) -> r.Document:
    """The ledger as the requester may read it when the job runs."""
    if not access.can_read_kind(user, Hazard):
        raise PermissionDenied
    return ledger_document(user, params, limit=JOB_MAX_ROWS)[0]


BUILDER = r.Builder(
    build=_build,
    title=lambda params: _("Hazard rectification ledger"),
    basename="hazard-ledger",
)
