"""The analysis XLSX exports hold typed cells a spreadsheet can compute with: times as Excel
datetimes, durations as hours (the unit in the header), ranks and counts as integers, sheet
names within Excel's 31 characters and never cut mid-word; text that looks like a formula
stays text."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from resilia.core.context import request_context
from resilia.dependencies import services as dep

pytestmark = pytest.mark.django_db

WHATIF = {"fail": ["site:DC-MAIN", "site:DC-DR"], "at": "2026-05-01T09:00"}


def book(client, url, params=None):
    response = client.get(url, {**(params or {}), "export": "xlsx"})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def table(sheet) -> list[dict]:
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_it_types_the_whatif_times_and_durations(client_as, bank, settings):
    """PAY (RTO 1 h, MTPD 4 h) stops at T0 when both data halls fail: its RTO breach is an Excel
    datetime one hour after T0, with a number format, and the hours after T0 a number."""
    workbook = book(client_as("manager"), "/analysis/whatif/", WHATIF)
    pay = next(r for r in table(workbook.worksheets[1]) if r["Activity"].value.endswith("(PAY)"))
    breach = pay["RTO breached at"]
    assert breach.data_type == "d" and breach.is_date
    assert breach.value == dt.datetime(2026, 5, 1, 10, 0)
    assert breach.number_format == "yyyy-mm-dd hh:mm"
    after = pay["RTO breached at (hours after T0)"]
    assert after.data_type == "n" and after.value == 1
    assert pay["Stops at"].value == dt.datetime(2026, 5, 1, 9, 0)
    assert pay["MTPD breached at (hours after T0)"].value == 4
    cells = [c for row in workbook.worksheets[1].iter_rows() for c in row]
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)


def test_it_types_ranks_counts_and_durations_of_the_reports(client_as, bank):
    client = client_as("manager")
    order = table(book(client, "/analysis/order/").worksheets[1])
    assert [r["Rank"].value for r in order] == list(range(1, len(order) + 1))
    assert all(r["Rank"].data_type == "n" for r in order)
    pay = next(r for r in order if r["Node"].value.endswith("(PAY)"))
    assert pay["Required RTO (hours)"].value == 1
    assert pay["Required RPO (hours)"].value == 0.25
    assert pay["MTPD (hours)"].value == 4
    assert pay["MTPD (hours)"].number_format == "0.0#"

    spof = table(book(client, "/analysis/spof/").worksheets[1])
    assert [(r["Node"].value, r["Prioritised activities stopped"].value) for r in spof][0] == (
        "Core banking (CORE)",
        3,
    )

    gaps = table(book(client, "/analysis/gaps/").worksheets[1])
    dc1 = next(r for r in gaps if r["Resource"].value.endswith("(DC1)"))
    assert dc1["Tested capability (hours)"].value == 5
    assert dc1["Required objective (hours)"].value == 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("url", ["/analysis/whatif/", "/analysis/order/", "/analysis/gaps/"])
def test_it_names_sheets_in_full_within_excels_limit(client_as, bank, url, language):
    names = book(client_as("manager", language), url, WHATIF).sheetnames
    assert all(len(n) <= 31 for n in names)
    expected = {
        ("/analysis/whatif/", "en"): ["Report", "Activities", "Resources"],
        ("/analysis/order/", "en"): ["Report", "Order", "Cycles"],
        ("/analysis/gaps/", "en"): ["Report", "Resource gaps", "Activity gaps"],
        ("/analysis/whatif/", "zh-hans"): ["报告", "业务活动", "资源"],
    }
    if (url, language) in expected:
        assert names == expected[(url, language)]


def test_it_keeps_formula_like_text_as_text(client_as, bank):
    """A name starting with = + - @ (formula injection) is a string cell, never a formula,
    marked so that Excel keeps it text when edited, without a visible apostrophe."""
    with request_context(source="test"):
        dep.activity_create(
            actor=None,
            code="EVIL",
            name="=HYPERLINK(1)",
            name_en="=HYPERLINK(1)",
            unit=bank["pay"].unit,
            rto=60,
        )
    rows = table(book(client_as("manager"), "/analysis/order/").worksheets[1])
    evil = next(r for r in rows if "EVIL" in r["Node"].value)["Node"]
    assert evil.value == "=HYPERLINK(1) (EVIL)"
    assert evil.data_type == "s"


def test_it_writes_a_formula_lookalike_as_a_quote_prefixed_string():
    """openpyxl turns a string starting with "=" into a formula (data_type "f"); the kit's
    writer turns it back into text, and marks + - @ text quote-prefixed."""
    from openpyxl import Workbook

    from resilia.core.exports import sheet_name, xlsx_append

    workbook = Workbook()
    sheet = workbook.active
    xlsx_append(sheet, ["=1+1", "+1", "-2", "@SUM(A1)", "plain", 3, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = load_workbook(io.BytesIO(buffer.getvalue())).active[1]
    assert [c.data_type for c in cells[:5]] == ["s"] * 5
    assert [c.value for c in cells[:4]] == ["=1+1", "+1", "-2", "@SUM(A1)"]
    assert [c.quotePrefix for c in cells[:5]] == [True, True, True, True, False]
    assert cells[5].data_type == "n"
    assert sheet_name("Resources whose capability falls short") == "Resources whose capability"
    assert sheet_name("a/b:c") == "a b c"
    assert sheet_name("Report", ["report"]) == "Report 2"
