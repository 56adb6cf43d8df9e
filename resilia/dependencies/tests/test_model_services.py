"""The dependency model's services: validation, audit, revision, and compilation for the engine."""

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError

from resilia.audit.models import AuditEvent
from resilia.dependencies import selectors
from resilia.dependencies import services as deps
from resilia.dependencies.models import Dependency, ModelRevision, Resource
from resilia.engine.whatif import whatif


@pytest.fixture
def bank(personas, org_tree):
    """Payments need the core banking system, which runs in either data centre (OR)."""
    actor = personas["manager"]
    unit = org_tree["dept_a"]
    dc1 = deps.resource_create(
        actor=actor, code="DC1", name="主数据中心", kind="facility", unit=unit, recovery_time=240
    )
    dc2 = deps.resource_create(
        actor=actor, code="DC2", name="同城灾备中心", kind="facility", unit=unit, recovery_time=480
    )
    core = deps.resource_create(
        actor=actor,
        code="CORE",
        name="核心业务系统",
        kind="application",
        unit=unit,
        recovery_time=60,
    )
    pay = deps.activity_create(
        actor=actor, code="PAY", name="支付清算", unit=unit, mtpd=480, rto=120, rpo=0
    )
    deps.dependency_create(actor=actor, dependent=core, dependency=dc1, group="dc")
    deps.dependency_create(actor=actor, dependent=core, dependency=dc2, group="dc")
    deps.dependency_create(actor=actor, dependent=pay, dependency=core)
    return {"actor": actor, "dc1": dc1, "dc2": dc2, "core": core, "pay": pay}


def test_it_compiles_the_database_model_for_the_engine(bank):
    """DOMAIN §4: active/standby data centres; one down stops nothing, both down stop payments."""
    graph, index, revision = selectors.compiled_graph()
    assert graph.n == 4 and graph.n_links == 3
    assert revision >= 7
    one = whatif(graph, ["resource:DC1"])
    assert [i.key for i in one] == ["resource:DC1"]
    both = whatif(graph, ["resource:DC1", "resource:DC2"])
    pay = next(i for i in both if i.key == "activity:PAY")
    assert pay.stop_at == 0
    # Back when the first data centre is back (240) and then the core system (another 0: it did
    # not fail itself), so the 120-minute RTO is breached at 120.
    assert pay.back_at == 240
    assert pay.rto_breach_at == 120 and pay.mtpd_breach_at is None


def test_it_recompiles_after_a_change_and_only_then(bank):
    graph1, _, rev1 = selectors.compiled_graph()
    graph2, _, rev2 = selectors.compiled_graph()
    assert graph1 is graph2 and rev1 == rev2
    deps.resource_update(actor=bank["actor"], resource=bank["dc2"], recovery_time=30)
    graph3, _, rev3 = selectors.compiled_graph()
    assert rev3 == rev1 + 1 and graph3 is not graph1


def test_it_derives_results_once_per_model_state(bank):
    calls = []

    def compute(graph):
        calls.append(graph)
        return graph.n

    model = selectors.compiled_model()
    assert model.derived("n", compute) == model.derived("n", compute) == 4
    assert selectors.compiled_model() is model and len(calls) == 1
    assert model.spof() is selectors.compiled_model().spof()
    # The same counter with another change time is another model: nothing carries over.
    stamp = ModelRevision.objects.get(pk=1)
    ModelRevision.objects.filter(pk=1).update(changed_at=stamp.changed_at + dt.timedelta(seconds=1))
    other = selectors.compiled_model()
    assert other is not model and other.revision == model.revision
    assert other.graph is not model.graph and other.spof() is not model.spof()
    other.derived("n", compute)
    assert calls == [model.graph, other.graph]


def test_it_computes_a_result_once_for_concurrent_callers(bank):
    model = selectors.compiled_model()
    calls = []
    gate = threading.Barrier(8)

    def compute(graph):
        calls.append(1)
        time.sleep(0.05)  # long enough for every other thread to ask meanwhile
        return object()

    def ask():
        gate.wait()
        return model.derived("slow", compute)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: ask(), range(8)))
    assert len(calls) == 1 and all(answer is answers[0] for answer in answers)


def test_it_stamps_every_revision_with_the_time_of_its_change(bank):
    before = ModelRevision.objects.get(pk=1)
    deps.resource_update(actor=bank["actor"], resource=bank["dc2"], recovery_time=30)
    after = ModelRevision.objects.get(pk=1)
    assert after.revision == before.revision + 1 and after.changed_at > before.changed_at


def test_it_refuses_a_self_link_and_saves_nothing(bank):
    before = (Dependency.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError):
        deps.dependency_create(actor=bank["actor"], dependent=bank["core"], dependency=bank["core"])
    assert (Dependency.objects.count(), AuditEvent.objects.count()) == before


def test_it_refuses_a_resource_depending_on_an_activity(bank):
    with pytest.raises(ValidationError):
        deps.dependency_create(actor=bank["actor"], dependent=bank["core"], dependency=bank["pay"])


def test_it_refuses_a_duplicate_link(bank):
    with pytest.raises(ValidationError):
        deps.dependency_create(actor=bank["actor"], dependent=bank["pay"], dependency=bank["core"])


def test_it_refuses_an_rto_longer_than_the_mtpd(bank):
    with pytest.raises(ValidationError) as exc:
        deps.activity_update(actor=bank["actor"], activity=bank["pay"], rto=600)
    assert "rto" in exc.value.message_dict


def test_it_reports_an_or_group_of_one(bank):
    deps.dependency_update(
        actor=bank["actor"],
        dependency=Dependency.objects.get(dependency_resource=bank["dc2"]),
        group="other",
    )
    lonely = selectors.lonely_or_groups()
    assert {row["group"] for row in lonely} == {"dc", "other"}


def test_it_deletes_a_resource_with_its_links_each_audited(bank):
    dc1_pk = bank["dc1"].pk
    deps.resource_delete(actor=bank["actor"], resource=bank["dc1"])
    assert not Resource.objects.filter(pk=dc1_pk).exists()
    assert not Dependency.objects.filter(dependency_resource_id=dc1_pk).exists()
    assert (
        AuditEvent.objects.filter(object_type="dependencies.dependency", action="delete").count()
        == 1
    )


def test_it_scopes_links_by_their_dependent(bank, personas):
    assert Dependency.objects.for_user(personas["coord_a"]).count() == 3
    assert Dependency.objects.for_user(personas["coord_b"]).count() == 0
    assert Dependency.objects.for_user(personas["auditor"]).count() == 3


def test_it_compiles_a_model_without_any_redundancy_group(personas, org_tree):
    """A model of AND links only (no OR group anywhere) compiles on every database."""
    actor = personas["manager"]
    unit = org_tree["dept_a"]
    app = deps.resource_create(
        actor=actor, code="APP", name="系统", kind="application", unit=unit, recovery_time=30
    )
    act = deps.activity_create(actor=actor, code="ACT", name="业务", unit=unit, rto=60)
    deps.dependency_create(actor=actor, dependent=act, dependency=app)
    graph, _, _ = selectors.compiled_graph()
    assert graph.n == 2 and graph.n_links == 1 and not graph.link_or.any()
