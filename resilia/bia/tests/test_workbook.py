"""The offline questionnaire (issue 9 item 9): exported per unit, filled in Excel, imported
back all or nothing, refused when its framework version is old or its layout was changed,
each bad cell named by sheet, row and column."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from resilia.bia import services as bia
from resilia.bia.models import Assessment
from resilia.bia.tests.conftest import H
from resilia.core.context import request_context

LEGAL = [1, 1, 3, 4, 4, 4, 5, 5, 5, 5]


@pytest.fixture
def launched(bia_setup, personas):
    with request_context(source="test"):
        bia.campaign_launch(actor=personas["manager"], campaign=bia_setup["campaign"])
    return bia_setup


def _download(client, campaign, unit):
    r = client.get(f"/bia/campaigns/{campaign.pk}/questionnaire/?unit={unit.pk}")
    assert r.status_code == 200, r.content[:500]
    return load_workbook(io.BytesIO(r.content))


def _fill(book, *, rto="4h", legal=LEGAL):
    ratings, objectives = book.worksheets[0], book.worksheets[1]
    for row in ratings.iter_rows(min_row=2):
        values = legal if row[2].value == "legal" else [1] * 10
        for i, v in enumerate(values):
            row[5 + i].value = v
    for row in objectives.iter_rows(min_row=2):
        row[2].value, row[4].value = rto, "15m"


def _upload(client, campaign, book):
    out = io.BytesIO()
    book.save(out)
    f = SimpleUploadedFile("q.xlsx", out.getvalue())
    return client.post(f"/bia/campaigns/{campaign.pk}/questionnaire/import/", {"file": f})


def test_round_trip_fills_every_assessment_of_the_unit(launched, client_for, org_tree):
    c = client_for("coord_a")
    campaign = launched["campaign"]
    book = _download(c, campaign, org_tree["dept_a"])
    assert [s.title for s in book.worksheets][:3] == ["影响评级", "恢复目标", "预计损失"]
    assert book["meta"].sheet_state == "hidden"
    _fill(book)
    r = _upload(c, campaign, book)
    assert r.status_code == 302
    for a in Assessment.objects.filter(campaign=campaign):
        assert a.derived_mtpd == 8 * H and a.rto == 4 * H and a.rpo == 15
        assert a.status == "draft"


def test_one_bad_answer_refuses_the_whole_file(launched, client_for, org_tree):
    """All or nothing: an RTO equal to the MTPD in one row leaves every assessment as it was
    (standards.md §1.10), and the message names the activity."""
    c = client_for("coord_a")
    campaign = launched["campaign"]
    book = _download(c, campaign, org_tree["dept_a"])
    _fill(book)
    book.worksheets[1]["C3"] = "8h"  # the second activity's RTO = its MTPD
    r = _upload(c, campaign, book)
    assert r.status_code == 400
    assert "必须短于最大可容忍中断时间" in r.content.decode()
    assert not Assessment.objects.exclude(ratings={}).exists()


def test_bad_cells_are_named_by_sheet_row_and_column(launched, client_for, org_tree):
    c = client_for("coord_a")
    campaign = launched["campaign"]
    book = _download(c, campaign, org_tree["dept_a"])
    _fill(book)
    book.worksheets[0]["G2"] = "high"
    book.worksheets[1]["E2"] = "soon"
    r = _upload(c, campaign, book)
    text = r.content.decode()
    assert r.status_code == 400
    assert "工作表“影响评级”，第 2 行，G 列" in text
    assert "工作表“恢复目标”，第 2 行，E 列" in text
    assert not Assessment.objects.exclude(ratings={}).exists()


def test_an_old_framework_version_or_a_changed_layout_is_refused(
    launched, client_for, org_tree, personas
):
    c = client_for("coord_a")
    campaign = launched["campaign"]
    book = _download(c, campaign, org_tree["dept_a"])
    _fill(book)
    book.worksheets[0]["F1"] = "30分钟"
    r = _upload(c, campaign, book)
    assert r.status_code == 400 and "布局已被修改" in r.content.decode()
    book = _download(c, campaign, org_tree["dept_a"])
    book["meta"]["B2"] = 99
    r = _upload(c, campaign, book)
    assert r.status_code == 400 and "第99版" in r.content.decode()
    r = c.post(
        f"/bia/campaigns/{campaign.pk}/questionnaire/import/",
        {"file": SimpleUploadedFile("q.xlsx", b"PK\x03\x04 not a zip")},
    )
    assert r.status_code == 400


def test_another_units_coordinator_cannot_import_into_it(launched, client_for, org_tree):
    campaign = launched["campaign"]
    book = _download(client_for("coord_a"), campaign, org_tree["dept_a"])
    _fill(book)
    r = _upload(client_for("coord_b"), campaign, book)
    assert r.status_code == 400
    assert not Assessment.objects.exclude(ratings={}).exists()


def test_the_full_export_lists_every_readable_assessment_safely(launched, client_for, personas):
    campaign = launched["campaign"]
    from resilia.dependencies.models import Activity

    Activity.objects.filter(code="PAY").update(name='=HYPERLINK("http://x")')
    r = client_for("manager").get(f"/bia/campaigns/{campaign.pk}/export/")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    names = [row[1].value for row in book.worksheets[1].iter_rows(min_row=2)]
    assert len(names) == 2
    cell = next(row[1] for row in book.worksheets[1].iter_rows(min_row=2) if row[0].value == "PAY")
    assert cell.data_type != "f"
    assert client_for("coord_b").get(f"/bia/campaigns/{campaign.pk}/export/").status_code == 200
