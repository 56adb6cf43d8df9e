"""What corrects and completes the hazard loop and the risk register (issue 10 items 3, 6, 7),
in Chinese and in English, every new button clicked:

- the coordinator deletes a round planned by mistake (nothing recorded on it) and cancels
  another with a reason, shown on the round;
- the inspector withdraws a hazard recorded by mistake, with a reason;
- the BCM manager asks for a rectification ledger too large for a request: the register
  offers it as a report job, the worker renders it, the ledger is downloaded and opened;
- the BCM manager attaches an evidence file to a risk's treatment measure and downloads it
  from the risk page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from docx import Document as Docx
from playwright.sync_api import expect

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.hazards import ledger, services
from resilia.hazards.defaults import templates_seed
from resilia.hazards.models import ChecklistTemplate, Hazard, HazardStatus, InspectionRound
from resilia.ops.models import ReportJob
from resilia.ops.tasks import report_job_render
from resilia.org import services as org
from resilia.risk import services as risk_services
from resilia.risk.models import Threat
from tests.browser.conftest import login

TEXT = {
    "zh-hans": {"cancelled": "已取消", "withdrawn": "已撤销"},
    "en": {"cancelled": "Cancelled", "withdrawn": "Withdrawn"},
}


@pytest.fixture
def world(personas, org_tree, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the report job's file
    location = tmp_path / "evidence"
    location.mkdir()
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(location), "base_url": None}}}  # fmt: skip
    with request_context(source="test"):
        site = org.site_create(actor=None, code="DC-A", name="主数据中心",
                               name_en="Primary data centre", kind="data_centre",
                               unit=org_tree["dept_a"])  # fmt: skip
        templates_seed(actor=personas["manager"])
        network = ChecklistTemplate.objects.get(code="NETWORK")

        def plan(days):
            return services.round_create(
                actor=personas["manager"], template=network, site=site,
                inspector=personas["contrib_a"],
                due_date=timezone.localdate() + dt.timedelta(days=days),
            )  # fmt: skip

        mistaken, called_off, worked = plan(1), plan(2), plan(0)
        hazards = [
            services.hazard_report(
                actor=personas["contrib_a"],
                round=worked,
                grade=grade,
                title=title,
                description="巡检发现",
                location="机房",
            )  # fmt: skip
            for grade, title in (("general", "重复登记的机柜门"), ("major", "UPS旁路运行"))
        ]
        risk_services.threat_catalogue_load(actor=personas["manager"])
        risk = risk_services.risk_create(
            actor=personas["manager"], code="R-001", title="数据中心火灾",
            threat=Threat.objects.get(code="NAT-FIRE"), unit=org_tree["dept_a"],
            owner=people["bob"], inherent_likelihood=4, inherent_impact=3,
        )  # fmt: skip
        measure = risk_services.measure_create(
            actor=personas["manager"], risk=risk, title="加装气体灭火系统", owner=people["alice"],
            due_date=timezone.localdate() + dt.timedelta(days=30),
        )  # fmt: skip
    return {"mistaken": mistaken, "called_off": called_off, "hazards": hazards,
            "risk": risk, "measure": measure}  # fmt: skip


def _go(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_corrections_ledger_job_and_measure_evidence(
    page_for, world, shot, lang, tmp_path, monkeypatch
):
    text = TEXT[lang]
    # The coordinator: delete the round planned by mistake, cancel another with a reason.
    coord = page_for(lang)
    login(coord, "coord_a")
    coord.goto(f"{coord.base_url}{world['mistaken'].get_absolute_url()}")
    _go(coord, "delete-round")
    assert coord.url.endswith("/hazards/rounds/")
    assert not InspectionRound.objects.filter(pk=world["mistaken"].pk).exists()
    coord.goto(f"{coord.base_url}{world['called_off'].get_absolute_url()}")
    _go(coord, "cancel-submit")  # no reason: refused, said why
    expect(coord.get_by_test_id("cancel")).to_contain_text(
        "请说明取消该巡检的原因" if lang == "zh-hans" else "Say why the round is cancelled."
    )
    coord.get_by_test_id("cancel").locator("textarea[name=reason]").fill("机房改造，本周停用")
    _go(coord, "cancel-submit")
    expect(coord.get_by_test_id("round-status")).to_have_text(text["cancelled"])
    expect(coord.get_by_test_id("cancelled")).to_contain_text("机房改造，本周停用")
    shot(coord, f"hazards-round-cancelled-{lang}")

    # The inspector withdraws the hazard recorded twice.
    inspector = page_for(lang)
    login(inspector, "contrib_a")
    mistaken = world["hazards"][0]
    inspector.goto(f"{inspector.base_url}{mistaken.get_absolute_url()}")
    inspector.get_by_test_id("withdraw").locator("textarea[name=reason]").fill("与上一条重复")
    _go(inspector, "withdraw-submit")
    expect(inspector.get_by_test_id("hazard-status")).to_have_text(text["withdrawn"])
    expect(inspector.get_by_test_id("withdrawn")).to_contain_text("与上一条重复")
    assert Hazard.objects.get(pk=mistaken.pk).status == HazardStatus.WITHDRAWN
    shot(inspector, f"hazards-withdrawn-{lang}")

    # The manager: a ledger larger than a request renders (two rows over a limit of one).
    monkeypatch.setattr(ledger, "MAX_ROWS", 1)
    manager = page_for(lang)
    login(manager, "manager")
    manager.goto(f"{manager.base_url}/hazards/list/")
    expect(manager.get_by_test_id("ledger-docx")).to_have_count(0)
    _go(manager, "ledger-job-docx")
    job = ReportJob.objects.get(kind="hazards.ledger")
    report_job_render.call(job.pk)  # what the worker does
    link = manager.locator("[data-testid=report-download]")
    link.wait_for()  # the htmx poll swapped the finished card in
    shot(manager, f"hazards-ledger-job-{lang}")
    with manager.expect_download() as download:
        link.click()
    document = Docx(io.BytesIO(open(download.value.path(), "rb").read()))
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert all(h.number in cells for h in world["hazards"])

    # The manager attaches the fire-suppression acceptance report to the measure.
    measure = world["measure"]
    manager.goto(f"{manager.base_url}{world['risk'].get_absolute_url()}")
    _go(manager, f"measure-upload-{measure.pk}")
    report = tmp_path / "消防验收报告.pdf"
    report.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    manager.locator("#evidence-files input[type=file]").set_input_files(str(report))
    manager.locator("#evidence-files button[type=submit].btn-primary").click()
    expect(manager.get_by_test_id("evidence-files")).to_contain_text("消防验收报告.pdf")
    manager.goto(f"{manager.base_url}{world['risk'].get_absolute_url()}")
    expect(manager.get_by_test_id(f"measure-evidence-{measure.pk}")).to_contain_text(
        "消防验收报告.pdf"
    )
    shot(manager, f"risk-measure-evidence-{lang}")
    with manager.expect_download() as download:
        manager.get_by_test_id("measure-file").click()
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="download", object_type="risk.measure").exists()
