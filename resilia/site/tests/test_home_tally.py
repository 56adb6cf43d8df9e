"""The home page's activity and resource figures, tallied per unit once per model state
(issue 7): each reader sees exactly the figures of their scope's rows, a change of the model
or of the unit tree shows at once, and a repeat visit reads no activity or resource row,
in the same number of queries whatever the size of the model."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resilia.core.context import request_context
from resilia.dependencies import selectors
from resilia.dependencies import services as deps
from resilia.dependencies.filters import (
    UNTESTED,
    WITHOUT_OBJECTIVES,
    gap_resource_pks,
    spof_resource_pks,
    stale_before,
    unmet_rto_activity_pks,
)
from resilia.dependencies.models import Activity, Resource
from resilia.org import services as org

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'(?:href="[^"]+" )?data-figure="(\w+)">(\d+)<')
MODEL_FIGURES = ("rto_unmet", "no_objectives", "spof", "gap", "untested", "stale")


@pytest.fixture(autouse=True)
def _fresh_model():
    # The compiled model is cached by revision stamp: a rolled-back test repeats stamps.
    selectors.forget_compiled()
    yield
    selectors.forget_compiled()


def _figures(client) -> dict[str, int]:
    html = client.get("/").content.decode()
    found = {key: int(count) for key, count in FIGURE.findall(html)}
    return {key: found[key] for key in MODEL_FIGURES}


def _expected(user) -> dict[str, int]:
    """The same figures counted on the reader's rows through the choke point."""
    acts, ress = Activity.objects.for_user(user), Resource.objects.for_user(user)
    return {
        "rto_unmet": acts.filter(pk__in=unmet_rto_activity_pks()).count(),
        "no_objectives": acts.filter(WITHOUT_OBJECTIVES).count(),
        "spof": ress.filter(pk__in=spof_resource_pks()).count(),
        "gap": ress.filter(pk__in=gap_resource_pks()).count(),
        "untested": ress.filter(UNTESTED).count(),
        "stale": ress.filter(capability_tested_on__lt=stale_before()).count(),
    }


def _model(personas, org_tree, size: int) -> None:
    """`size` activities and resources in each department and in A's team, each activity
    needing its own resource and a shared data centre of department A (a single point of
    failure for all of them), a third of the resources tested long ago, and unit-less
    resources (shared: every reader counts them)."""
    actor = personas["manager"]
    old = dt.date.today() - dt.timedelta(days=3000)
    with request_context(source="test"):
        hub = deps.resource_create(
            actor=actor, code="HUB", name="数据中心", kind="facility", unit=org_tree["dept_a"]
        )
        for tag, unit in (("A", "dept_a"), ("T", "team_a"), ("B", "dept_b"), ("S", None)):
            resources = deps.resource_create_many(
                actor=actor,
                items=[
                    {
                        "code": f"{tag}R{i}",
                        "name": f"资源{tag}{i}",
                        "kind": "application",
                        "unit": org_tree[unit] if unit else None,
                        "recovery_time": 600 if i % 3 else None,
                        "capability_tested_on": old if i % 3 else None,
                    }
                    for i in range(size)
                ],
            )
            if unit is None:
                continue
            activities = deps.activity_create_many(
                actor=actor,
                items=[
                    {
                        "code": f"{tag}A{i}",
                        "name": f"活动{tag}{i}",
                        "unit": org_tree[unit],
                        "rto": 60 if i % 2 else None,
                        "mtpd": 240 if i % 2 else None,
                        "rpo": 0 if i % 2 else None,
                    }
                    for i in range(size)
                ],
            )
            deps.dependency_create_many(
                actor=actor,
                links=[(a, r, {}) for a, r in zip(activities, resources, strict=True)]
                + [(a, hub, {}) for a in activities],
            )
    selectors.forget_compiled()


READERS = ("manager", "auditor", "coord_a", "coord_b", "contrib_a")


def test_it_shows_each_reader_exactly_the_figures_of_their_scope(personas, org_tree, client_for):
    """ISO 22301 8.2.2: the gaps and single points of failure of the reader's own scope; the
    coordinator of B sees none of A's (the data centre is A's), the shared resources count
    for everyone."""
    _model(personas, org_tree, 6)
    shown = {name: _figures(client_for(name)) for name in READERS}
    for name in READERS:
        assert shown[name] == _expected(personas[name]), name
    assert shown["coord_a"]["spof"] > 0 and shown["coord_b"]["spof"] < shown["coord_a"]["spof"]
    assert shown["coord_a"]["untested"] < shown["manager"]["untested"]
    assert shown["manager"] == shown["auditor"]
    assert shown["contrib_a"] == shown["coord_a"]  # read scope: the same subtree


def test_it_follows_a_unit_moved_out_of_a_scope(personas, org_tree, client_for):
    """Moving A's team under B changes no dependency model revision, yet the figures of both
    coordinators follow the team at once."""
    _model(personas, org_tree, 6)
    before = {name: _figures(client_for(name)) for name in ("coord_a", "coord_b")}
    with request_context(source="test"):
        org.unit_update(actor=personas["admin"], unit=org_tree["team_a"], parent=org_tree["dept_b"])
    after = {name: _figures(client_for(name)) for name in ("coord_a", "coord_b")}
    for name in after:
        assert after[name] == _expected(personas[name]), name
    assert after["coord_a"]["untested"] < before["coord_a"]["untested"]
    assert after["coord_b"]["untested"] > before["coord_b"]["untested"]


def test_it_shows_a_change_of_the_model_at_once(personas, org_tree, client_for):
    _model(personas, org_tree, 6)
    client = client_for("coord_a")
    before = _figures(client)
    untested = Resource.objects.filter(unit=org_tree["dept_a"]).filter(UNTESTED).first()
    with request_context(source="test"):
        deps.resource_update(
            actor=personas["manager"],
            resource=untested,
            recovery_time=30,
            capability_tested_on=dt.date.today(),
        )
    after = _figures(client)
    assert after == _expected(personas["coord_a"])
    assert after["untested"] == before["untested"] - 1


def _repeat_visit(client) -> list[dict]:
    client.get("/")  # derives the revision's tallies
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return queries.captured_queries


def test_a_repeat_visit_reads_no_row_of_the_model_whatever_its_size(personas, org_tree, client_for):
    _model(personas, org_tree, 3)
    small = {name: _repeat_visit(client_for(name)) for name in ("manager", "coord_a")}
    _model_more = 40
    with request_context(source="test"):
        deps.resource_create_many(
            actor=personas["manager"],
            items=[
                {"code": f"X{i}", "name": f"更多{i}", "kind": "data", "unit": org_tree["team_a"]}
                for i in range(_model_more)
            ],
        )
    selectors.forget_compiled()
    for name, queries in small.items():
        larger = _repeat_visit(client_for(name))
        assert len(larger) == len(queries), name
        tables = " ".join(q["sql"] for q in larger)
        assert '"dependencies_resource"' not in tables, name
        assert '"dependencies_activity"' not in tables, name
