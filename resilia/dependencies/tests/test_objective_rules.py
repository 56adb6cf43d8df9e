"""RTO strictly shorter than MTPD, capability tests not dated in the future, and doubtful
objectives warned about, at every entry point: service, form, register import, model file
(the API's are in api/tests/test_api_dependencies.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from resilia.audit.models import AuditEvent
from resilia.dependencies import services as deps
from resilia.dependencies.importing import dependencies_import
from resilia.dependencies.modelio import ModelFileError, export_model, import_model
from resilia.dependencies.models import Activity, Resource

pytestmark = pytest.mark.django_db

RTO_MESSAGE = "The RTO must be shorter than the MTPD."
RTO_MESSAGE_ZH = "恢复时间目标（RTO）必须短于最大可容忍中断时间（MTPD）。"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _future() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=30)


def test_it_refuses_an_rto_equal_to_the_mtpd_in_the_service_and_the_database(bank):
    """standards.md §1.10: for an activity the RTO is *less than* the MTPD (strict <)."""
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        deps.activity_update(actor=bank["actor"], activity=bank["pay"], rto=480)
    assert exc.value.message_dict["rto"] == [RTO_MESSAGE]
    assert Activity.objects.get(pk=bank["pay"].pk).rto == 120
    assert AuditEvent.objects.count() == events
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=bank["pay"].pk).update(rto=480)
    # One minute shorter is fine.
    deps.activity_update(actor=bank["actor"], activity=bank["pay"], rto=479)
    assert Activity.objects.get(pk=bank["pay"].pk).rto == 479


def test_it_refuses_an_mtpd_of_zero_with_an_rto(bank):
    """standards.md §1.10: RTO < MTPD leaves no RTO under an MTPD of 0."""
    with pytest.raises(ValidationError) as exc:
        deps.activity_update(actor=bank["actor"], activity=bank["pay"], mtpd=0, rto=0)
    assert exc.value.message_dict["rto"] == [RTO_MESSAGE]


def test_the_form_names_the_rto_field_in_chinese(bank, client_for):
    """standards.md §1.10 (strict <), through the activity form."""
    pay = bank["pay"]
    client = client_for("manager")
    data = {"code": "PAY", "name": pay.name, "unit": pay.unit_id, "mtpd": "8h", "rto": "8h"}
    with translation.override("zh-hans"):
        response = client.post(
            reverse("dependencies:activity_edit", args=[pay.pk]),
            data,
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 200
    assert response.context["form"].errors["rto"] == [RTO_MESSAGE_ZH]
    assert Activity.objects.get(pk=pay.pk).rto == 120


def test_the_form_saves_a_doubtful_rpo_and_warns_after_the_save(bank, client_for):
    """An RPO longer than the MTPD is possible but doubtful: saved, with a warning."""
    pay = bank["pay"]
    client = client_for("manager")
    data = {"code": "PAY", "name": pay.name, "unit": pay.unit_id, "mtpd": "8h", "rto": "2h"}
    response = client.post(
        reverse("dependencies:activity_edit", args=[pay.pk]), {**data, "rpo": "1d"}, follow=True
    )
    assert Activity.objects.get(pk=pay.pk).rpo == 1440
    warnings = [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1, warnings
    checks = client.get(reverse("dependencies:checks"))
    assert checks.context["doubtful_count"] == 1
    assert [a.code for a, _w in checks.context["doubtful"]] == ["PAY"]
    assert str(warnings[0]) in checks.content.decode()


def test_the_form_refuses_a_capability_test_dated_in_the_future(bank, client_for):
    dc1 = bank["dc1"]
    data = {
        "code": "DC1",
        "name": dc1.name,
        "kind": dc1.kind,
        "unit": dc1.unit_id,
        "criticality": dc1.criticality,
        "redundancy": dc1.redundancy,
        "capability_tested_on": _future().isoformat(),
    }
    response = client_for("manager").post(
        reverse("dependencies:resource_edit", args=[dc1.pk]), data
    )
    assert response.status_code == 200
    assert len(response.context["form"].errors["capability_tested_on"]) == 1
    assert Resource.objects.get(pk=dc1.pk).capability_tested_on is None


def test_a_test_dated_tomorrow_is_clock_skew_not_the_future(bank):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    deps.resource_update(actor=bank["actor"], resource=bank["dc1"], capability_tested_on=tomorrow)
    assert Resource.objects.get(pk=bank["dc1"].pk).capability_tested_on == tomorrow


def _csv(text):
    return SimpleUploadedFile("a.csv", ("\ufeff" + text).encode("utf-8"), "text/csv")


def test_the_register_import_names_row_and_column_of_an_rto_equal_to_the_mtpd(bank, personas):
    """standards.md §1.10 (strict <), through the XLSX/CSV importer: nothing saved."""
    text = "code,name,unit_code,mtpd,rto\nNEW1,新活动,DEPT-A,8h,4h\nNEW2,同值,DEPT-A,4h,4h\n"
    with translation.override("en"):
        result = dependencies_import(
            actor=personas["manager"], kind="activities", file=_csv(text), dry_run=False
        )
        errors = [(e.row, e.column, e.message) for e in result.errors]
    assert not result.applied
    assert errors == [(3, "RTO", RTO_MESSAGE)]
    assert not Activity.objects.filter(code__in=["NEW1", "NEW2"]).exists()


def test_the_register_import_refuses_a_capability_test_in_the_future(bank, personas):
    header = "code,name,kind,unit_code,capability_tested_on\n"
    text = f"{header}MQ,消息,application,DEPT-A,{_future()}\n"
    with translation.override("en"):
        result = dependencies_import(
            actor=personas["manager"], kind="resources", file=_csv(text), dry_run=False
        )
        messages = [str(e) for e in result.errors]
    assert not result.applied and not Resource.objects.filter(code="MQ").exists()
    assert len(messages) == 1 and "cannot be dated in the future" in messages[0], messages


def _model_file(change) -> str:
    data = export_model()
    change(data)
    return data


def test_the_model_file_names_the_item_of_an_rto_equal_to_the_mtpd(bank):
    """standards.md §1.10 (strict <), through the model file: nothing saved."""

    def equal(data):
        pay = next(a for a in data["activities"] if a["code"] == "PAY")
        pay["objectives"].update(mtpd=480, rto=480)
        res = next(r for r in data["resources"] if r["code"] == "DC1")
        res["capability_tested_on"] = _future().isoformat()

    data = _model_file(equal)
    with translation.override("en"), pytest.raises(ModelFileError) as exc:
        import_model(json.loads(json.dumps(data)))
    problems = [str(p) for p in exc.value.problems]
    index = next(i for i, a in enumerate(data["activities"]) if a["code"] == "PAY")
    res = next(i for i, r in enumerate(data["resources"]) if r["code"] == "DC1")
    assert problems == [
        f"resources[{res}].capability_tested_on: The capability test cannot be dated in the"
        " future.",
        f"activities[{index}].objectives.rto: {RTO_MESSAGE}",
    ]
    assert Activity.objects.get(code="PAY").rto == 120


def test_the_model_file_warns_of_doubtful_objectives_naming_the_item(bank):
    def doubtful(data):
        pay = next(a for a in data["activities"] if a["code"] == "PAY")
        pay["objectives"].update(mtpd=480, rto=120, rpo=600)

    data = _model_file(doubtful)
    index = next(i for i, a in enumerate(data["activities"]) if a["code"] == "PAY")
    with translation.override("en"):
        report = import_model(data)
    assert Activity.objects.get(code="PAY").rpo == 600
    assert any(
        w.startswith(f"activities[{index}].objectives: The RPO is longer than the MTPD")
        for w in report.warnings
    ), report.warnings
