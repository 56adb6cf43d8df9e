"""The risk assessment report (风险评估报告) of one assessment, in the reader's language,
through the reports kit (resilia.core.reports): DOCX on the organisation's Word template, PDF
with embedded fonts, and HTML.

Sections: scope and method (ISO 22301 8.2.3: identify, analyse and evaluate, decide which risks
need treatment), the matrix the risks were scored on (scales, bands, appetite, heat grid), a
summary by band, the risks as assessed, those that need treatment with their measures, the
comparison with the previous signed-off assessment, and the sign-off. Only what the reader may
read is included (the access choke point).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from resilia.bia.models import local_name
from resilia.core import access, reports
from resilia.engine import risk as engine
from resilia.org.models import Unit
from resilia.risk import selectors, services
from resilia.risk.models import OPEN_MEASURE, AssessedRisk, Measure, RiskAssessment, Treatment

MAX_ROWS = 2000  # beyond, the register's XLSX export holds every risk


def _one(params: dict, key: str):
    value = params.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return value or None


def title(params: dict) -> str:
    return _("Risk assessment report")


def build(*, user, params: dict) -> reports.Document:
    """The report of assessment `params["assessment"]`, of the rows `user` may read."""
    assessment = access.get_object_for_user(user, RiskAssessment, _one(params, "assessment"))
    if not access.can_read_kind(user, AssessedRisk):
        raise PermissionDenied
    return document(assessment, user=user)


def _band_cell(entry, axis="inherent"):
    code = getattr(entry, f"{axis}_band")
    band = entry.matrix.band(code)
    if band is None:
        return "—"
    return reports.Cell(local_name(band), shade=band["colour"])


def _anchor(level: dict) -> str:
    return local_name({"name": level.get("anchor", ""), "name_en": level.get("anchor_en", "")})


def _matrix_blocks(matrix) -> list:
    method = _("likelihood × impact") if matrix.method == "product" else _("a cell table")
    intro = _(
        "%(matrix)s, %(size)s, scored by %(method)s. "
        "Risks in the band %(band)s or above need treatment."
    ) % {
        "matrix": str(matrix),
        "size": matrix.size,
        "method": method,
        "band": matrix.band_name(matrix.appetite),
    }
    level, n = _("Level"), enumerate
    return [
        reports.Heading(_("Risk matrix"), level=1),
        reports.Paragraph(intro),
        reports.Table(
            [reports.Column(level, 1, numeric=True), reports.Column(_("Likelihood"), 2),
             reports.Column(_("Frequency"), 3)],
            [[i, local_name(lv), _anchor(lv)] for i, lv in n(matrix.likelihood, start=1)],
            caption=_("Likelihood levels"),
        ),
        reports.Table(
            [reports.Column(level, 1, numeric=True), reports.Column(_("Impact"), 2),
             reports.Column(_("BIA rating"), 1, numeric=True)],
            [[i, local_name(lv), lv.get("bia_level") or "—"]
             for i, lv in n(matrix.impact, start=1)],
            caption=_("Impact levels"),
        ),
        reports.Table(
            [reports.Column(_("Band"), 2), reports.Column(_("Scores"), 1),
             reports.Column(_("Review every (days)"), 1, numeric=True)],
            [[reports.Cell(local_name(b), shade=b["colour"]), f"{b['min']}–{b['max']}",
              b["review_days"]] for b in matrix.bands],
            caption=_("Bands"),
        ),
    ]  # fmt: skip


def _grid(entries, matrix) -> reports.Figure:
    m = matrix.engine
    counts: dict[tuple[int, int], int] = {}
    for e in entries:
        if e.matrix_id == matrix.pk:
            key = (e.inherent_likelihood, e.inherent_impact)
            counts[key] = counts.get(key, 0) + 1
    rows, shades, texts = [], [], []
    for lk in range(len(matrix.likelihood), 0, -1):
        rows.append(matrix.level_name("likelihood", lk))
        shades.append(
            [engine.assess(m, lk, im)[1].colour for im in range(1, len(matrix.impact) + 1)]
        )
        texts.append([str(counts.get((lk, im), "")) for im in range(1, len(matrix.impact) + 1)])
    columns = [local_name(level) for level in matrix.impact]
    png = reports.charts.heat_grid(rows, columns, shades, texts)
    return reports.Figure(png, caption=_("Inherent risks per cell (likelihood × impact)"))


def document(assessment: RiskAssessment, *, user=None) -> reports.Document:
    entries = list(
        AssessedRisk.objects.for_user(user)
        .filter(assessment=assessment)
        .select_related("matrix", "risk")
        .order_by("-inherent_score", "code")[:MAX_ROWS]
    )
    matrix = entries[0].matrix if entries else services.latest_matrix()
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    who = (user.get_full_name() or user.get_username()) if user is not None else "—"
    doc = reports.Document(
        title=_("Risk assessment report"),
        subtitle=assessment.display_name,
        organisation=root.display_name if root else "",
        date=formats.date_format(assessment.assessed_on, "Y-m-d"),
        classification=_("Internal"),
        metadata=[
            (_("Assessment"), assessment.code),
            (_("Status"), assessment.get_status_display()),
            (_("Prepared by"), who),
            (_("Generated"), formats.date_format(timezone.localdate(), "Y-m-d")),
        ],
        toc=True,
        numbered=True,
    )
    units = ", ".join(u.display_name for u in assessment.units.all()) or _("The whole organisation")
    doc.add(
        reports.Heading(_("Scope and method")),
        reports.Paragraph([_("Scope: "), reports.Run(units, bold=True)]),
        reports.Paragraph(
            _(
                "Following ISO 22301 8.2.3, the risks of disruption to the prioritised "
                "activities and their resources were identified, analysed and evaluated on "
                "the risk matrix, and those that need treatment were decided."
            )
        ),
    )
    if assessment.summary:
        doc.add(reports.Paragraph(assessment.summary))
    doc.add(*_matrix_blocks(matrix))
    if entries:
        doc.add(_grid(entries, matrix))
    by_band: dict[str, int] = {}
    for e in entries:
        by_band[e.inherent_band] = by_band.get(e.inherent_band, 0) + 1
    doc.add(
        reports.Heading(_("Summary")),
        reports.Table(
            [reports.Column(_("Band"), 2), reports.Column(_("Risks"), 1, numeric=True)],
            [
                [reports.Cell(local_name(b), shade=b["colour"]), by_band.get(b["code"], 0)]
                for b in reversed(matrix.bands)
            ],  # fmt: skip
            caption=_("Risks per inherent band"),
        ),
        reports.Heading(_("Risks as assessed")),
        reports.Table(
            [
                reports.Column(_("Code"), 1),
                reports.Column(pgettext("risk", "Risk"), 3),
                reports.Column(_("Threat"), 2),
                reports.Column(_("Inherent score"), 1, numeric=True),
                reports.Column(_("Inherent band"), 1),
                reports.Column(_("Residual score"), 1, numeric=True),
                reports.Column(_("Residual band"), 1),
                reports.Column(_("Treatment"), 1),
            ],
            [
                [
                    e.code,
                    e.title,
                    e.threat,
                    e.inherent_score,
                    _band_cell(e),
                    e.residual_score if e.residual_score is not None else "—",
                    _band_cell(e, "residual"),
                    str(dict(Treatment.choices).get(e.treatment, "—")),
                ]
                for e in entries
            ],  # fmt: skip
            caption=_("The risks of the assessment, highest inherent score first"),
            empty=_("None"),
        ),
    )
    risk_ids = [e.risk_id for e in entries if e.risk_id]
    measures = (
        Measure.objects.for_user(user)
        .filter(risk_id__in=risk_ids, status__in=OPEN_MEASURE)
        .select_related("risk", "owner")
        .order_by("due_date")[:MAX_ROWS]
    )
    doc.add(
        reports.Heading(_("Treatment measures")),
        reports.Table(
            [reports.Column(pgettext("risk", "Risk"), 1),
             reports.Column(pgettext("risk", "Measure"), 3),
             reports.Column(_("Owner"), 1), reports.Column(_("Due date"), 1),
             reports.Column(_("Status"), 1)],
            [[m.risk.code, m.title, m.owner.full_name, formats.date_format(m.due_date, "Y-m-d"),
              reports.Cell(m.get_status_display(), shade="red" if m.overdue else None)]
             for m in measures],
            caption=_("Open measures (责任人, 执行时间)"),
            empty=_("None"),
        ),
    )  # fmt: skip
    previous = (
        RiskAssessment.objects.filter(status="signed_off", assessed_on__lt=assessment.assessed_on)
        .order_by("-assessed_on")
        .first()
    )
    if previous is not None:
        rows = selectors.compare(previous, assessment)[:MAX_ROWS]
        doc.add(
            reports.Heading(_("Compared with the previous assessment")),
            reports.Table(
                [reports.Column(_("Code"), 1), reports.Column(pgettext("risk", "Risk"), 3),
                 reports.Column(previous.code, 2), reports.Column(assessment.code, 2)],
                [[r["code"], r["title"],
                  _band_cell(r["before"]) if r.get("before") else "—",
                  _band_cell(r["after"]) if r.get("after") else "—"] for r in rows],
                caption=_("Inherent band, then and now"),
                empty=_("None"),
            ),
        )  # fmt: skip
    signed = assessment.signed_off_by
    doc.add(
        reports.Heading(_("Sign-off")),
        reports.Paragraph(
            _("Signed off by %(who)s on %(when)s.")
            % {"who": signed.get_full_name() or signed.get_username(),
               "when": formats.date_format(timezone.localtime(assessment.signed_off_at), "Y-m-d")}
            if signed else _("Not signed off yet.")
        ),
    )  # fmt: skip
    return doc


BUILDER = reports.Builder(build=build, title=title, basename="risk-assessment-report")
