"""Worked examples from the seeds and DOMAIN.md, one rule per test."""

from __future__ import annotations

import numpy as np
import pytest

from resilia.engine import (
    ACTIVITY,
    Link,
    ModelError,
    Node,
    compile_arrays,
    compile_model,
    gaps,
    recovery_bound,
    recovery_order,
    spof,
    spof_breaks,
    whatif,
)


def _bank(tolerance: float = 0.0):
    """Payment activity (RTO 60, MTPD 240) on a core system hosted active/standby in the data
    centre (数据中心, 2 h to recover) and the disaster-recovery centre (灾备中心, 10 h)."""
    nodes = [
        Node("payment", ACTIVITY, rto=60, rpo=15, mtpd=240),
        Node("core", recovery_time=30, recovery_point=5),
        Node("dc", recovery_time=120),
        Node("drc", recovery_time=600),
    ]
    links = [
        Link("payment", "core", tolerance=tolerance),
        Link("core", "dc", group="site"),
        Link("core", "drc", group="site"),
    ]
    return compile_model(nodes, links)


def test_it_keeps_the_activity_running_when_one_of_two_redundant_data_centres_fails():
    """Seed 000: core systems active/standby "避免单点故障" — one member of the OR group down
    does not stop the dependent."""
    result = whatif(_bank(), ["dc"]).by_key()
    assert set(result) == {"dc"}
    assert result["dc"].back_at == 120


def test_it_stops_the_activity_when_both_data_centres_fail_and_reports_the_breaches():
    """An OR group is down while all its members are: both sites down stops the core system and
    the payment activity at T0; the group is back with its first member (dc at 120 min), which
    is past the RTO (60) but within the MTPD (240)."""
    result = whatif(_bank(), ["dc", "drc"]).by_key()
    payment = result["payment"]
    assert (payment.stop_at, payment.back_at) == (0, 120)
    assert payment.rto_breach_at == 60
    assert payment.mtpd_breach_at is None
    assert payment.cause == (("core", "dc"), ("payment", "core"))


def test_it_delays_the_stop_by_a_four_hour_manual_workaround():
    """Seed 000 "人工操作方案": a manual workaround tolerating the core system's absence for 4 h
    delays the activity's stop by 240 min; an RTO breach is counted from that stop."""
    nodes = [
        Node("payment", ACTIVITY, rto=60, mtpd=240),
        Node("core", recovery_time=480),
    ]
    graph = compile_model(nodes, [Link("payment", "core", tolerance=240)])
    payment = whatif(graph, ["core"]).by_key()["payment"]
    assert (payment.stop_at, payment.back_at) == (240, 480)
    assert payment.rto_breach_at == 300
    assert payment.mtpd_breach_at is None


def test_it_does_not_stop_an_activity_whose_dependency_returns_within_the_tolerance():
    """A dependency back before the tolerance runs out never takes its dependent down."""
    nodes = [Node("payment", ACTIVITY, rto=60), Node("core", recovery_time=30)]
    graph = compile_model(nodes, [Link("payment", "core", tolerance=240)])
    assert [impact.key for impact in whatif(graph, ["core"])] == ["core"]


def test_it_reports_an_unknown_recovery_as_never_back():
    """A failed resource without a tested recovery time has no known return: back_at is None
    and every objective of what depends on it is breached."""
    nodes = [Node("payment", ACTIVITY, rto=60, mtpd=240), Node("supplier")]
    graph = compile_model(nodes, [Link("payment", "supplier")])
    payment = whatif(graph, ["supplier"]).by_key()["payment"]
    assert payment.back_at is None
    assert (payment.rto_breach_at, payment.mtpd_breach_at) == (60, 240)


def test_it_orders_recovery_by_rto_then_rpo_ascending():
    """Seed 000 BIA step 6: "按照RTO和RPO由小到大顺序排列业务功能的恢复优先级"."""
    nodes = [
        Node("clearing", ACTIVITY, rto=120, rpo=30),
        Node("counter", ACTIVITY, rto=60, rpo=60),
        Node("payment", ACTIVITY, rto=60, rpo=15),
        Node("reporting", ACTIVITY),
    ]
    assert recovery_order(compile_model(nodes, [])).keys() == [
        "payment",
        "counter",
        "clearing",
        "reporting",
    ]


def test_it_restores_dependencies_first_with_the_urgency_of_their_dependents():
    """Dependencies come before dependents; a resource inherits the strictest RTO needing it,
    so the payment system (needed within 30 min) precedes the file share (480 min)."""
    nodes = [
        Node("archive", ACTIVITY, rto=480),
        Node("payment", ACTIVITY, rto=30),
        Node("file-share"),
        Node("payment-system"),
        Node("dc"),
    ]
    links = [
        Link("archive", "file-share"),
        Link("payment", "payment-system"),
        Link("file-share", "dc"),
        Link("payment-system", "dc"),
    ]
    assert recovery_order(compile_model(nodes, links)).keys() == [
        "dc",
        "payment-system",
        "payment",
        "file-share",
        "archive",
    ]


def test_it_reports_cycles_and_what_they_block_instead_of_looping():
    """A dependency cycle has no valid order: its members and their dependents are reported."""
    nodes = [Node("a", ACTIVITY, rto=60), Node("x"), Node("y"), Node("z"), Node("ok")]
    links = [Link("x", "y"), Link("y", "x"), Link("a", "x"), Link("z", "z")]
    result = recovery_order(compile_model(nodes, links))
    assert result.cycle_keys() == [["x", "y"], ["z"]]
    assert result.blocked_keys() == ["a"]
    assert result.keys() == ["ok"]


def test_it_finds_a_resource_slower_than_the_strictest_rto_depending_on_it():
    """Seed 002 target "关键数据2小时内恢复": a backup restored in 4 h under an activity with a
    2 h RTO is a gap, reported with the activity imposing it; the same backup's 15 min recovery
    point meets a 15 min RPO."""
    nodes = [
        Node("settlement", ACTIVITY, rto=120, rpo=15),
        Node("reporting", ACTIVITY, rto=1440),
        Node("backup", recovery_time=240, recovery_point=15),
    ]
    links = [Link("settlement", "backup"), Link("reporting", "backup")]
    found = gaps(compile_model(nodes, links))
    assert [(g.key, g.measure, g.capability, g.objective, g.activity) for g in found.resources] == [
        ("backup", "recovery_time", 240, 120, "settlement")
    ]
    assert [(g.key, g.rto, g.bound, g.limited_by) for g in found.activities] == [
        ("settlement", 120, 240, "backup")
    ]


def test_it_relaxes_the_required_recovery_by_a_workaround_tolerance():
    """A 4 h manual workaround gives the resource RTO + 240 min before the activity breaches."""
    nodes = [Node("payment", ACTIVITY, rto=60), Node("core", recovery_time=240)]
    graph = compile_model(nodes, [Link("payment", "core", tolerance=240)])
    assert gaps(graph).resources == []
    assert gaps(graph).activities == []


def test_it_bounds_an_or_group_by_its_fastest_member():
    """With active/standby sites the activity's recovery bound is the faster site's."""
    found = gaps(_bank())
    assert [(g.key, g.bound, g.limited_by) for g in found.activities] == [("payment", 120, "dc")]


def test_it_ranks_single_points_of_failure_and_honours_redundancy():
    """Redundant sites are not single points of failure; the core system and an unbacked key
    person (关键人员备份 missing) are, ranked by the prioritised activities they break."""
    nodes = [
        Node("payment", ACTIVITY, rto=60),
        Node("clearing", ACTIVITY, rto=30),
        Node("core", recovery_time=30),
        Node("dc"),
        Node("drc"),
        Node("li", key_person=True),
        Node("wang", key_person=True),
        Node("zhao", key_person=True),
    ]
    links = [
        Link("payment", "core"),
        Link("clearing", "core"),
        Link("core", "dc", group="site"),
        Link("core", "drc", group="site"),
        Link("clearing", "li"),
        Link("payment", "wang", group="ops"),
        Link("payment", "zhao", group="ops"),
    ]
    graph = compile_model(nodes, links)
    report = spof(graph)
    assert [(s.key, s.breaks, s.strictest_rto) for s in report.spofs] == [
        ("core", 2, 30),
        ("li", 1, 30),
    ]
    assert [s.key for s in report.key_persons] == ["li"]
    assert spof_breaks(graph, "core") == ["clearing", "payment"]


def test_it_rejects_inconsistent_models_with_a_clear_error():
    """Unknown keys, duplicates and negative or infinite tolerances are refused at compile."""
    with pytest.raises(ModelError, match="unknown node"):
        compile_model([Node("a")], [Link("a", "b")])
    with pytest.raises(ModelError, match="duplicate"):
        compile_model([Node("a"), Node("a")], [])
    with pytest.raises(ModelError, match="tolerance"):
        compile_model([Node("a"), Node("b")], [Link("a", "b", tolerance=-1)])
    with pytest.raises(ModelError, match="negative rto"):
        compile_model([Node("a", ACTIVITY, rto=-5)], [])
    with pytest.raises(ModelError, match="unknown node"):
        whatif(compile_model([Node("a")], []), ["nope"])


def test_it_compiles_arrays_to_the_same_graph_as_records():
    """The vectorised entry point and the record entry point agree (keys default to ids)."""
    graph = compile_arrays(
        kind=np.array([0, 1, 1, 1]),
        dependent=np.array([0, 1, 1]),
        dependency=np.array([1, 2, 3]),
        group=np.array([-1, 7, 7]),
        rto=np.array([60, np.nan, np.nan, np.nan]),
        recovery_time=np.array([np.nan, 30, 120, 600]),
    )
    assert graph.nbytes > 0
    result = whatif(graph, [2, 3]).by_key()
    assert (result["0"].stop_at, result["0"].back_at, result["0"].rto_breach_at) == (0, 120, 60)


def test_it_tells_one_activity_whether_its_rto_can_be_met_and_what_limits_it():
    """The activity page's answer (docs/engine.md, activity gaps): payment (RTO 60) cannot be
    back before the data centre (120, the faster of the OR group); with a 90-minute workaround
    on the core system the bound drops to 30 and the RTO is met."""
    graph = _bank()
    answer = recovery_bound(graph, graph.index("payment"))
    assert (answer.rto, answer.bound, answer.achievable, answer.limited_by) == (
        60,
        120,
        False,
        "dc",
    )
    assert answer.limited_by == gaps(graph).activities[0].limited_by
    relaxed = _bank(tolerance=90)
    answer = recovery_bound(relaxed, relaxed.index("payment"))
    assert (answer.bound, answer.achievable) == (30, True)
