"""The `bia` section of the continuity model file (issue 9 item 10): the framework and the
approved assessments' ratings round-trip through `resilia model export` / `import`, checked
by the questionnaire's own rules, all or nothing with the rest of the file."""

import copy

import pytest

from resilia.bia import services as bia
from resilia.bia.models import Assessment, FrameworkVersion
from resilia.bia.tests.conftest import H, full_ratings
from resilia.core.context import request_context
from resilia.dependencies.modelio import export_model, import_model
from resilia.dependencies.modelio_checks import ModelFileError

LEGAL = [1, 1, 3, 4, 4, 4, 5, 5, 5, 5]


@pytest.fixture
def approved(bia_setup, personas):
    with request_context(source="test"):
        bia.campaign_launch(actor=personas["manager"], campaign=bia_setup["campaign"])
        a = Assessment.objects.get(activity=bia_setup["pay"])
        bia.assessment_save(
            actor=personas["coord_a"], assessment=a,
            ratings=full_ratings(a.framework, legal=LEGAL), rto=4 * H, rpo=15,
        )  # fmt: skip
        bia.assessment_submit(actor=personas["coord_a"], assessment=a)
        bia.assessment_review(actor=personas["manager"], assessment=a)
        bia.assessment_approve(actor=bia_setup["head_a"], assessment=a)
    return bia_setup


def test_the_export_carries_the_framework_and_the_approved_ratings(approved):
    data = export_model()
    assert data["bia"]["framework"]["time_points"][3] == 8 * H
    (item,) = data["bia"]["approved"]
    assert item["activity"] == "PAY" and item["ratings"]["legal"] == LEGAL and item["rto"] == 4 * H


def test_reimporting_the_export_changes_nothing(approved):
    data = export_model()
    with request_context(source="test"):
        report = import_model(copy.deepcopy(data))
    assert report.change_count == 0
    assert export_model() == data


def test_changed_ratings_come_in_as_an_approved_assessment(approved):
    data = export_model()
    data["bia"]["approved"][0]["ratings"]["legal"] = [1, 1, 1, 4, 4, 4, 5, 5, 5, 5]
    with request_context(source="test"):
        report = import_model(data)
    assert report.created["bia approved assessments"] == 1
    latest = Assessment.objects.filter(activity__code="PAY", campaign__code="MODEL-FILE").get()
    assert latest.status == "approved" and latest.derived_mtpd == 8 * H


def test_a_new_framework_becomes_a_new_version(approved):
    data = export_model()
    data["bia"]["framework"]["categories"][0]["threshold"] = 3
    with request_context(source="test"):
        import_model(data)
    assert FrameworkVersion.objects.count() == 2


def test_an_rto_equal_to_the_mtpd_refuses_the_whole_file(approved):
    """standards.md §1.10: RTO strictly less than MTPD, in the model file too."""
    data = export_model()
    data["bia"]["approved"][0]["rto"] = 8 * H
    data["activities"][0]["name"] = "改过的名字"
    with pytest.raises(ModelFileError) as err, request_context(source="test"):
        import_model(data)
    assert any(p.path == "bia.approved[0].rto" for p in err.value.problems)
    assert not Assessment.objects.filter(campaign__code="MODEL-FILE").exists()


def test_falling_ratings_and_unknown_activities_are_named(approved):
    data = export_model()
    data["bia"]["approved"][0]["ratings"]["legal"] = [1, 3, 2, 4, 4, 4, 5, 5, 5, 5]
    data["bia"]["approved"].append({"activity": "NOPE", "ratings": {}})
    with pytest.raises(ModelFileError) as err, request_context(source="test"):
        import_model(data)
    paths = {p.path for p in err.value.problems}
    assert "bia.approved[0].ratings" in paths and "bia.approved[1].activity" in paths
