"""The `plans` section of the continuity model file (issue 11 item 9): plans round-trip
through `resilia model export` / `import`; a changed content arrives as a new draft, never
changing a published version; a cycle among the steps refuses the whole file."""

import copy

import pytest

from resilia.core.context import request_context
from resilia.dependencies.modelio import export_model, import_model
from resilia.dependencies.modelio_checks import ModelFileError
from resilia.plans.models import Plan
from resilia.plans.tests.conftest import sign_off


def test_the_plans_round_trip_and_a_change_becomes_a_new_draft(plan_setup, personas):
    v = sign_off(plan_setup, personas)
    data = export_model()
    (item,) = data["plans"]["plans"]
    assert item["code"] == "EP-NET" and item["activities"] == ["PAY"]
    assert item["content"]["steps"][3]["what"] == "切换至备用线路"
    with request_context(source="test"):
        report = import_model(copy.deepcopy(data))
    assert Plan.objects.get().versions.count() == 1  # the same: nothing new
    item["content"]["steps"][3]["minutes"] = 30
    item["code"] = "EP-NET-B"  # and a plan the database does not have yet
    with request_context(source="test"):
        report = import_model(data)
    assert report.created["plans"] == 1
    new = Plan.objects.get(code="EP-NET-B").versions.order_by("-number").first()
    assert new.status == "draft" and new.schedule["best"] == 70
    v.refresh_from_db()
    assert v.status == "published"


def test_a_cycle_in_the_file_refuses_everything(plan_setup, personas):
    data = export_model()
    data["plans"]["plans"][0]["content"]["steps"][1]["after"] = ["S2"]
    data["plans"]["plans"][0]["code"] = "EP-OTHER"
    with pytest.raises(ModelFileError), request_context(source="test"):
        import_model(data)
    assert not Plan.objects.filter(code="EP-OTHER").exists()
