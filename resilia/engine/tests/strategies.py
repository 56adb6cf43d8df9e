"""Hypothesis strategies: random small models with AND/OR links, tolerances, unknown
capabilities, self-links and cycles."""

from __future__ import annotations

from hypothesis import strategies as st

from resilia.engine.model import ACTIVITY, RESOURCE, Link, Node

DURATIONS = st.sampled_from([None, 0.0, 10.0, 30.0, 60.0, 120.0, 240.0])
TOLERANCES = st.sampled_from([0.0, 0.0, 0.0, 15.0, 60.0, 240.0])


@st.composite
def models(draw, max_nodes: int = 8, max_links: int = 16):
    n = draw(st.integers(1, max_nodes))
    nodes = []
    for i in range(n):
        kind = draw(st.sampled_from([ACTIVITY, RESOURCE]))
        if kind == ACTIVITY:
            rto = draw(DURATIONS)
            nodes.append(
                Node(
                    key=f"a{i}",
                    kind=ACTIVITY,
                    rto=rto,
                    rpo=draw(DURATIONS),
                    mtpd=draw(DURATIONS),
                    recovery_time=draw(st.sampled_from([None, None, 0.0, 30.0])),
                    prioritised=draw(st.sampled_from([None, None, True, False])),
                )
            )
        else:
            nodes.append(
                Node(
                    key=f"r{i}",
                    kind=RESOURCE,
                    recovery_time=draw(DURATIONS),
                    recovery_point=draw(DURATIONS),
                    key_person=draw(st.booleans()),
                )
            )
    keys = [node.key for node in nodes]
    links = draw(
        st.lists(
            st.builds(
                Link,
                dependent=st.sampled_from(keys),
                dependency=st.sampled_from(keys),
                group=st.sampled_from([None, None, "g1", "g2"]),
                tolerance=TOLERANCES,
            ),
            max_size=max_links,
        )
    )
    return nodes, links


@st.composite
def models_with_failure(draw, **kwargs):
    nodes, links = draw(models(**kwargs))
    keys = [node.key for node in nodes]
    failed = draw(st.sets(st.sampled_from(keys), min_size=1, max_size=3))
    return nodes, links, failed
