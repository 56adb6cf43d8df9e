"""Worked examples of a plan's critical path (resilia.engine.plans)."""

import pytest

from resilia.engine.plans import PlanGraphError, Step, schedule


def test_it_schedules_the_network_interruption_drill():
    """Seed 000, 网络中断应急演练: detect (10) -> report (5) -> switch to the backup line (20)
    while the helpdesk informs the branches (15) -> verify the business (15).

    Best case: 10 + 5 + 20 + 15 = 50 min along detect, report, switch, verify; the notice
    runs in parallel (5 min of slack). Worst case, one after the other: 65 min."""
    s = schedule(
        [
            Step("detect", 10),
            Step("report", 5, ("detect",)),
            Step("switch", 20, ("report",), ("payments",)),
            Step("notify", 15, ("report",)),
            Step("verify", 15, ("switch", "notify"), ("payments",)),
        ]
    )
    assert s.best == 50
    assert s.worst == 65
    assert s.critical_path == ["detect", "report", "switch", "verify"]
    assert s.start["notify"] == 15 and s.finish["notify"] == 30
    assert s.targets["payments"] == {
        "best": 50,
        "worst": 65,
        "critical_path": ["detect", "report", "switch", "verify"],
    }


def test_it_computes_each_target_from_the_steps_it_needs():
    """Two activities recovered by independent branches: each has its own best case, worst
    case (only the steps it needs) and critical path; the plan's is the longer branch."""
    s = schedule(
        [
            Step("a", 30),
            Step("b", 60, ("a",), ("core",)),
            Step("c", 20),
            Step("d", 10, ("c",), ("mail",)),
        ]
    )
    assert s.best == 90 and s.critical_path == ["a", "b"]
    assert s.targets["core"]["best"] == 90 and s.targets["core"]["worst"] == 90
    assert s.targets["mail"] == {"best": 30, "worst": 30, "critical_path": ["c", "d"]}


def test_it_handles_no_steps_and_parallel_starts():
    assert schedule([]).best == 0
    s = schedule([Step("x", 40), Step("y", 25)])
    assert s.best == 40 and s.worst == 65 and s.critical_path == ["x"]


def test_it_refuses_a_step_waiting_for_itself():
    with pytest.raises(PlanGraphError) as exc:
        schedule([Step("a", 5, ("a",))])
    assert exc.value.kind == "self" and exc.value.steps == ["a"]


def test_it_refuses_a_cycle_naming_its_steps():
    with pytest.raises(PlanGraphError) as exc:
        schedule([Step("a", 5, ("c",)), Step("b", 5, ("a",)), Step("c", 5, ("b",))])
    assert exc.value.kind == "cycle"
    assert set(exc.value.steps) == {"a", "b", "c"}
    assert exc.value.steps[0] == exc.value.steps[-1]


def test_it_refuses_an_unknown_predecessor_and_duplicates():
    with pytest.raises(PlanGraphError) as exc:
        schedule([Step("a", 5, ("zz",))])
    assert exc.value.kind == "unknown" and exc.value.missing == "zz"
    with pytest.raises(PlanGraphError) as exc:
        schedule([Step("a", 5), Step("a", 6)])
    assert exc.value.kind == "duplicate"


def test_it_scales_to_a_long_chain_without_recursion():
    steps = [Step("s0", 1)] + [Step(f"s{i}", 1, (f"s{i - 1}",)) for i in range(1, 5000)]
    s = schedule(steps)
    assert s.best == 5000 and len(s.critical_path) == 5000


def test_projection_from_actual_progress():
    """Issue 13 item 4: the critical path recomputed from actual progress. a (30) and b (60)
    run in parallel, c (20) waits for both. At minute 40: a finished at 25, b started at 10
    (due at 70), c not started: c starts at 70 and ends at 90. At minute 80, b still running
    is late: it is expected now, and c at 100."""
    from resilia.engine.plans import Step, project

    steps = [Step("a", 30, targets=("PAY",)), Step("b", 60), Step("c", 20, ("a", "b"), ("PAY",))]
    p = project(steps, now=40, started={"a": 0, "b": 10}, finished={"a": 25})
    assert p.finish == {"a": 25, "b": 70, "c": 90} and p.end == 90 and p.late == []
    assert p.targets == {"PAY": 90}
    p = project(steps, now=80, started={"a": 0, "b": 10}, finished={"a": 25})
    assert p.finish["b"] == 80 and p.finish["c"] == 100 and p.late == ["b"]
    p = project(steps, now=5, skipped=["b"])
    assert p.finish == {"a": 35, "b": 0, "c": 55}
