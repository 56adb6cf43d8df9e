"""The demo bank's dependency model and the synthetic scale model of `resilia demo --scale N`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.demo.dependencies import LINKS, load_dependencies
from resilia.demo.scale import load_scale
from resilia.demo.scale_model import load_scale_model
from resilia.demo.standard import load_standard
from resilia.dependencies.models import Activity, Dependency, Resource
from resilia.dependencies.selectors import compile_from_database, lonely_or_groups
from resilia.engine import gaps, spof, whatif
from resilia.engine.order import cycles


@pytest.fixture
def demo_bank(db):
    with request_context(source="cli"):
        load_standard(password="Demo-Password-42!")
        return load_dependencies()


def test_it_loads_the_demo_dependency_model_once(demo_bank):
    assert demo_bank["activities"] == 20 and demo_bank["resources"] >= 35
    links = Dependency.objects.count()
    assert links == demo_bank["links"] > 100
    events = AuditEvent.objects.count()
    with request_context(source="cli"):
        again = load_dependencies()
    assert again == demo_bank
    assert AuditEvent.objects.count() == events  # nothing changed, nothing written
    assert (Activity.objects.count(), Dependency.objects.count()) == (20, links)
    created = AuditEvent.objects.filter(object_type="dependencies.resource", action="create")
    assert created.count() == Resource.objects.count()
    assert set(created.values_list("source", flat=True)) == {"cli"}


def test_it_gives_the_analysis_something_to_show(demo_bank):
    graph, _index = compile_from_database()
    assert not lonely_or_groups() and not cycles(graph)
    assert {"dc", "carrier", "dba"} <= set(graph.group_names.values())
    report = spof(graph)
    spofs = {s.key for s in report.spofs}
    assert "resource:CNAPS" in spofs  # the PBOC payment system: nobody can replace it
    assert "resource:DC1" in spofs  # systems that run in the primary data centre only
    assert "resource:DC2" not in spofs  # the standby alone breaks nothing
    assert "resource:KP-NET" in {s.key for s in report.key_persons}
    found = gaps(graph)
    assert any(g.key == "resource:MBANK-SYS" for g in found.resources)
    assert any(g.key == "activity:MBANK" for g in found.activities)
    # Either data centre alone: the core system switches over, payments keep running.
    one_dc = {i.key for i in whatif(graph, ["resource:DC2"])}
    assert "activity:PAY" not in one_dc
    # The manual workaround keeps the counters open for four hours without the core system;
    # the core system alone recovers in 90 minutes, within the workaround: counters never stop.
    assert "activity:COUNTER" not in {i.key for i in whatif(graph, ["resource:CORE"])}
    both = whatif(graph, ["resource:DC1", "resource:DC2"])
    counter = next(i for i in both if i.key == "activity:COUNTER")
    assert counter.stop_at == 240


def test_it_has_english_names_for_every_demo_node(demo_bank):
    assert not Activity.objects.filter(name_en="").exists()
    assert not Resource.objects.filter(name_en="").exists()
    assert any(note for _d, _n, _t, note in LINKS if "人工操作方案" in note)


def test_it_builds_a_scale_model_of_about_n_nodes_and_5n_links(db):
    with request_context(source="cli"):
        load_scale(people=200)
        before = AuditEvent.objects.count()
        summary = load_scale_model(nodes=2000)
    assert summary["skipped"] == 0
    assert summary["activities"] == Activity.objects.count() == 200
    assert Activity.objects.count() + Resource.objects.count() == 2000
    links = Dependency.objects.count()
    assert links == summary["links"] and 4.5 * 2000 <= links <= 5.5 * 2000
    (event,) = AuditEvent.objects.filter(seq__gt=before)
    assert event.action == "import" and event.changes["links"] == links
    graph, _index = compile_from_database()
    assert graph.n == 2000 and graph.n_links == links
    assert not lonely_or_groups()
    assert len(cycles(graph)) == 2 and graph.group_names
    assert len(whatif(graph, ["resource:SYN-R0000001"])) > 100  # a data centre reaches far
    assert not Activity.objects.filter(rto__gt=models_f("mtpd")).exists()
    # A second run creates nothing; ordinary creation still works after the reserved keys.
    with request_context(source="cli"):
        assert load_scale_model(nodes=2000) == {"skipped": 1}
    assert Dependency.objects.count() == links
    assert Activity.objects.create(code="AFTER", name="after", unit=Activity.objects.first().unit)


def models_f(name):
    from django.db.models import F

    return F(name)


def test_it_reports_the_scale_load_from_the_command_line(db):
    out = io.StringIO()
    call_command("demo", "--scale", "300", stdout=out)
    assert "Loaded 30 activities, 270 resources and" in out.getvalue()
    assert "peak memory" in out.getvalue()
