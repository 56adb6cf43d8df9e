"""Recovery order, gaps and single-point-of-failure pages on the worked bank model, their
exports (opened and read back) and their access rules."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from resilia.analysis.tests.conftest import B_MARK
from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.dependencies import services as dep

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_it_orders_recovery_by_dependencies_then_rto_then_rpo(client_as, bank):
    """The seeds' rule (按照RTO和RPO由小到大顺序排列): dependencies first; among ready nodes the
    smallest required RTO, then RPO. The data centres, SWIFT and CORE inherit PAY's 1 h RTO
    and 15 min RPO, so they come first (ties by key); KP-B inherits LOAN's 4 h."""
    response = client_as("manager").get("/analysis/order/")
    codes = [r["code"] for r in response.context["rows"]]
    assert codes == ["DC1", "DC2", "CORE", "SWIFT", "PAY", "KP-B", "LOAN", "REPORT"]
    assert [r["rank"] for r in response.context["rows"]] == list(range(1, 9))
    assert response.context["rows"][0]["rto_by"]["code"] == "PAY"


def test_it_reports_cycles_with_their_members_and_the_nodes_they_block(client_as, bank):
    with request_context(source="test"):
        a1 = dep.activity_create(actor=None, code="CYC1", name="清算对账", unit=bank["pay"].unit)
        a2 = dep.activity_create(actor=None, code="CYC2", name="头寸管理", unit=bank["pay"].unit)
        a3 = dep.activity_create(actor=None, code="AFTER", name="日终报表", unit=bank["pay"].unit)
        dep.dependency_create(actor=None, dependent=a1, dependency=a2)
        dep.dependency_create(actor=None, dependent=a2, dependency=a1)
        dep.dependency_create(actor=None, dependent=a3, dependency=a1)
    response = client_as("manager").get("/analysis/order/")
    cycles = response.context["cycles"]
    assert [[m["code"] for m in c["members"]] for c in cycles] == [["CYC1", "CYC2"]]
    assert [b["code"] for b in cycles[0]["blocked"]] == ["AFTER"]
    codes = [r["code"] for r in response.context["rows"]]
    assert "CYC1" not in codes and "AFTER" not in codes
    assert "Dependency cycles" in response.content.decode()


def test_it_lists_capability_gaps(client_as, bank):
    """DC1 recovers in 5 h but CORE, needed by PAY (RTO 1 h), must be back within 1 h; PAY's
    recovery takes at least 5 h given the data centres (the OR group is back with the first
    member: min(5 h, 10 h))."""
    response = client_as("manager").get("/analysis/gaps/")
    gaps = {(r["code"], r["measure"]): r for r in response.context["rows"]}
    assert gaps[("DC1", "recovery_time")]["capability"] == 300
    assert gaps[("DC1", "recovery_time")]["objective"] == 60
    assert gaps[("DC1", "recovery_time")]["activity"]["code"] == "PAY"
    assert ("CORE", "recovery_time") not in gaps  # 30 min ≤ 60 min
    activities = {r["code"]: r for r in response.context["activity_rows"]}
    assert activities["PAY"]["bound"] == 300 and activities["PAY"]["rto"] == 60


def test_it_ranks_single_points_of_failure_and_flags_key_persons(client_as, bank):
    """CORE stops PAY, REPORT and LOAN; neither data centre alone stops anything (OR group);
    KP-B, LOAN's key person without backup, is flagged on its own."""
    response = client_as("auditor").get("/analysis/spof/")
    rows = response.context["rows"]
    assert [(r["code"], r["breaks"]) for r in rows] == [("CORE", 3), ("SWIFT", 1), ("KP-B", 1)]
    assert not {"DC1", "DC2"} & {r["code"] for r in rows}
    assert [r["code"] for r in response.context["key_person_rows"]] == ["KP-B"]


def test_it_hides_the_other_department_from_a_coordinator(client_as, bank):
    client = client_as("coord_a")
    for url in ("/analysis/order/", "/analysis/gaps/", "/analysis/spof/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert B_MARK not in html and "KP-B" not in html and "LOAN" not in html, url
    spof = client.get("/analysis/spof/")
    assert [r["code"] for r in spof.context["rows"]] == ["CORE", "SWIFT"]
    assert spof.context["report"].hidden == 1
    xlsx = client.get("/analysis/spof/", {"export": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row]
    assert not any(B_MARK in c or "KP-B" in c for c in cells)


def test_it_lets_the_executive_read_the_analysis_but_not_the_registers(client_as, bank):
    client = client_as("executive")
    assert client.get("/analysis/spof/").status_code == 200
    assert "KP-B" in client.get("/analysis/spof/").content.decode()
    api = client.post(
        "/api/resources/", {"code": "X", "name": "x", "kind": "data"}, "application/json"
    )
    assert api.status_code == 403


@pytest.mark.parametrize("url", ["/analysis/order/", "/analysis/gaps/", "/analysis/spof/"])
def test_it_exports_xlsx_with_a_header_sheet_and_audits_it(client_as, bank, url):
    before = AuditEvent.objects.count()
    response = client_as("manager").get(url, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    info = book.worksheets[0]
    labels = [row[0] for row in info.iter_rows(values_only=True)]
    assert "Organisation" in labels and "Model revision" in labels and "Generated by" in labels
    assert len(book.worksheets) == 3
    events = list(AuditEvent.objects.filter(seq__gt=before).values("action", "object_type"))
    assert events == [{"action": "export", "object_type": f"analysis.{url.split('/')[2]}"}]


def test_it_exports_the_spof_pdf_in_chinese(client_as, bank):
    response = client_as("manager", "zh-hans").get("/analysis/spof/", {"export": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response)
    assert "单点故障" in text and "核心银行系统" in text and "示例集团" in text
    assert "第 1 页，共 1 页" in text
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.changes["format"]) == ("export", "pdf")


def test_it_embeds_the_pdf_font_so_every_viewer_shows_the_chinese(client_as, bank):
    response = client_as("manager", "zh-hans").get("/analysis/gaps/", {"export": "pdf"})
    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        str(font.get_object()["/BaseFont"]): font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    embedded = [
        name
        for name, font in fonts.items()
        if "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"].get_object()
    ]
    assert embedded and not any("STSong" in name for name in fonts)
    assert "差距" in pdf_text(response)


def test_it_exports_the_order_as_docx_with_its_tables_and_an_audit_event(client_as, bank):
    import docx

    response = client_as("manager", "zh-hans").get("/analysis/order/", {"export": "docx"})
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response["Content-Disposition"].endswith('.docx"')
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["恢复顺序", "依赖循环"]
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert any("CORE" in text for text in cells)
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.changes["format"]) == ("export", "docx")


def test_it_exports_the_whatif_with_the_cause_and_teams(client_as, bank):
    params = {"fail": ["site:DC-MAIN", "site:DC-DR"], "at": "2026-05-01T09:00"}
    pdf = client_as("manager", "zh-hans").get("/analysis/whatif/", {**params, "export": "pdf"})
    text = pdf_text(pdf)
    assert "假设情景分析" in text and "支付清算" in text and "支付应急小组" in text
    assert "2026-05-01 10:00" in text.replace("\n", " ")  # PAY breaches its RTO after 1 h
    xlsx = client_as("manager").get("/analysis/whatif/", {**params, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[1]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Activity"
    assert rows[1][0] == "Payment clearing (PAY)"
    assert "OR group dc" in rows[1][rows[0].index("Cause")]
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.changes["failed"] == ["resource:DC1", "resource:DC2"]


def test_it_paginates_long_results(client_as, bank):
    with request_context(source="test"):
        for i in range(60):
            dep.activity_create(
                actor=None, code=f"BULK-{i:02d}", name=f"批量{i}", unit=bank["pay"].unit, rto=600
            )
    response = client_as("manager").get("/analysis/order/", {"page": 2})
    assert len(response.context["rows"]) == 68 - 50
    assert response.context["rows"][0]["rank"] == 51


@pytest.mark.parametrize("url", ["/analysis/order/", "/analysis/gaps/", "/analysis/spof/"])
def test_it_keeps_the_query_count_flat(client_as, bank, url, django_assert_max_num_queries):
    client = client_as("coord_a")
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_it_sends_a_long_pdf_to_the_worker_and_the_requester_downloads_it(
    client_as, bank, monkeypatch, settings, tmp_path
):
    from resilia.analysis import views
    from resilia.ops.models import ReportJob
    from resilia.ops.tasks import report_job_render

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(views, "INLINE_ROWS", 1)
    client = client_as("manager", "zh-hans")
    response = client.get("/analysis/order/", {"export": "pdf"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/jobs/{job.pk}/"
    report_job_render.call(job.pk)
    download = client.get(f"/reports/jobs/{job.pk}/download/")
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages
    )
    assert "恢复顺序" in text and "CORE" in text


def test_it_shows_a_page_of_gaps_and_spofs_in_the_same_queries_whatever_the_model_size(
    client_as, bank, org_tree
):
    """Only the page's rows are built and labelled: 40 more gaps and single points of failure
    in the coordinator's scope add no query, and the ranks stay those of the whole model."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from resilia.dependencies.selectors import forget_compiled

    client = client_as("coord_a")
    with CaptureQueriesContext(connection) as small:
        client.get("/analysis/gaps/")
        client.get("/analysis/spof/")
    with request_context(source="test"):
        added = dep.resource_create_many(
            actor=None,
            items=[
                {
                    "code": f"X{i:02d}",
                    "name": f"新系统{i}",
                    "kind": "application",
                    "unit": org_tree["dept_a"],
                }
                for i in range(40)
            ],  # fmt: skip
        )
        dep.dependency_create_many(
            actor=None, links=[(bank["pay"], resource, {}) for resource in added]
        )
    forget_compiled()
    client.get("/analysis/gaps/")  # compiles the new model state once
    with CaptureQueriesContext(connection) as large:
        gaps = client.get("/analysis/gaps/")
        spof = client.get("/analysis/spof/")
    assert len(large) <= len(small)
    assert gaps.context["page"].paginator.count >= 40  # never tested, needed by PAY
    ranks = [row["rank"] for row in spof.context["rows"]]
    assert ranks == sorted(ranks) and len(ranks) == len(set(ranks))
    assert "KP-B" not in spof.content.decode()
