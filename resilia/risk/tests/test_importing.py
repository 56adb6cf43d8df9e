"""XLSX import of the risk register: row-numbered errors, all or nothing, re-import idempotent."""

import io

from openpyxl import Workbook

from resilia.audit.models import AuditEvent
from resilia.risk.importing import risk_import
from resilia.risk.models import Risk

HEADER = ["risk code", "title", "threat code", "unit code", "inherent likelihood",
          "inherent impact", "residual likelihood", "residual impact", "treatment"]  # fmt: skip


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "risks.xlsx"
    return out


def test_it_imports_risks_scored_on_the_current_matrix(risk_setup, personas):
    """Row 2: 5 × 4 = 20 → 重大; row 3: 2 × 2 = 4 → 一般 (standards.md §6 convention A)."""
    rows = [
        ["R-100", "主机房漏水", "NAT-FLOOD", "DEPT-A", 5, 4, 2, 3, "mitigate"],
        ["R-101", "核心人员离职", "PPL-LEAVE", "DEPT-B", 2, 2, None, None, ""],
    ]
    result = risk_import(actor=personas["manager"], kind="risks", file=xlsx(rows), dry_run=False)
    assert result.applied and result.created == 2, [str(e) for e in result.errors]
    r100 = Risk.objects.get(code="R-100")
    assert (r100.inherent_score, r100.inherent_band, r100.residual_score, r100.band) == (
        20, "critical", 6, "general",
    )  # fmt: skip
    assert Risk.objects.get(code="R-101").band == "general"
    assert AuditEvent.objects.filter(action="import", object_type="risk.risk").count() == 1
    again = risk_import(actor=personas["manager"], kind="risks", file=xlsx(rows), dry_run=False)
    assert again.unchanged == 2 and again.created == 0


def test_it_refuses_the_whole_file_with_row_numbered_errors(risk_setup, personas):
    rows = [
        ["R-200", "正常行", "NAT-FLOOD", "DEPT-A", 3, 3, None, None, ""],
        ["R-201", "越界评级", "NAT-FLOOD", "DEPT-A", 6, 3, None, None, ""],
        ["R-202", "未知威胁", "NOPE", "DEPT-A", 1, 1, None, None, "accept"],
        ["R-203", "缺剩余影响", "NAT-FLOOD", "DEPT-A", 2, 2, 1, None, ""],
    ]
    result = risk_import(actor=personas["manager"], kind="risks", file=xlsx(rows), dry_run=False)
    assert not result.applied
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("第 3 行，固有可能性") for m in messages), messages
    assert {e.row for e in result.errors} == {3, 4, 5}
    assert not Risk.objects.filter(code__startswith="R-20").exists()


def test_a_coordinator_imports_only_into_their_subtree(risk_setup, personas):
    rows = [["R-300", "其他部门", "NAT-FLOOD", "DEPT-B", 3, 3, None, None, ""]]
    result = risk_import(actor=personas["coord_a"], kind="risks", file=xlsx(rows), dry_run=False)
    assert not result.applied and result.errors
    assert not Risk.objects.filter(code="R-300").exists()


def test_the_import_pages_open(client_for, risk_setup):
    from django.urls import reverse

    client = client_for("manager")
    assert client.get(reverse("risk:import") + "?kind=risks").status_code == 200
    response = client.get(reverse("risk:import_template", args=["risks", "xlsx"]))
    assert response.status_code == 200
