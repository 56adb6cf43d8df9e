"""The what-if propagation agrees with the reference fixpoint on random models."""

from __future__ import annotations

from hypothesis import given, settings

from resilia.engine import compile_model, whatif
from resilia.engine.tests import reference
from resilia.engine.tests.strategies import models_with_failure


@settings(max_examples=400, deadline=None)
@given(models_with_failure())
def test_it_matches_the_reference_on_random_models(case):
    nodes, links, failed = case
    graph = compile_model(nodes, links)
    expected = reference.whatif(reference.Model(nodes, links), failed)
    got = {
        impact.key: {
            "stop_at": impact.stop_at,
            "back_at": impact.back_at,
            "rto_breach_at": impact.rto_breach_at,
            "mtpd_breach_at": impact.mtpd_breach_at,
        }
        for impact in whatif(graph, failed)
    }
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(models_with_failure())
def test_it_explains_every_stop_with_a_chain_of_real_links_from_a_failed_node(case):
    nodes, links, failed = case
    graph = compile_model(nodes, links)
    tolerances: dict[tuple[str, str], list[float]] = {}
    for link in links:
        tolerances.setdefault((link.dependent, link.dependency), []).append(link.tolerance)
    for impact in whatif(graph, failed):
        assert impact.failed == (impact.key in failed)
        if impact.failed:
            assert impact.cause == ()
            continue
        chain = impact.cause
        assert chain, impact
        assert chain[0][1] in failed
        assert chain[-1][0] == impact.key
        for (dependent, _), (_, dependency) in zip(chain, chain[1:], strict=False):
            assert dependent == dependency
        assert all(pair in tolerances for pair in chain)
        # The chain's tolerances add up to the stop time (a pair linked twice, e.g. AND and in
        # an OR group, may carry either tolerance).
        assert sum(min(tolerances[p]) for p in chain) <= impact.stop_at
        assert impact.stop_at <= sum(max(tolerances[p]) for p in chain)


@settings(max_examples=100, deadline=None)
@given(models_with_failure())
def test_it_reports_only_affected_nodes_in_stop_order(case):
    nodes, links, failed = case
    result = whatif(compile_model(nodes, links), failed)
    stops = [impact.stop_at for impact in result]
    assert stops == sorted(stops)
    assert {impact.key for impact in result} >= set(failed)
