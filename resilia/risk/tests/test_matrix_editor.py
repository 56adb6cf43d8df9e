"""The structured editor of the risk matrix (issue 10 item 2): a new version is saved from its
rows (levels, bands, the cell grid), every bad description is refused with its message and
nothing saved, and the old version, the risks scored on it and the assessments keep theirs.

Rules: standards.md §6 — convention A (1-3 低, 4-9 一般, 10-16 较大, 20-25 重大) and B
(1-3, 4-8, 9-16, 20-25); a 4 × 4 product matrix gives the scores 1, 2, 3, 4, 6, 8, 9, 12, 16.
"""

import pytest
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.risk import services
from resilia.risk.models import MatrixVersion, Risk
from resilia.risk.tests.conftest import bands_b, form_data

URL = "risk:matrix_edit"


@pytest.fixture
def manager(client_for, risk_setup):
    return client_for("manager")


def test_the_page_shows_the_current_matrix_as_rows_and_a_grid(manager):
    services.current_matrix()
    page = manager.get(reverse(URL), HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert 'name="likelihood-0-name"' in page and 'value="极少"' in page
    assert 'value="50年以上一次"' in page
    assert 'name="bands-3-code"' in page and 'value="critical"' in page
    # The appetite (较大, the third band) is the checked radio; the grid previews 5 × 5 = 25.
    assert 'name="appetite" value="2" checked' in page
    assert 'name="cell-5-5" value="25"' in page and "report-shade-red" in page
    assert "业务影响分析评级" in page and "3 · 中等" in page  # tied to the BIA rating scale


def test_it_saves_a_new_version_from_the_rows_without_rewriting_the_old_one(manager, risk_setup):
    old = services.current_matrix()
    events = AuditEvent.objects.filter(action="create", object_type="risk.matrixversion").count()
    data = form_data(old, bands=bands_b(), note="惯例B")
    response = manager.post(reverse(URL), data)
    assert response.status_code == 302
    new = MatrixVersion.objects.get(number=2)
    assert [b["min"] for b in new.bands] == [1, 4, 9, 20]
    assert new.appetite == "major" and new.note == "惯例B" and new.method == "product"
    assert new.likelihood[0] == old.likelihood[0]  # names and anchors carried over
    assert new.impact[2]["bia_level"] == 3
    assert (
        AuditEvent.objects.filter(action="create", object_type="risk.matrixversion").count()
        == events + 1
    )
    # The old version and the risks scored on it are untouched: they wait to be re-scored.
    old.refresh_from_db()
    assert [b["min"] for b in old.bands] == [1, 4, 10, 20]
    dc = Risk.objects.get(code="R-001")
    assert (dc.matrix_id, dc.inherent_score, dc.band) == (old.pk, 12, "major")
    assert services.pending_rescore().count() == 2


def test_it_saves_a_4x4_matrix_scored_by_a_full_cell_table(manager):
    m = services.current_matrix()
    table = [[1, 2, 3, 4], [2, 4, 6, 8], [3, 6, 9, 12], [4, 8, 12, 16]]
    bands = [
        {"code": "low", "name": "低", "colour": "blue", "min": 1, "max": 3, "review_days": 360},
        {"code": "mid", "name": "中", "colour": "yellow", "min": 4, "max": 8, "review_days": 180},
        {"code": "high", "name": "高", "colour": "red", "min": 9, "max": 16, "review_days": 90},
    ]  # fmt: skip
    cells = {(lk, im): table[lk - 1][im - 1] for lk in range(1, 5) for im in range(1, 5)}
    cells[(4, 4)] = 15  # a table may differ from the product
    data = form_data(m, likelihood=m.likelihood[:4], impact=m.impact[:4], bands=bands,
                     appetite=2, method="table", cells=cells)  # fmt: skip
    # A 5th impact row left blank is ignored; one marked "Remove" is dropped.
    data |= {"impact-4-name": "灾难性", "impact-4-DELETE": "on", "impact-INITIAL_FORMS": "5"}
    response = manager.post(reverse(URL), data)
    assert response.status_code == 302, response.text
    new = MatrixVersion.objects.get(number=2)
    assert new.size == "4×4" and new.method == "table"
    assert new.table[3] == [4, 8, 12, 15] and new.appetite == "high"
    assert new.engine.table[0][0] == 1


REFUSED = [
    # (what is wrong, a change to the valid form data, the English message shown)
    ("a gap", lambda m, d: d | {"bands-0-max": "2"}, "No band covers the score 3."),
    ("an overlap", lambda m, d: d | {"bands-1-max": "12"}, "overlap."),
    ("a band past the highest score", lambda m, d: d | {"bands-3-min": "26", "bands-3-max": "30"},
     "No band covers the score 20."),
    ("a band no score reaches", lambda m, d: d | {"bands-4-code": "extreme", "bands-4-name": "极高",
                                                  "bands-4-colour": "red", "bands-4-min": "26",
                                                  "bands-4-max": "30", "bands-4-review_days": "30"},
     "The band extreme starts above 25, the highest score the matrix gives."),
    ("two levels only", lambda m, d: d | {"likelihood-2-DELETE": "on", "likelihood-3-DELETE": "on",
                                          "likelihood-4-DELETE": "on"},
     "The likelihood scale has 2 levels: a matrix has 3 to 6 on each axis."),
    ("seven levels", lambda m, d: d | {"impact-TOTAL_FORMS": "7", **{
        f"impact-{i}-name": f"L{i}" for i in range(5, 7)}},
     "The impact scale has 7 levels: a matrix has 3 to 6 on each axis."),
    ("a level without a name", lambda m, d: d | {"likelihood-1-name": ""},
     "This field is required."),
    ("a score below 1", lambda m, d: d | {"bands-0-min": "0"},
     "Ensure this value is greater than or equal to 1."),
    ("lowest above highest", lambda m, d: d | {"bands-1-min": "9", "bands-1-max": "4"},
     "The band general needs a lowest and a highest score, lowest first."),
    ("an unknown colour", lambda m, d: d | {"bands-0-colour": "purple"}, "Select a valid choice."),
    ("an off-scale BIA rating", lambda m, d: d | {"impact-0-bia_level": "9"},
     "Select a valid choice."),
    ("no appetite", lambda m, d: {k: v for k, v in d.items() if k != "appetite"},
     "Choose the appetite: the lowest band that needs treatment."),
    ("a removed appetite band", lambda m, d: d | {"appetite": "3", "bands-3-DELETE": "on"},
     "The appetite must be one of the bands kept."),
    ("a blank table cell", lambda m, d: d | {"method": "table", "cell-2-3": ""},
     "Every cell of the score table needs a whole number of at least 1 (likelihood 2, impact 3)."),
    ("a table cell of zero", lambda m, d: d | {"method": "table", "cell-1-1": "0"},
     "(likelihood 1, impact 1)"),
    ("two bands with one code", lambda m, d: d | {"bands-1-code": "low"},
     "Every band needs its own code"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "change", "message"), REFUSED, ids=[c[0] for c in REFUSED])
def test_each_bad_matrix_is_refused_with_its_message_and_nothing_saved(
    manager, case, change, message
):
    m = services.current_matrix()
    cells = {(lk, im): lk * im for lk in range(1, 6) for im in range(1, 6)}
    events = AuditEvent.objects.count()
    data = change(m, form_data(m, cells=cells))
    response = manager.post(reverse(URL), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode(), case
    assert MatrixVersion.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_refusal_reads_in_chinese_too(manager):
    m = services.current_matrix()
    response = manager.post(
        reverse(URL), form_data(m) | {"bands-0-max": "2"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "风险值 3 不在任何风险等级内" in response.content.decode()
    assert MatrixVersion.objects.count() == 1


@pytest.mark.parametrize("persona", ["coord_a", "contrib_a", "auditor", "executive"])
def test_only_the_bcm_office_saves_a_matrix(client_for, risk_setup, persona):
    m = services.current_matrix()
    response = client_for(persona).post(reverse(URL), form_data(m, bands=bands_b()))
    assert response.status_code == 403
    assert MatrixVersion.objects.count() == 1


def test_the_admin_may_save_a_matrix(client_for, risk_setup):
    m = services.current_matrix()
    assert client_for("admin").post(reverse(URL), form_data(m, bands=bands_b())).status_code == 302
    assert MatrixVersion.objects.count() == 2


@pytest.mark.parametrize(
    "data",
    [{}, {"method": "product"}, {"method": "x", "appetite": "abc", "likelihood-TOTAL_FORMS": "zz"},
     {"likelihood-TOTAL_FORMS": "99999", "likelihood-INITIAL_FORMS": "0"}],
)  # fmt: skip
def test_a_tampered_form_is_refused_not_a_server_error(manager, data):
    services.current_matrix()
    assert manager.post(reverse(URL), data, HTTP_ACCEPT_LANGUAGE="en").status_code == 400
    assert MatrixVersion.objects.count() == 1
