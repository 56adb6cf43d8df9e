"""Anomaly reporting for everyone (issue 13 item 7; seed 002: hotline, staff feedback).

A reporting link, printed as a QR code on a poster or sent round by e-mail, lets anyone report
an anomaly without an account; the duty officer logs hotline calls the same way. Each report is
triaged by the BCM office or the site's coordinator: an incident is opened from it, or it is
dismissed with a reason. The link carries a signature of its id (django.core.signing): an
altered link is refused, a switched-off one answers that it no longer works.
"""

from __future__ import annotations

import io

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.audit.actions import register_action
from resilia.core.trail import diff, record, snapshot
from resilia.incidents.clock import CLOCK_SKEW
from resilia.incidents.models import AnomalyReport, IntakeLink, IntakeSource, IntakeStatus

register_action("intake_report", gettext_lazy("Anomaly reported"))
register_action("intake_triage", gettext_lazy("Anomaly report triaged"))

SALT = "resilia.incidents.intake"


class LinkError(Exception):
    """A reporting link that cannot be used; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def token(link: IntakeLink) -> str:
    return signing.dumps(link.pk, salt=SALT)


def url(link: IntakeLink, base: str = "") -> str:
    return base.rstrip("/") + reverse("report_anomaly", args=[token(link)])


def qr_svg(text: str) -> str:
    """The QR code of `text` as inline SVG (segno, as the two-factor set-up page draws)."""
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True)
    return out.getvalue().decode()


def read(value: str) -> IntakeLink:
    try:
        pk = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        raise LinkError(
            _("This reporting link is not valid: it was altered or cut short."), 400
        ) from None
    link = IntakeLink.objects.select_related("site").filter(pk=pk).first()
    if link is None or not link.is_active:
        raise LinkError(_("This reporting link no longer works: call the hotline instead."), 410)
    return link


@transaction.atomic
def link_create(*, actor, label: str, site=None) -> IntakeLink:
    link = IntakeLink(label=(label or "").strip(), site=site, created_by=actor)
    link.full_clean()
    link.save()
    record(actor=actor, action="create", obj=link, changes=diff({}, snapshot(link)))
    return link


@transaction.atomic
def link_switch(*, actor, link: IntakeLink, active: bool) -> IntakeLink:
    if link.is_active != active:
        link.is_active = active
        link.save(update_fields=["is_active"])
        record(actor=actor, action="update", obj=link, changes={"is_active": [not active, active]})
    return link


@transaction.atomic
def report(
    *, actor=None, source: str, what: str, noticed_at=None, link: IntakeLink | None = None,
    site=None, location: str = "", reporter_name: str = "", reporter_phone: str = "", now=None,
) -> AnomalyReport:  # fmt: skip
    """Record a report (from a link, without an account) or a hotline call (by the duty
    officer); the link's site is the report's unless the duty officer names another."""
    now = now or timezone.now()
    noticed_at = noticed_at or now
    if noticed_at > now + CLOCK_SKEW:
        raise ValidationError({"noticed_at": _("The time noticed cannot be in the future.")})
    if source == IntakeSource.LINK and link is None:
        raise ValidationError(_("A report from a link needs its link."))
    row = AnomalyReport(
        source=source,
        link=link,
        site=site or (link.site if link else None),
        what=(what or "").strip(),
        location=(location or "").strip(),
        noticed_at=noticed_at,
        reporter_name=(reporter_name or "").strip(),
        reporter_phone=(reporter_phone or "").strip(),
        logged_by=actor if getattr(actor, "pk", None) else None,
    )
    row.full_clean()
    row.save()
    record(actor=actor, action="intake_report", obj=row, changes=diff({}, snapshot(row)))
    return row


@transaction.atomic
def dismiss(*, actor, report: AnomalyReport, reason: str, now=None) -> AnomalyReport:
    report = AnomalyReport.objects.select_for_update().get(pk=report.pk)
    if report.status != IntakeStatus.NEW:
        raise ValidationError(_("This report was already triaged."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the report is dismissed.")})
    report.status = IntakeStatus.DISMISSED
    report.dismissed_reason = reason.strip()
    report.triaged_by, report.triaged_at = actor, now or timezone.now()
    report.save()
    changes = {"status": [IntakeStatus.NEW, report.status], "reason": [None, reason.strip()]}
    record(actor=actor, action="intake_triage", obj=report, changes=changes)
    return report


@transaction.atomic
def to_incident(*, actor, report: AnomalyReport, incident, now=None) -> AnomalyReport:
    report = AnomalyReport.objects.select_for_update().get(pk=report.pk)
    if report.status != IntakeStatus.NEW:
        raise ValidationError(_("This report was already triaged."))
    report.status = IntakeStatus.INCIDENT
    report.incident = incident
    report.triaged_by, report.triaged_at = actor, now or timezone.now()
    report.save()
    changes = {"status": [IntakeStatus.NEW, report.status], "incident": [None, incident.code]}
    record(actor=actor, action="intake_triage", obj=report, changes=changes)
    return report
