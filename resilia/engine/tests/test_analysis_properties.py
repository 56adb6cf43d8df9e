"""Recovery order, gaps and single points of failure agree with the reference on random models."""

from __future__ import annotations

import math

import networkx as nx
from hypothesis import given, settings

from resilia.engine import compile_model, gaps, recovery_order, required_objectives, spof
from resilia.engine.tests import reference
from resilia.engine.tests.strategies import models

EXAMPLES = 250


def _sort_key(graph, v):
    required = required_objectives(graph)
    mtpd = graph.mtpd[v]
    return (
        required.rto[v],
        required.rpo[v],
        math.inf if math.isnan(mtpd) else mtpd,
        graph.key(v),
    )


@settings(max_examples=EXAMPLES, deadline=None)
@given(models())
def test_it_orders_dependencies_first_and_by_rto_then_rpo_among_ready_nodes(case):
    nodes, links = case
    graph = compile_model(nodes, links)
    result = recovery_order(graph)
    pairs, in_cycle, blocked = reference.recovery_constraints(reference.Model(nodes, links))
    assert set(result.blocked_keys()) == blocked
    assert {k for cycle in result.cycle_keys() for k in cycle} == in_cycle
    order = result.keys()
    assert set(order) == {n.key for n in nodes} - in_cycle - blocked
    position = {key: i for i, key in enumerate(order)}
    for before, after in pairs:
        if after in position:
            assert position[before] < position[after]
    # Greedy rule: each placed node is the best among those ready at that moment.
    done: set[str] = set()
    needs = {n.key: {d for d, v in pairs if v == n.key} for n in nodes}
    for key in order:
        ready = [k for k in position if k not in done and needs[k] <= done]
        best = min(ready, key=lambda k: _sort_key(graph, graph.index(k)))
        assert key == best
        done.add(key)


@settings(max_examples=EXAMPLES, deadline=None)
@given(models())
def test_it_computes_required_objectives_like_the_reference(case):
    nodes, links = case
    graph = compile_model(nodes, links)
    model = reference.Model(nodes, links)
    req_rto, req_rpo = reference.required_times(model)
    required = required_objectives(graph)
    digraph = model.digraph()
    for key in model.order:
        v = graph.index(key)
        assert required.rto[v] == req_rto[key]
        assert required.rpo[v] == req_rpo[key]
        if math.isfinite(req_rto[key]):
            by = graph.key(int(required.rto_by[v]))
            length = nx.shortest_path_length(
                digraph, by, key, weight=lambda u, w, e: min(d["tolerance"] for d in e.values())
            )
            assert model.nodes[by].rto + length == req_rto[key]
        if math.isfinite(req_rpo[key]):
            by = graph.key(int(required.rpo_by[v]))
            assert model.nodes[by].rpo == req_rpo[key]
            assert nx.has_path(digraph, by, key)


@settings(max_examples=EXAMPLES, deadline=None)
@given(models())
def test_it_finds_the_same_gaps_as_the_reference(case):
    nodes, links = case
    graph = compile_model(nodes, links)
    model = reference.Model(nodes, links)
    req_rto, req_rpo = reference.required_times(model)
    expected_resources = set()
    for node in nodes:
        if node.kind != "resource":
            continue
        for measure, capability, objective in (
            ("recovery_time", node.recovery_time, req_rto[node.key]),
            ("recovery_point", node.recovery_point, req_rpo[node.key]),
        ):
            if math.isfinite(objective) and (capability is None or capability > objective):
                expected_resources.add((node.key, measure, capability, objective))
    bounds = reference.recovery_bounds(model)
    untested = reference.untested_needs(model)
    expected_activities = {
        (n.key, bounds[n.key], bounds[n.key] <= n.rto)
        for n in nodes
        if n.kind == "activity" and n.rto is not None and (bounds[n.key] > n.rto or untested[n.key])
    }
    found = gaps(graph)
    assert {
        (g.key, g.measure, g.capability, g.objective) for g in found.resources
    } == expected_resources
    assert {(g.key, g.bound, g.untested) for g in found.activities} == expected_activities
    for gap in found.activities:
        assert nx.has_path(model.digraph(), gap.key, gap.limited_by)
        if gap.untested:  # names a resource never tested that the activity needs
            assert model.nodes[gap.limited_by].recovery_time is None


@settings(max_examples=EXAMPLES, deadline=None)
@given(models())
def test_it_finds_the_same_single_points_of_failure_as_n_what_ifs(case):
    nodes, links = case
    graph = compile_model(nodes, links)
    expected = reference.spof_counts(reference.Model(nodes, links))
    report = spof(graph)
    got = {
        s.key: (s.breaks, math.inf if s.strictest_rto is None else s.strictest_rto)
        for s in report.spofs
    }
    assert got == expected
    ranks = [
        (-s.breaks, math.inf if s.strictest_rto is None else s.strictest_rto, s.key)
        for s in report.spofs
    ]
    assert ranks == sorted(ranks)
    assert report.key_persons == [s for s in report.spofs if s.key_person]
