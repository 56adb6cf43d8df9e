"""The risk pages through HTTP: register, detail, forms, matrix, heat maps, assessments."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from resilia.audit.models import AuditEvent
from resilia.risk import services
from resilia.risk.models import MatrixVersion, Measure, Risk, RiskAssessment
from resilia.risk.tests.conftest import bands_b, form_data


@pytest.fixture
def manager(client_for, risk_setup):
    return client_for("manager")


@pytest.mark.parametrize(
    "name",
    ["risk:risk_list", "risk:measure_list", "risk:heatmap", "risk:matrix", "risk:matrix_edit",
     "risk:threat_list", "risk:assessment_list", "risk:risk_create", "risk:threat_create",
     "risk:assessment_create"],
)  # fmt: skip
def test_every_page_opens_for_the_bcm_manager_in_both_languages(manager, name):
    for lang in ("zh-hans", "en"):
        response = manager.get(reverse(name), HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200, (name, lang)


def test_the_register_lists_exports_and_filters_with_few_queries(
    manager, risk_setup, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        response = manager.get(reverse("risk:risk_list"))
    assert "R-001" in response.text and "较大风险" in response.text
    response = manager.get(reverse("risk:risk_list") + "?band=low")
    assert "R-002" in response.text and "R-001" not in response.text
    with django_assert_max_num_queries(25):
        response = manager.get(reverse("risk:risk_list") + "?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export").exists()
    with django_assert_max_num_queries(25):
        assert manager.get(reverse("risk:measure_list") + "?export=csv").status_code == 200


def test_a_coordinator_sees_only_their_units_risks(client_for, risk_setup):
    text = client_for("coord_b").get(reverse("risk:risk_list")).text
    assert "R-002" in text and "R-001" not in text
    dc = risk_setup["dc"]
    assert client_for("coord_b").get(reverse("risk:risk_detail", args=[dc.pk])).status_code == 404
    assert client_for("coord_b").get(reverse("risk:risk_edit", args=[dc.pk])).status_code == 404
    assert client_for("auditor").get(reverse("risk:risk_detail", args=[dc.pk])).status_code == 200
    assert client_for("auditor").get(reverse("risk:risk_edit", args=[dc.pk])).status_code in (
        403,
        404,
    )
    assert client_for("outsider").get(reverse("risk:risk_list")).status_code == 302


def test_the_bcm_manager_creates_a_risk_in_the_browser_form(manager, risk_setup, org_tree):
    data = {
        "code": "R-010", "title": "核心系统硬件故障", "threat": risk_setup["power"].pk,
        "unit": org_tree["dept_a"].pk, "inherent_likelihood": "5", "inherent_impact": "5",
        "residual_likelihood": "2", "residual_impact": "4", "treatment": "mitigate",
        "reviewed_on": "2026-03-01", "typical_duration": "4h",
    }  # fmt: skip
    response = manager.post(reverse("risk:risk_create"), data)
    risk = Risk.objects.get(code="R-010")
    assert response.status_code == 302
    # 5 × 5 = 25 → 重大; residual 2 × 4 = 8 → 一般 (standards.md §6 convention A).
    assert (risk.inherent_score, risk.inherent_band, risk.residual_score, risk.band) == (
        25, "critical", 8, "general",
    )  # fmt: skip
    assert risk.typical_duration == 240
    page = manager.get(risk.get_absolute_url()).text
    assert "重大风险" in page


def test_the_form_refuses_off_scale_ratings_and_unknown_scope_codes(manager, risk_setup, org_tree):
    data = {"code": "R-011", "title": "x", "threat": risk_setup["fire"].pk,
            "unit": org_tree["dept_a"].pk, "inherent_likelihood": "7", "inherent_impact": "1",
            "sites": "NOPE", "reviewed_on": "2026-03-01"}  # fmt: skip
    response = manager.post(reverse("risk:risk_create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Unknown, or not visible to you: NOPE." in response.text
    assert not Risk.objects.filter(code="R-011").exists()


def test_accepting_a_risk_and_adding_measures_in_the_browser(manager, risk_setup, people):
    dc = risk_setup["dc"]
    url = reverse("risk:risk_accept", args=[dc.pk])
    manager.post(url, {"reason": "", "expires": ""})
    dc.refresh_from_db()
    assert dc.treatment == ""
    expires = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    manager.post(url, {"reason": "成本过高", "expires": expires})
    dc.refresh_from_db()
    assert dc.treatment == "accept" and dc.accepted_by.username == "manager"
    response = manager.post(
        reverse("risk:measure_create", args=[dc.pk]),
        {
            "title": "更换UPS",
            "owner": people["bob"].pk,
            "due_date": "2026-06-30",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get()
    response = manager.post(
        reverse("risk:measure_edit", args=[measure.pk]),
        {"title": "更换UPS", "owner": people["bob"].pk, "due_date": "2026-06-30", "status": "done",
         "evidence": "验收报告"},
    )  # fmt: skip
    measure.refresh_from_db()
    assert measure.status == "done" and measure.completed_on is not None
    response = manager.post(reverse("risk:measure_create", args=[dc.pk]), {"title": "x"})
    assert response.status_code == 200 and Measure.objects.count() == 1


def test_saving_a_new_matrix_through_the_page_and_refusing_a_gap(manager, risk_setup):
    m = services.current_matrix()
    response = manager.post(
        reverse("risk:matrix_edit"), form_data(m) | {"bands-0-max": "2"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "No band covers the score 3." in response.text
    assert MatrixVersion.objects.count() == 1
    response = manager.post(reverse("risk:matrix_edit"), form_data(m, bands=bands_b()))
    assert response.status_code == 302 and MatrixVersion.objects.count() == 2
    page = manager.get(reverse("risk:matrix"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "2 risks are still scored on an older matrix" in page
    page = manager.get(risk_setup["dc"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    assert "an older matrix" in page


def test_heat_maps_count_per_cell_and_click_through(
    manager, risk_setup, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        page = manager.get(reverse("risk:heatmap")).text
    assert 'data-testid="cell-inherent-4-3"' in page
    m = services.current_matrix()
    response = manager.get(
        reverse("risk:risk_list")
        + f"?matrix={m.pk}&status=open&inherent_likelihood=4&inherent_impact=3"
    )
    assert "R-001" in response.text and "R-002" not in response.text


def test_an_annual_assessment_is_signed_off_compared_and_reported(manager, risk_setup, client_for):
    response = manager.post(
        reverse("risk:assessment_create"),
        {"code": "RA-2025", "name": "2025年度风险评估", "assessed_on": "2025-12-01"},
    )
    last = RiskAssessment.objects.get(code="RA-2025")
    assert (
        client_for("coord_a").post(reverse("risk:assessment_sign_off", args=[last.pk])).status_code
        == 403
    )
    manager.post(reverse("risk:assessment_sign_off", args=[last.pk]))
    manager.post(
        reverse("risk:assessment_create"),
        {"code": "RA-2026", "name": "2026年度风险评估", "assessed_on": "2026-12-01"},
    )
    this = RiskAssessment.objects.get(code="RA-2026")
    manager.post(reverse("risk:assessment_sign_off", args=[this.pk]))
    page = manager.get(this.get_absolute_url()).text
    assert "R-001" in page and "较大风险" in page
    response = manager.get(reverse("risk:assessment_compare", args=[this.pk]) + f"?with={last.pk}")
    assert "RA-2025" in response.text and "R-002" in response.text
    html = manager.get(reverse("risk:assessment_report", args=[this.pk])).text
    assert "风险评估报告" in html and "R-001" in html
    assert response.status_code == 200
    assert (
        manager.get(reverse("risk:assessment_compare", args=[this.pk]) + "?with=x").status_code
        == 404
    )


def test_the_report_renders_to_pdf_and_docx(risk_setup, personas):
    from resilia.core import reports
    from resilia.risk.report import build

    a = services.assessment_create(actor=personas["manager"], code="RA", name="评估",
                                   assessed_on="2026-06-01")  # fmt: skip
    services.assessment_sign_off(actor=personas["manager"], assessment=a)
    doc = build(user=personas["manager"], params={"assessment": [str(a.pk)]})
    assert reports.render(doc, "pdf")[:4] == b"%PDF"
    assert reports.render(doc, "docx")[:2] == b"PK"


def test_reading_the_pages_and_the_api_on_an_empty_register_writes_nothing(client_for):
    """A read never writes: the default matrix is saved by the first write, not by a page."""
    client = client_for("auditor")
    for name in ("risk:risk_list", "risk:heatmap", "risk:matrix", "risk:measure_list"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get("/api/risk/risks/").status_code == 200
    assert client.get("/api/risk/matrices/").status_code == 200
    assert not MatrixVersion.objects.exists()
    assert not AuditEvent.objects.filter(object_type__startswith="risk.").exists()
