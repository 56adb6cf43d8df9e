"""The `strategies` section of the model file (issue 11 item 9): options round-trip through
`resilia model export` / `import`, checked by the app's rules, all or nothing with the file."""

import copy

import pytest

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.dependencies.modelio import export_model, import_model
from resilia.dependencies.modelio_checks import ModelFileError
from resilia.strategies import services
from resilia.strategies.models import Option, Status
from resilia.strategies.tests.conftest import H, make_option


@pytest.fixture
def decided(setup, personas):
    hot = make_option(setup["db"], name="数据库热备", cost_once=2_000_000)
    make_option(setup["pay"], name="人工操作方案", kind="manual_workaround", recovery_time=2 * H)
    with request_context(source="test"):
        services.option_choose(actor=personas["manager"], option=hot, reason="满足RTO")
    return setup


def test_the_export_carries_every_option_with_its_decision(decided):
    items = export_model()["strategies"]["options"]
    hot = next(i for i in items if i["for"] == "resource:DB")
    assert (hot["name"], hot["status"], hot["decision_reason"], hot["cost_once"]) == (
        "数据库热备",
        "chosen",
        "满足RTO",
        "2000000.00",
    )
    assert {i["for"] for i in items} == {"resource:DB", "activity:PAY"}


def test_reimporting_the_export_changes_nothing(decided):
    data = export_model()
    with request_context(source="test"):
        report = import_model(copy.deepcopy(data))
    assert report.change_count == 0
    assert export_model() == data


def test_an_imported_file_moves_the_choice_and_adds_an_option(decided, personas):
    data = export_model()
    items = data["strategies"]["options"]
    next(i for i in items if i["for"] == "resource:DB").update(status="superseded")
    items.append({"for": "resource:DB", "name": "异地灾备", "kind": "alternate_site",
                  "recovery_time": 4 * H, "status": "chosen",
                  "decision_reason": "两地三中心"})  # fmt: skip
    with request_context(source="test"):
        report = import_model(data, actor=personas["manager"])
    assert (report.created["strategy options"], report.updated["strategy options"]) == (1, 1)
    new = Option.objects.get(name="异地灾备")
    assert (new.status, new.decided_by) == (Status.CHOSEN, personas["manager"])
    assert Option.objects.get(name="数据库热备").status == Status.SUPERSEDED
    assert AuditEvent.objects.filter(
        object_type="strategies.option", object_id=str(new.pk)
    ).exists()


@pytest.mark.parametrize(
    "change, path",
    [
        ({"for": "activity:NOPE"}, "strategies.options[0].for"),
        ({"kind": "teleport"}, "strategies.options[0].kind"),
        ({"status": "rejected", "decision_reason": ""}, "strategies.options[0].decision_reason"),
        ({"tested_on": "2026-01-01", "tested_recovery_time": 10},
         "strategies.options[0].tested_on"),
        ({"status": "chosen", "decision_reason": "x", "tested_on": "2999-01-01",
          "tested_recovery_time": 10}, "strategies.options[0].tested_on"),
    ],
)  # fmt: skip
def test_a_bad_option_refuses_the_whole_file(decided, change, path):
    data = export_model()
    item = next(i for i in data["strategies"]["options"] if i["for"] == "activity:PAY")
    data["strategies"]["options"] = [item] + [
        i for i in data["strategies"]["options"] if i is not item
    ]
    item.update(change)
    data["units"][0]["name"] = "改名了"
    before = AuditEvent.objects.count()
    with pytest.raises(ModelFileError) as caught, request_context(source="test"):
        import_model(data)
    assert path in [p.path for p in caught.value.problems]
    assert AuditEvent.objects.count() == before


def test_two_chosen_options_for_one_subject_are_refused(decided):
    data = export_model()
    data["strategies"]["options"].append(
        {
            "for": "resource:DB",
            "name": "另一方案",
            "kind": "monitoring",
            "status": "chosen",
            "decision_reason": "x",
        }  # fmt: skip
    )
    with pytest.raises(ModelFileError) as caught, request_context(source="test"):
        import_model(data)
    assert "strategies.options[2].status" in [p.path for p in caught.value.problems]
