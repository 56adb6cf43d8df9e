"""The neighbourhood query: both directions, layer by layer, admissible nodes only, a depth
limit and a node budget; checked on worked examples and against a networkx BFS."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resilia.engine import ACTIVITY, Link, Node, compile_model, neighbourhood
from resilia.engine.neighbourhood import Step, alternatives, link_group, links_between
from resilia.engine.tests import reference
from resilia.engine.tests.strategies import models


@pytest.fixture
def bank():
    """Payments and reporting need the core system, which runs in either data centre."""
    return compile_model(
        [
            Node("pay", ACTIVITY, rto=60),
            Node("report", ACTIVITY, rto=1440),
            Node("core", recovery_time=30),
            Node("dc1", recovery_time=300),
            Node("dc2", recovery_time=600),
            Node("swift", recovery_time=120),
        ],
        [
            Link("pay", "core"),
            Link("pay", "swift"),
            Link("report", "core", tolerance=240),
            Link("core", "dc1", group="dc"),
            Link("core", "dc2", group="dc"),
        ],
    )


def keys(graph, nodes) -> list[str]:
    return [graph.key(int(v)) for v in nodes]


def link_keys(graph, link: int) -> tuple[str, str]:
    return tuple(graph.key(end) for end in graph.link(link))


def test_it_walks_both_directions_layer_by_layer(bank):
    found = neighbourhood(bank, bank.index("pay"), depth=2, budget=100)
    # Layer 1: what payments need, in link order; layer 2: what the core system needs, then
    # what needs it (payments already reached); SWIFT has neither.
    assert keys(bank, found.nodes) == ["pay", "core", "swift", "dc1", "dc2", "report"]
    assert found.distance.tolist() == [0, 1, 1, 2, 2, 2]
    assert not found.truncated
    assert keys(bank, [found.previous[found.position(bank.index("report"))]]) == ["core"]


def test_it_gives_the_chain_of_links_from_the_centre(bank):
    found = neighbourhood(bank, bank.index("dc1"), depth=3, budget=100)
    pay = bank.index("pay")
    first, second = found.path(pay)
    assert isinstance(first, Step) and first.needs is False and second.needs is False
    assert link_keys(bank, first.link) == ("core", "dc1")
    assert (keys(bank, [first.previous, first.node, second.node])) == ["dc1", "core", "pay"]
    assert link_keys(bank, second.link) == ("pay", "core")
    assert found.path(bank.index("dc1")) == []
    # dc2 is reached through the core system, as the other member of the OR group.
    via = found.path(bank.index("dc2"))[-1]
    assert via.needs and link_keys(bank, via.link) == ("core", "dc2")


def test_it_names_or_groups_and_their_alternatives(bank):
    found = neighbourhood(bank, bank.index("core"), depth=1, budget=100)
    to_dc1 = found.path(bank.index("dc1"))[0].link
    to_core = found.path(bank.index("pay"))[0].link
    assert link_group(bank, to_dc1) == "dc"
    assert keys(bank, alternatives(bank, to_dc1)) == ["dc2"]
    assert link_group(bank, to_core) == ""
    assert alternatives(bank, to_core).tolist() == []


def test_it_stops_at_the_depth(bank):
    one = neighbourhood(bank, bank.index("dc1"), depth=1, budget=100)
    assert keys(bank, one.nodes) == ["dc1", "core"]
    four = neighbourhood(bank, bank.index("dc1"), depth=4, budget=100)
    assert set(keys(bank, four.nodes)) == {"dc1", "core", "dc2", "pay", "report", "swift"}
    assert four.distance[four.position(bank.index("swift"))] == 3


def test_it_keeps_only_admissible_nodes_and_does_not_walk_through_others(bank):
    mask = np.ones(bank.n, bool)
    mask[bank.index("core")] = False
    found = neighbourhood(bank, bank.index("pay"), depth=4, budget=100, admit=mask)
    assert keys(bank, found.nodes) == ["pay", "swift"]
    assert bank.index("core") not in found
    # The centre is kept whatever the mask says.
    found = neighbourhood(bank, bank.index("core"), depth=1, budget=100, admit=mask)
    assert keys(bank, found.nodes) == ["core", "dc1", "dc2", "pay", "report"]


def test_it_asks_a_callable_once_per_layer_in_discovery_order(bank):
    asked = []

    def admit(candidates):
        asked.append(keys(bank, candidates))
        return np.array([bank.key(int(v)) != "swift" for v in candidates])

    found = neighbourhood(bank, bank.index("pay"), depth=2, budget=100, admit=admit)
    assert asked == [["core", "swift"], ["dc1", "dc2", "report"]]
    assert keys(bank, found.nodes) == ["pay", "core", "dc1", "dc2", "report"]
    with pytest.raises(ValueError):
        neighbourhood(bank, 0, depth=1, budget=100, admit=lambda c: np.ones(len(c) + 1, bool))


def test_it_offers_a_refused_node_again_in_a_later_layer():
    """a–b–c and a–c: c refused in layer 1 is offered again from b in layer 2."""
    graph = compile_model(
        [Node("a", ACTIVITY), Node("b"), Node("c")],
        [Link("a", "b"), Link("a", "c"), Link("b", "c")],
    )
    asked = []

    def admit(candidates):
        asked.append(keys(graph, candidates))
        return np.array([len(asked) > 1 or graph.key(int(v)) == "b" for v in candidates])

    found = neighbourhood(graph, graph.index("a"), depth=2, budget=10, admit=admit)
    assert asked == [["b", "c"], ["c"]]
    assert keys(graph, found.nodes) == ["a", "b", "c"]
    assert found.distance.tolist() == [0, 1, 2]


def test_it_goes_round_a_cycle_once():
    graph = compile_model(
        [Node("a", ACTIVITY), Node("b"), Node("c")],
        [Link("a", "b"), Link("b", "c"), Link("c", "a")],
    )
    found = neighbourhood(graph, graph.index("a"), depth=10, budget=10)
    assert keys(graph, found.nodes) == ["a", "b", "c"]
    assert found.needs.tolist() == [False, True, False]
    assert found.distance.tolist() == [0, 1, 1]


def test_it_keeps_the_nearest_nodes_within_the_budget():
    fans = [Node(f"r{i}") for i in range(10)]
    graph = compile_model(
        [Node("a", ACTIVITY), *fans, Node("far")],
        [Link("a", f"r{i}") for i in range(10)] + [Link("r0", "far")],
    )
    centre = graph.index("a")
    found = neighbourhood(graph, centre, depth=2, budget=4)
    assert keys(graph, found.nodes) == ["a", "r0", "r1", "r2"] and found.truncated
    exact = neighbourhood(graph, centre, depth=1, budget=11)
    assert len(exact.nodes) == 11 and not exact.truncated
    # The budget is spent exactly by layer 1; the node of layer 2 is left out.
    full = neighbourhood(graph, centre, depth=2, budget=11)
    assert len(full.nodes) == 11 and full.truncated
    assert neighbourhood(graph, centre, depth=2, budget=1).nodes.tolist() == [centre]


def test_it_lists_the_links_between_the_nodes_reached(bank):
    found = neighbourhood(bank, bank.index("pay"), depth=2, budget=100)
    links = links_between(bank, found.nodes)
    assert [link_keys(bank, link) for link in links.tolist()] == [
        ("pay", "core"),
        ("pay", "swift"),
        ("core", "dc1"),
        ("core", "dc2"),
        ("report", "core"),
    ]
    one = neighbourhood(bank, bank.index("pay"), depth=1, budget=100)
    assert len(links_between(bank, one.nodes)) == 2


def test_it_refuses_an_unknown_centre(bank):
    with pytest.raises(IndexError):
        neighbourhood(bank, bank.n, depth=1, budget=10)


@st.composite
def walks(draw):
    nodes, links = draw(models(max_nodes=10, max_links=24))
    keys_ = [node.key for node in nodes]
    return (
        nodes,
        links,
        draw(st.sampled_from(keys_)),
        draw(st.integers(1, 4)),
        draw(st.sets(st.sampled_from(keys_))),
        draw(st.integers(1, 12)),
    )


@settings(max_examples=300, deadline=None)
@given(walks())
def test_it_reaches_what_a_breadth_first_search_reaches(case):
    nodes, links, centre_key, depth, admissible, budget = case
    graph = compile_model(nodes, links)
    centre = graph.index(centre_key)
    mask = np.array([key in admissible for key in graph.keys])
    found = neighbourhood(graph, centre, depth=depth, budget=graph.n, admit=mask)
    expected = reference.neighbourhood(reference.Model(nodes, links), centre_key, depth, admissible)
    got = dict(zip(keys(graph, found.nodes), found.distance.tolist(), strict=True))
    assert got == expected
    assert found.distance.tolist() == sorted(found.distance.tolist())
    for node in found.nodes.tolist():
        path = found.path(node)
        assert len(path) == got[graph.key(node)]
        previous = centre
        for step in path:
            assert step.previous == previous
            ends = (step.previous, step.node) if step.needs else (step.node, step.previous)
            assert graph.link(step.link) == ends
            previous = step.node
        assert previous == node
    # A budget keeps the first nodes of the walk without one, and says so when it bites.
    capped = neighbourhood(graph, centre, depth=depth, budget=budget, admit=mask)
    assert capped.nodes.tolist() == found.nodes[:budget].tolist()
    assert capped.truncated == (len(found.nodes) > budget)
    assert capped.via.tolist() == found.via[:budget].tolist()
    # A callable that answers like the mask walks the same way.
    called = neighbourhood(graph, centre, depth=depth, budget=budget, admit=lambda c: mask[c])
    assert called.nodes.tolist() == capped.nodes.tolist()
    assert called.via.tolist() == capped.via.tolist()
