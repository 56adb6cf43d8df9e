"""Larger random models than hypothesis draws: several SPOF batches, long propagation rounds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from resilia.engine import ACTIVITY, RESOURCE, Link, Node, compile_model, spof, whatif
from resilia.engine.tests import reference


def _random_model(seed: int, n: int = 160, m: int = 420):
    rng = np.random.default_rng(seed)
    nodes = []
    for i in range(n):
        if rng.random() < 0.4:
            rto = [None, 30.0, 60.0, 240.0][rng.integers(4)]
            nodes.append(
                Node(f"a{i:03d}", ACTIVITY, rto=rto, mtpd=None if rto is None else 2 * rto)
            )
        else:
            capability = [None, 15.0, 60.0, 480.0][rng.integers(4)]
            nodes.append(Node(f"r{i:03d}", RESOURCE, recovery_time=capability))
    links = []
    for _ in range(m):
        dependent, dependency = rng.integers(n, size=2)
        # Mostly "downhill" so the model is layered, with a few uphill links closing cycles.
        if dependency > dependent and rng.random() < 0.97:
            dependent, dependency = dependency, dependent
        group = None if rng.random() < 0.7 else f"g{rng.integers(2)}"
        tolerance = [0.0, 0.0, 60.0][rng.integers(3)]
        links.append(Link(nodes[dependent].key, nodes[dependency].key, group, tolerance))
    return nodes, links


@pytest.mark.parametrize("seed", range(3))
def test_it_matches_the_reference_spof_on_larger_models(seed):
    nodes, links = _random_model(seed)
    graph = compile_model(nodes, links)
    expected = reference.spof_counts(reference.Model(nodes, links))
    got = {
        s.key: (s.breaks, math.inf if s.strictest_rto is None else s.strictest_rto)
        for s in spof(graph).spofs
    }
    assert got == expected


@pytest.mark.parametrize("seed", range(3))
def test_it_matches_the_reference_what_if_on_larger_models(seed):
    nodes, links = _random_model(seed)
    graph = compile_model(nodes, links)
    model = reference.Model(nodes, links)
    rng = np.random.default_rng(seed)
    for _ in range(5):
        failed = {nodes[i].key for i in rng.choice(len(nodes), size=3, replace=False)}
        expected = reference.whatif(model, failed)
        got = {
            i.key: {
                "stop_at": i.stop_at,
                "back_at": i.back_at,
                "rto_breach_at": i.rto_breach_at,
                "mtpd_breach_at": i.mtpd_breach_at,
            }
            for i in whatif(graph, failed)
        }
        assert got == expected
