"""The bulk creates of the dependency model (issue 8, finding 3): the same verdicts and
messages as the per-object services, one audit event per object, a bounded query count."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from resilia.audit.models import AuditEvent
from resilia.audit.services import audit_verify
from resilia.core import bulk
from resilia.core.context import request_context
from resilia.core.services import BulkValidationError
from resilia.core.trail import diff, snapshot
from resilia.dependencies import services as deps
from resilia.dependencies.modelio import export_model, import_model
from resilia.dependencies.models import Activity, Dependency, ModelRevision, Resource
from resilia.org import services as org

pytestmark = pytest.mark.django_db


def _refusal(create, **fields) -> dict[str, list[str]]:
    """What the per-object service answers (nothing saved)."""
    with pytest.raises(ValidationError) as exc:
        create(actor=None, **fields)
    return exc.value.message_dict


def _bulk_refusals(create_many, items) -> dict[int, dict[str, list[str]]]:
    with pytest.raises(BulkValidationError) as exc:
        create_many(actor=None, items=items)
    return {i: e.message_dict for i, e in exc.value.errors.items()}


def _gone_unit():
    """A unit read by someone, then deleted: its object still names its old pk."""
    with request_context(source="test"):
        unit = org.unit_create(actor=None, code="GONE", name="已撤销", kind="department")
        pk = unit.pk
        org.unit_delete(actor=None, unit=unit)
    unit.pk = pk
    return unit


RESOURCE_CASES = {
    # A capability test dated in the future (rules.tested_on_error, standards.md: no
    # evidence of a test that has not happened).
    "future test": {"capability_tested_on": dt.date(2999, 1, 1)},
    "code format": {"code": "有 空格"},
    "kind not a choice": {"kind": "spaceship"},
    "name too long": {"name": "长" * 300},
    "negative minutes": {"recovery_time": -5},
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("case", sorted(RESOURCE_CASES))
def test_a_bulk_resource_is_refused_with_the_per_object_message(org_tree, case, language):
    valid = {"code": "R1", "name": "核心系统", "kind": "application", "unit": org_tree["dept_a"]}
    fields = {**valid, **RESOURCE_CASES[case]}
    events = AuditEvent.objects.count()
    with translation.override(language), request_context(source="test"):
        one = _refusal(deps.resource_create, **fields)
        many = _bulk_refusals(deps.resource_create_many, [{**valid, "code": "OK1"}, fields])
    assert one
    # The valid first item is not named; the second gets the messages of resource_create.
    assert many == {1: one}
    assert not Resource.objects.exists() and AuditEvent.objects.count() == events


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_taken_or_repeated_code_is_refused_as_one_by_one(org_tree, language):
    unit = org_tree["dept_a"]
    with request_context(source="test"):
        deps.resource_create(actor=None, code="CORE", name="核心", kind="application", unit=unit)
    fields = {"name": "另一个", "kind": "application", "unit": unit}
    with translation.override(language), request_context(source="test"):
        taken = _refusal(deps.resource_create, code="CORE", **fields)
        many = _bulk_refusals(
            deps.resource_create_many,
            [{"code": "CORE", **fields}, {"code": "NEW", **fields}, {"code": "NEW", **fields}],
        )
    # The second NEW is refused as resource_create would refuse it after the first was saved.
    assert many == {0: taken, 2: taken}
    assert list(Resource.objects.values_list("code", flat=True)) == ["CORE"]


def test_a_unit_that_no_longer_exists_is_refused_as_one_by_one(org_tree):
    gone = _gone_unit()
    fields = {"code": "R1", "name": "系统", "kind": "application", "unit": gone}
    with translation.override("zh-hans"), request_context(source="test"):
        one = _refusal(deps.resource_create, **fields)
        many = _bulk_refusals(deps.resource_create_many, [fields])
    assert "unit" in one and many == {0: one}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_bulk_activity_with_an_rto_not_shorter_than_the_mtpd_is_refused_alike(org_tree, language):
    """ISO 22300 (standards.md §1.10): the RTO is strictly shorter than the MTPD; an RTO
    equal to the MTPD is refused by the bulk path with the per-object message."""
    fields = {"code": "PAY", "name": "支付", "unit": org_tree["dept_a"], "mtpd": 240, "rto": 240}
    with translation.override(language), request_context(source="test"):
        one = _refusal(deps.activity_create, **fields)
        many = _bulk_refusals(deps.activity_create_many, [fields])
    assert many == {0: one}
    assert set(one) == {"rto"}
    assert not Activity.objects.exists()


@pytest.fixture
def nodes(org_tree):
    unit = org_tree["dept_a"]
    with request_context(source="test"):
        pay = deps.activity_create(actor=None, code="PAY", name="支付", unit=unit)
        core = deps.resource_create(actor=None, code="CORE", name="核心", kind="application")
        dc = deps.resource_create(actor=None, code="DC", name="机房", kind="facility")
        deps.dependency_create(actor=None, dependent=pay, dependency=core)
    return {"pay": pay, "core": core, "dc": dc}


LINK_CASES = {
    "self-link": ("core", "core"),
    "resource needs an activity": ("core", "pay"),
    "link already in the database": ("pay", "core"),  # a constraint: the database refuses it
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("case", sorted(LINK_CASES))
def test_a_bulk_link_is_refused_with_the_per_object_message(nodes, case, language):
    a, b = (nodes[k] for k in LINK_CASES[case])
    links, events = Dependency.objects.count(), AuditEvent.objects.count()
    with translation.override(language), request_context(source="test"):
        with pytest.raises(ValidationError) as exc:
            deps.dependency_create(actor=None, dependent=a, dependency=b)
        with pytest.raises(BulkValidationError) as many:
            deps.dependency_create_many(
                actor=None, links=[(nodes["pay"], nodes["dc"], {}), (a, b, {"tolerance": 5})]
            )
    # The same messages, each once: resource_create's full_clean() says "a resource can only
    # depend on another resource" twice (the rule in clean() and the table's CHECK, which
    # the bulk path leaves to the database), the bulk path once.
    (refused,) = many.value.errors.values()
    assert list(many.value.errors) == [1]
    assert {k: sorted(set(v)) for k, v in refused.message_dict.items()} == {
        k: sorted(set(v)) for k, v in exc.value.message_dict.items()
    }
    assert Dependency.objects.count() == links and AuditEvent.objects.count() == events


def test_a_link_stated_twice_in_one_bulk_is_refused_at_its_second_statement(nodes):
    with translation.override("zh-hans"), request_context(source="test"):
        with pytest.raises(BulkValidationError) as many:
            deps.dependency_create_many(
                actor=None,
                links=[(nodes["pay"], nodes["dc"], {}), (nodes["pay"], nodes["dc"], {})],
            )
        deps.dependency_create(actor=None, dependent=nodes["pay"], dependency=nodes["dc"])
        with pytest.raises(ValidationError) as one:
            deps.dependency_create(actor=None, dependent=nodes["pay"], dependency=nodes["dc"])
    assert {i: e.message_dict for i, e in many.value.errors.items()} == {1: one.value.message_dict}


def test_each_bulk_created_object_has_its_own_audit_event_with_its_snapshot(org_tree, people):
    revision = ModelRevision.objects.values_list("revision", flat=True).first() or 0
    before = AuditEvent.objects.count()
    n = bulk.BATCH + 20  # two batches
    with request_context(source="cli"):
        resources = deps.resource_create_many(
            actor=None,
            items=[
                {"code": f"R{i}", "name": f"系统{i}", "kind": "application",
                 "unit": org_tree["dept_a"], "owner": people["alice"], "recovery_time": 60}
                for i in range(n)
            ],
        )  # fmt: skip
    assert Resource.objects.count() == n
    assert AuditEvent.objects.count() == before + n
    assert ModelRevision.objects.get(pk=1).revision == revision + 1  # bumped once
    for resource in (resources[0], resources[bulk.BATCH], resources[-1]):
        resource.refresh_from_db()
        # The object's history tab: its creation, with every field, from the CLI.
        (event,) = AuditEvent.objects.for_object(resource)
        assert event.action == "create" and event.source == "cli"
        assert event.object_repr == str(resource)
        assert event.changes == diff({}, snapshot(resource))
        assert event.changes["owner_id"] == [None, people["alice"].pk]
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert audit_verify(checkpoint_dir=None).ok


def test_alternates_set_in_bulk_are_audited_as_one_by_one(nodes):
    core, dc = nodes["core"], nodes["dc"]
    with request_context(source="test"):
        changed = deps.resource_set_alternates_many(
            actor=None, alternates=[(core, [dc]), (dc, [core, dc])]
        )
        again = deps.resource_set_alternates_many(actor=None, alternates=[(core, [dc])])
    assert changed == 2 and again == 0
    assert list(core.alternates.all()) == [dc] and list(dc.alternates.all()) == [core]
    event = AuditEvent.objects.for_object(dc).order_by("-seq").first()
    assert event.action == "update" and event.changes == {"alternates": [[], [core.pk]]}
    assert audit_verify(checkpoint_dir=None).ok


def _model_file(n_res: int, n_act: int, n_links: int) -> dict:
    data = {
        "version": 1,
        "units": [{"code": "U1", "name": "运营部", "kind": "department"}],
        "resources": [
            {"code": f"R{i}", "name": f"资源{i}", "kind": "application", "unit": "U1"}
            for i in range(n_res)
        ],
        "activities": [
            {
                "code": f"A{i}",
                "name": f"活动{i}",
                "unit": "U1",
                "objectives": {"mtpd": 480, "rto": 120},
            }
            for i in range(n_act)
        ],  # fmt: skip
        "dependencies": [
            {"dependent": f"activity:A{i % n_act}", "dependency": f"resource:R{i % n_res}"}
            for i in range(n_links)
        ],
    }
    return data


def _inserts(n: int, model) -> int:
    """INSERT statements of n rows in batches of bulk.BATCH, as the backend splits them
    (SQLite binds at most 999 variables a statement: ~60 rows of 16 columns)."""
    columns = [f for f in model._meta.concrete_fields if not f.primary_key]
    per = min(bulk.BATCH, connection.ops.bulk_batch_size(columns, range(bulk.BATCH)))
    return sum(math.ceil(len(chunk) / per) for chunk in _chunks(n))


def _chunks(n: int) -> list[range]:
    return [range(i, min(n, i + bulk.BATCH)) for i in range(0, n, bulk.BATCH)]


def test_a_first_import_applies_in_a_bounded_number_of_queries(db):
    """Applying N creates takes O(N / batch) queries, not several per item (it took ten an
    item, ~22,000 here): 2,221 items in fewer than a tenth of that."""
    sizes = {Resource: 600, Activity: 520, Dependency: 1100}
    data = _model_file(n_res=600, n_act=520, n_links=1100)
    items = 1 + sum(sizes.values())
    with request_context(source="cli"), CaptureQueriesContext(connection) as queries:
        report = import_model(data, source="bulk.yaml")
    assert report.created == {"unit": 1, "resource": 600, "activity": 520, "dependency": 1100}
    # Per batch: a query per foreign key and unique field and the chain head; the objects'
    # and the events' INSERTs as the backend splits them; a few savepoints; plus the reads
    # of the prepare and the stamp and the unit's per-object create (~40).
    bound = 40 + sum(
        10 * len(_chunks(n)) + _inserts(n, model) + _inserts(n, AuditEvent)
        for model, n in sizes.items()
    )
    assert len(queries) <= bound, len(queries)
    assert len(queries) < items / 10
    assert AuditEvent.objects.filter(action="create").count() == items
    assert audit_verify(checkpoint_dir=None).ok
    assert export_model()["dependencies"][0] == {
        "dependent": "activity:A0", "dependency": "resource:R0", "tolerance": 0, "note": ""
    }  # fmt: skip


def test_a_bulk_created_object_is_validated_against_today(org_tree):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)  # clock skew: allowed
    with request_context(source="test"):
        (resource,) = deps.resource_create_many(
            actor=None,
            items=[{"code": "R1", "name": "系统", "kind": "application",
                    "capability_tested_on": tomorrow}],
        )  # fmt: skip
    assert resource.pk and resource.capability_tested_on == tomorrow
