"""The continuity model as code: export, import, round trip, idempotence, errors by path."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.dependencies import modelio
from resilia.dependencies import services as deps
from resilia.dependencies.modelio import ModelFileError, dumps, export_model, import_model, loads
from resilia.dependencies.models import Activity, Dependency, ModelRevision, Resource
from resilia.dependencies.services import current_revision
from resilia.org import services as org
from resilia.org.models import Person, Site, Unit


@pytest.fixture
def model(org_tree, people):
    """The DC1|DC2 example of docs/model-format.md, with owners, a key person and alternates."""
    with request_context(source="test"):
        unit = org_tree["dept_a"]
        site = org.site_create(
            actor=None, code="DC-MAIN", name="主数据中心", name_en="Primary DC",
            kind="data_centre", address="云谷路16号", seat_capacity=40, unit=unit,
        )  # fmt: skip
        dc1 = deps.resource_create(
            actor=None, code="DC1", name="主数据中心", name_en="Primary data centre",
            kind="facility", unit=unit, site=site, criticality="critical", recovery_time=2880,
            redundancy="active_standby",
        )  # fmt: skip
        dc2 = deps.resource_create(
            actor=None, code="DC2", name="同城灾备中心", kind="facility", unit=unit,
            recovery_time=2880, alternates=[dc1],
        )  # fmt: skip
        deps.resource_update(actor=None, resource=dc1, alternates=[dc2])
        core = deps.resource_create(
            actor=None, code="CORE", name="核心业务系统", kind="application", unit=unit,
            owner=people["alice"], recovery_time=90, recovery_point=0,
            capability_tested_on="2024-11-16", capability_evidence="DR-2024-02",
            description="记账中枢\n多行说明",
        )  # fmt: skip
        dba = deps.resource_create(
            actor=None, code="KP-DBA", name="核心系统DBA", kind="key_person", unit=unit,
            person=people["bob"],
        )  # fmt: skip
        pay = deps.activity_create(
            actor=None, code="PAY", name="支付清算", name_en="Payments", unit=org_tree["dept_b"],
            owner=people["carol"], products="大额支付", mtpd=240, rto=120, rpo=0,
            mbco="大额支付恢复",
        )  # fmt: skip
        counter = deps.activity_create(
            actor=None, code="COUNTER", name="柜面业务", unit=org_tree["dept_b"], mtpd=480, rto=240
        )
        deps.dependency_create(actor=None, dependent=core, dependency=dc1, group="dc")
        deps.dependency_create(actor=None, dependent=core, dependency=dc2, group="dc")
        deps.dependency_create(actor=None, dependent=core, dependency=dba)
        deps.dependency_create(actor=None, dependent=pay, dependency=core)
        deps.dependency_create(
            actor=None, dependent=counter, dependency=core, tolerance=240, note="人工操作方案"
        )
        deps.dependency_create(actor=None, dependent=counter, dependency=pay, tolerance=60)
    return org_tree


def _wipe_to_people_only():
    """An empty model database: only the people the file refers to, in the file's root unit."""
    root = Unit.objects.get(code="GRP")
    Dependency.objects.all().delete()
    Resource.objects.all().delete()
    Activity.objects.all().delete()
    Site.objects.all().delete()
    Person.objects.update(unit=root, deputy=None)
    for unit in Unit.objects.exclude(pk=root.pk).order_by("-depth"):
        unit.delete()


def _import(text, language="en", **kwargs):
    with request_context(source="test"), translation.override(language):
        return import_model(loads(text), **kwargs)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_it_round_trips_export_import_into_an_empty_database_byte_for_byte(model, fmt):
    first = dumps(export_model(), fmt)
    _wipe_to_people_only()
    assert not Resource.objects.exists() and Unit.objects.count() == 1
    report = _import(first)
    assert report.created == {"unit": 4, "site": 1, "resource": 4, "activity": 2, "dependency": 6}
    assert dumps(export_model(), fmt) == first
    # Both formats carry the same structure.
    assert loads(dumps(export_model(), "json")) == loads(dumps(export_model(), "yaml"))


def test_it_exports_sorted_with_people_by_employee_number_only(model):
    data = export_model()
    assert [r["code"] for r in data["resources"]] == ["CORE", "DC1", "DC2", "KP-DBA"]
    assert data["people"] == [
        {"employee_no": "E001"},
        {"employee_no": "E002"},
        {"employee_no": "E003"},
    ]
    text = dumps(data)
    assert "13800000001" not in text and "zhang.wei" not in text  # no contact data
    core = data["resources"][0]
    assert list(core) == list(modelio.RESOURCE_KEYS)
    assert core["owner"] == "E001" and core["capability_tested_on"] == "2024-11-16"
    links = [(d["dependent"], d["dependency"], d.get("group")) for d in data["dependencies"]]
    assert links[:2] == [
        ("activity:COUNTER", "activity:PAY", None),
        ("activity:COUNTER", "resource:CORE", None),
    ]
    assert ("resource:CORE", "resource:DC1", "dc") in links
    assert "group" not in data["dependencies"][0]  # AND links carry no group key


def test_it_changes_nothing_and_writes_no_audit_event_when_imported_twice(model):
    text = dumps(export_model())
    events, revision = AuditEvent.objects.count(), current_revision()
    report = _import(text)
    assert report.change_count == 0 and report.changes == []
    assert AuditEvent.objects.count() == events
    assert current_revision() == revision


def test_it_audits_each_change_and_one_import_summary(model):
    data = export_model()
    data["activities"][1]["objectives"]["rto"] = 60  # PAY
    data["dependencies"][1]["tolerance"] = 300
    before = AuditEvent.objects.count()
    report = _import(json.dumps(data), source="model.json")
    assert report.updated == {"activity": 1, "dependency": 1}
    assert Activity.objects.get(code="PAY").rto == 60
    events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in events] == ["update", "update", "import"]
    assert events[0].changes == {"rto": [120, 60]} and events[0].source == "test"
    assert events[-1].changes["updated"] == {"activity": 1, "dependency": 1}
    assert events[-1].object_repr == "model.json"


def test_it_saves_nothing_when_one_link_is_bad(model):
    data = export_model()
    _wipe_to_people_only()
    data["dependencies"][-1]["dependency"] = "resource:DC9"
    events = AuditEvent.objects.count()
    with pytest.raises(ModelFileError) as exc:
        _import(json.dumps(data))
    assert [str(p) for p in exc.value.problems] == [
        "dependencies[5].dependency: unknown node resource:DC9"
    ]
    assert not Resource.objects.exists() and Unit.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_it_rolls_back_everything_when_a_service_refuses_a_link(model, monkeypatch):
    """A refusal met while applying (after units and resources were saved) undoes them too.

    The model's own validation refuses it, as the bulk service asks it for every link."""
    data = export_model()
    _wipe_to_people_only()
    real = Dependency.clean

    def refuse_last(self):
        if self.dependency.code == "PAY":
            raise ValidationError({"tolerance": ["refused for the test"]})
        return real(self)

    monkeypatch.setattr(Dependency, "clean", refuse_last)
    events = AuditEvent.objects.count()
    with pytest.raises(ModelFileError) as exc:
        _import(json.dumps(data))
    assert [str(p) for p in exc.value.problems] == [
        "dependencies[0].tolerance: refused for the test"
    ]
    assert not Resource.objects.exists() and not Site.objects.exists()
    assert Unit.objects.count() == 1 and AuditEvent.objects.count() == events


def test_it_changes_nothing_in_a_dry_run_but_reports_what_would_change(model):
    data = export_model()
    _wipe_to_people_only()
    events, revision = AuditEvent.objects.count(), ModelRevision.objects.first().revision
    report = _import(json.dumps(data), dry_run=True)
    assert report.dry_run and report.created["dependency"] == 6
    assert "create resource CORE" in report.changes
    assert not Resource.objects.exists() and Unit.objects.count() == 1
    assert AuditEvent.objects.count() == events
    assert ModelRevision.objects.first().revision == revision


def test_it_keeps_and_reports_extra_links_unless_pruning(model):
    data = export_model()
    data["dependencies"] = [d for d in data["dependencies"] if d["dependent"] != "activity:PAY"]
    data["activities"] = [a for a in data["activities"] if a["code"] != "COUNTER"]
    data["dependencies"] = [d for d in data["dependencies"] if "COUNTER" not in d["dependent"]]
    with translation.override("en"):
        report = _import(json.dumps(data))
    assert report.change_count == 0
    assert "link activity:PAY → resource:CORE is not in the file; kept (--prune deletes it)" in (
        report.warnings
    )
    assert "activity COUNTER is not in the file; kept (--prune deletes it)" in report.warnings
    assert Dependency.objects.count() == 6
    before = AuditEvent.objects.count()
    report = _import(json.dumps(data), prune=True)
    assert report.deleted == {"dependency": 3, "activity": 1}
    assert Dependency.objects.count() == 3 and not Activity.objects.filter(code="COUNTER").exists()
    actions = list(
        AuditEvent.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True)
    )
    assert actions.count("delete") == 4 and actions[-1] == "import"


def test_it_warns_about_dependency_cycles_but_imports_them(model):
    data = export_model()
    data["dependencies"].append({"dependent": "activity:PAY", "dependency": "activity:COUNTER"})
    with translation.override("en"):
        report = _import(json.dumps(data))
    assert report.created == {"dependency": 1}
    assert report.warnings == [
        "dependency cycle of 2 nodes: activity:PAY, activity:COUNTER"
    ] or report.warnings == ["dependency cycle of 2 nodes: activity:COUNTER, activity:PAY"]


def _problems(data) -> list[str]:
    with translation.override("en"), pytest.raises(ModelFileError) as exc:
        _import(json.dumps(data) if not isinstance(data, str) else data)
    return [str(p) for p in exc.value.problems]


def _link(data, dependent, dependency):
    return next(
        i
        for i, d in enumerate(data["dependencies"])
        if (d["dependent"], d["dependency"]) == (dependent, dependency)
    )


def test_it_names_the_path_and_reason_of_each_error(model):
    base = export_model()
    pay = next(i for i, a in enumerate(base["activities"]) if a["code"] == "PAY")
    core_dc1 = _link(base, "resource:CORE", "resource:DC1")

    def case(change):
        data = copy.deepcopy(base)
        change(data)
        return _problems(data)

    def rto(d):
        d["activities"][pay]["objectives"].update(mtpd=480, rto=600)

    assert case(rto) == ["activities[1].objectives.rto: The RTO must be shorter than the MTPD."]

    def self_link(d):
        d["dependencies"][0]["dependency"] = d["dependencies"][0]["dependent"]

    assert case(self_link) == ["dependencies[0]: A node cannot depend on itself."]

    def lonely(d):
        del d["dependencies"][core_dc1 + 1]  # CORE → DC2, the other member of "dc"

    assert case(lonely) == [
        f"dependencies[{core_dc1}].group: Redundancy group “dc” of resource:CORE has one member:"
        " it is not a redundancy."
    ]

    def negative(d):
        d["dependencies"][1]["tolerance"] = -5

    assert case(negative) == ["dependencies[1].tolerance: -5 is negative"]

    def absurd(d):
        d["activities"][pay]["objectives"]["mtpd"] = 99_999_999

    assert case(absurd) == [
        "activities[1].objectives.mtpd: 99999999 minutes is more than ten years"
    ]

    def duplicate(d):
        d["resources"].append(copy.deepcopy(d["resources"][0]))

    assert case(duplicate) == ["resources[4].code: duplicate CORE (first at resources[0])"]

    def duplicate_link(d):
        d["dependencies"].append(copy.deepcopy(d["dependencies"][0]))

    assert case(duplicate_link) == [
        "dependencies[6]: This link already exists: first at dependencies[0]."
    ]

    def unit_cycle(d):
        grp = next(u for u in d["units"] if u["code"] == "GRP")
        grp["parent"] = "DEPT-A"

    (message,) = case(unit_cycle)
    assert message.startswith("units[") and "the unit tree has a cycle: " in message
    assert "GRP" in message and "DEPT-A" in message

    def wrong_type(d):
        d["resources"][0]["recovery_time"] = "ninety"

    assert case(wrong_type) == ['resources[0].recovery_time: must be a whole number, not "ninety"']

    def unknown_person(d):
        d["resources"][0]["owner"] = "E999"

    assert case(unknown_person) == [
        "resources[0].owner: unknown person E999: list the employee number under people"
    ]

    def missing_person(d):
        d["people"].append({"employee_no": "E999"})

    assert case(missing_person) == [
        "people[3].employee_no: no person has the employee number E999 in the database"
    ]

    def structure(d):
        del d["activities"][0]["name"]
        d["activities"][0]["colour"] = "red"
        d["resources"][0]["kind"] = "building"
        d["dependencies"][0]["dependent"] = "process:PAY"

    assert case(structure) == [
        'resources[0].kind: "building" is not one of: application, infrastructure, data,'
        " facility, supplier, equipment, key_person, utility",
        "activities[0].colour: unknown field",
        "activities[0].name: this field is required",
        'dependencies[0].dependent: "process:PAY" is not a node: write activity:CODE or'
        " resource:CODE",
    ]

    def resource_needs_activity(d):
        d["dependencies"].append({"dependent": "resource:DC2", "dependency": "activity:PAY"})

    assert case(resource_needs_activity) == [
        "dependencies[6]: A resource can only depend on another resource."
    ]


def test_it_reports_format_and_rule_problems_in_one_run_and_saves_nothing(model):
    data = export_model()
    _wipe_to_people_only()
    data["resources"][0]["recovery_time"] = "ninety"  # refused by the JSON Schema
    data["dependencies"][0]["dependency"] = data["dependencies"][0]["dependent"]  # a rule
    events = AuditEvent.objects.count()
    assert _problems(data) == [
        'resources[0].recovery_time: must be a whole number, not "ninety"',
        "dependencies[0]: A node cannot depend on itself.",
    ]
    assert not Resource.objects.exists() and not Dependency.objects.exists()
    assert Unit.objects.count() == 1 and AuditEvent.objects.count() == events


def test_it_checks_the_well_formed_parts_and_skips_only_what_the_schema_refused(model):
    data = export_model()
    long_code = "X" * 51
    data["units"].append({"kind": "team", "colour": "red", "size": 3})
    data["resources"][0]["capability_tested_on"] = "16/11/2024"
    data["resources"].append({"code": long_code, "name": "Archive", "kind": "data"})
    data["activities"][0]["objectives"] = "four hours"
    data["dependencies"][1] = {"dependent": "process:COUNTER", "dependency": "resource:DC9"}
    data["dependencies"][4]["dependent"] = "resource:CORE!"  # CORE → DC2, of OR group "dc"
    data["dependencies"].append(
        {"dependent": "activity:PAY", "dependency": f"resource:{long_code}"}
    )
    assert _problems(data) == [
        # every missing and unknown field is named, once
        "units[5].code: this field is required",
        "units[5].colour: unknown field",
        "units[5].name: this field is required",
        "units[5].size: unknown field",
        # the schema's message only, not the date rule's as well
        'resources[0].capability_tested_on: "16/11/2024" is not a date (YYYY-MM-DD)',
        "resources[4].code: is longer than 50 characters",
        'activities[0].objectives: must be a mapping of fields, not "four hours"',
        # the malformed end is the schema's; the other end is still checked
        "dependencies[1].dependency: unknown node resource:DC9",
        'dependencies[1].dependent: "process:COUNTER" is not a node: write activity:CODE or'
        " resource:CODE",
        # no "OR group of one member" for CORE → DC1, nor "unknown node" for the long code
        'dependencies[4].dependent: "resource:CORE!" is not a node: write activity:CODE or'
        " resource:CODE",
    ]
    data = export_model()
    data["people"] = 5  # whose references cannot be checked at all
    assert _problems(data) == ["people: must be a list, not 5"]
    assert _problems("- 1\n- 2\n") == ["must be a mapping of fields, not [1, 2]"]


def test_it_reports_malformed_files_with_their_line(model):
    assert _problems("version: 1\nunits:\n  - code: [\n") == [
        "line 4, column 1: this is not valid YAML (expected the node content, but found"
        " '<stream end>')"
    ]
    (message,) = _problems('{\n  "version": 1,\n  "units": [,]\n}')
    assert message.startswith("line 3, column 13: this is not valid JSON")
    assert _problems("version: 2\n") == [
        "version: unsupported format version 2; this Resilia reads version 1"
    ]


def test_it_translates_the_messages(model):
    data = export_model()
    data["dependencies"][0]["dependency"] = "resource:DC9"
    with pytest.raises(ModelFileError) as exc:
        _import(json.dumps(data), language="zh-hans")
    assert str(exc.value.problems[0]) == "dependencies[0].dependency: 未知节点 resource:DC9"


def test_it_exports_and_imports_from_the_command_line(model, tmp_path):
    path = tmp_path / "model.json"
    call_command("model", "export", "--output", str(path), stderr=io.StringIO())
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1
    out = io.StringIO()
    call_command("model", "--language", "en", "import", str(path), "--dry-run", stdout=out)
    assert "Dry run: 0 to create, 0 to update, 0 to delete; nothing was changed." in out.getvalue()
    stdout = io.StringIO()
    call_command("model", "export", "--format", "yaml", stdout=stdout)
    assert stdout.getvalue() == dumps(export_model(), "yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text(stdout.getvalue().replace("rto: 120", "rto: 600"), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("model", "--language", "en", "import", str(bad))
    assert "activities[1].objectives.rto: The RTO must be shorter than the MTPD." in str(exc.value)
    assert "bad.yaml was not imported: 1 problem(s); nothing was changed." in str(exc.value)


def test_it_ships_a_schema_whose_choices_match_the_models():
    from jsonschema import Draft202012Validator

    from resilia.dependencies.modelio_checks import schema
    from resilia.org.models import UnitKind

    s = schema()
    Draft202012Validator.check_schema(s)
    props = s["$defs"]
    assert props["resource"]["properties"]["kind"]["enum"] == Resource.Kind.values
    assert props["resource"]["properties"]["redundancy"]["enum"] == Resource.Redundancy.values
    assert props["site"]["properties"]["kind"]["enum"] == Site.Kind.values
    assert props["unit"]["properties"]["kind"]["enum"] == UnitKind.values


def test_it_accepts_the_example_of_the_documentation():
    from pathlib import Path

    from resilia.dependencies.modelio_checks import check

    doc = Path(__file__).resolve().parents[3] / "docs" / "model-format.md"
    example = doc.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    data = loads(example)
    assert check(data, {"JH0031"}) == []
    assert dumps(data) == example  # the example is written exactly as export writes it
