"""Anomaly reporting for everyone (issue 13 item 7): a report by a signed link with no account,
an altered or switched-off link refused, a hotline call logged by the duty officer, triage into
an incident (the report linked) or dismissal with a reason; who may see and triage."""

import pytest
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.incidents import intake
from resilia.incidents.models import AnomalyReport, Incident, IntakeStatus
from resilia.incidents.tests.conftest import pack

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(bank, personas):
    return intake.link_create(
        actor=personas["manager"], label="主数据中心海报", site=bank["site_main"]
    )


def test_anyone_reports_by_the_link_without_an_account(link, client):
    url = intake.url(link)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="public-report-form"' in page.content.decode()
    done = client.post(
        url, {"what": "机房空调漏水", "location": "三层", "reporter_name": "保安小王"}
    )
    assert done.status_code == 200 and 'data-testid="report-done"' in done.content.decode()
    row = AnomalyReport.objects.get()
    assert (row.source, row.site, row.status, row.logged_by) == ("link", link.site, "new", None)
    assert AuditEvent.objects.filter(action="intake_report", object_id=str(row.pk)).exists()


def test_an_altered_or_switched_off_link_is_refused(link, client, personas):
    url = intake.url(link)
    altered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    response = client.post(altered, {"what": "x"})
    assert response.status_code == 400 and 'data-testid="report-error"' in response.content.decode()
    intake.link_switch(actor=personas["manager"], link=link, active=False)
    assert client.get(url).status_code == 410
    assert client.post(url, {"what": "x"}).status_code == 410
    assert AnomalyReport.objects.count() == 0


def test_a_report_without_what_happened_is_refused(link, client):
    response = client.post(intake.url(link), {"what": "  ", "noticed_at": "明天"})
    assert (
        response.status_code == 200
        and 'data-testid="public-report-form"' in response.content.decode()
    )
    assert AnomalyReport.objects.count() == 0


def test_the_duty_officer_logs_a_call_and_triages_it(bank, client_as):
    client = client_as("manager", "zh-hans")
    response = client.post(
        reverse("incidents:hotline"),
        {"what": "网点反映无法转账", "site": "DC-MAIN", "reporter_name": "张三",
         "reporter_phone": "13800000009"},
    )  # fmt: skip
    row = AnomalyReport.objects.get()
    assert (
        response.status_code == 302
        and row.source == "hotline"
        and row.logged_by.username == "manager"
    )
    assert (
        client.post(reverse("incidents:hotline"), {"what": "x", "site": "NOPE"}).status_code == 200
    )
    # Triage into an incident: the declare form is prefilled, and the report is linked.
    form = client.get(reverse("incidents:declare"), {"report": row.pk}).content.decode()
    assert "网点反映无法转账" in form and "DC-MAIN" in form
    client.post(
        reverse("incidents:declare"),
        {"report": row.pk, "title": "网点无法转账", "category": "it", "pack": pack("generic").pk,
         "detected_at": row.noticed_at.strftime("%Y-%m-%dT%H:%M"), "sites": "DC-MAIN",
         "resources": "", "activities": "", "description": ""},
    )  # fmt: skip
    row.refresh_from_db()
    assert row.status == IntakeStatus.INCIDENT and row.incident == Incident.objects.get()


def test_dismissal_needs_a_reason(bank, client_as, link):
    row = intake.report(source="link", link=link, what="打印机卡纸")
    client = client_as("manager")
    url = reverse("incidents:intake_detail", args=[row.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert AnomalyReport.objects.get().status == "new"
    assert client.post(url, {"reason": "非业务连续性事件"}).status_code == 302
    row.refresh_from_db()
    assert row.status == "dismissed" and row.dismissed_reason == "非业务连续性事件"
    assert client.post(url, {"reason": "again"}).status_code == 403  # already triaged


def test_who_sees_the_reports(bank, client_as, link):
    intake.report(source="link", link=link, what="UPS 告警")
    page = client_as("manager").get(reverse("incidents:intake")).content.decode()
    assert "UPS 告警" in page and "<svg" in page  # the link's QR code
    assert client_as("auditor").get(reverse("incidents:intake")).status_code == 200
    assert client_as("contrib_a").get(reverse("incidents:intake")).status_code == 403
    assert client_as("auditor").get(reverse("incidents:hotline")).status_code == 403
