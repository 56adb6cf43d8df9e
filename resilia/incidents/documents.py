"""A filed incident report as DOCX (on the organisation's Word template) and PDF, through the
reports kit: the report's text as filed, headed by the incident's facts and the deadline it
answers."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from resilia.core import reports as r
from resilia.org.models import Unit


def _at(value) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i") if value else "—"


def report_document(report) -> r.Document:
    incident = report.incident
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    filed_by = report.filed_by
    metadata = [
        (_("Incident"), f"{incident.code} {incident.title}"),
        (_("Response level"), incident.level_name or _("No level")),
        (_("Detected"), _at(incident.detected_at)),
        (_("Filed"), _at(report.filed_at)),
        (_("Filed by"), (filed_by.get_full_name() or filed_by.username) if filed_by else "—"),
    ]
    if report.deadline:
        metadata += [
            (_("Due"), _at(report.deadline.due_at)),
            (_("Recipient"), report.deadline.display_recipient),
            (_("Reporting path"), report.deadline.display_path),
        ]
    title = report.title
    if incident.is_drill:
        title = f"[{_('DRILL')}] {title}"
    doc = r.Document(
        title=title,
        organisation=root.display_name if root else "",
        date=formats.date_format(timezone.localtime(report.filed_at), "Y-m-d"),
        classification=_("Internal"),
        metadata=metadata,
    )
    if incident.is_drill:
        doc.add(r.Paragraph([r.Run(_("DRILL — this is an exercise."), bold=True)]))
    if report.late:
        doc.add(r.Paragraph([r.Run(_("Filed after its deadline."), bold=True)]))
    for line in report.body.splitlines():
        if line.strip():
            doc.add(r.Paragraph(line.strip()))
    return doc


def render_report(report, fmt: str) -> tuple[bytes, str]:
    doc = report_document(report)
    content = r.render(doc, fmt, template=r.TEMPLATE) if fmt == "docx" else r.render(doc, fmt)
    return content, r.CONTENT_TYPES[fmt]
