"""A node needed by many and a neighbourhood larger than the graph's budget: paged and bounded,
in the same number of queries whatever the size (benchmarks/pages.py times them at 100k)."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from resilia.core.context import request_context
from resilia.dependencies import selectors, views_graph, views_links
from resilia.dependencies import services as deps
from resilia.dependencies.models import Dependency
from resilia.dependencies.tests.graph_wire import unpack
from resilia.org import services as org

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _dependents(bank, start: int, count: int):
    """`count` activities of DEPT-A that each need the primary data centre."""
    actor, unit = bank["actor"], bank["pay"].unit
    with request_context(source="test"):
        activities = deps.activity_create_many(
            actor=actor,
            items=[
                {"code": f"H{i:03d}", "name": f"依赖活动{i:03d}", "unit": unit}
                for i in range(start, start + count)
            ],
        )
        deps.dependency_create_many(
            actor=actor, links=[(activity, bank["dc1"], {}) for activity in activities]
        )
    selectors.forget_compiled()


def test_it_pages_what_needs_a_hub_in_the_same_queries_whatever_its_size(bank, client_for):
    _dependents(bank, 0, 60)  # with CORE: 61 links need DC1
    client, url = client_for("coord_a"), bank["dc1"].get_absolute_url()
    with CaptureQueriesContext(connection) as first:
        page = client.get(url, **ZH).content.decode()
    # CORE's link comes first (the oldest), then H000... : 50 a page.
    assert "第 1–50 条，共 61 条" in page
    assert 'data-testid="needed-by-next"' in page and "依赖活动048" in page
    assert "依赖活动049" not in page
    second = client.get(url, {"needed_page": 2}, **ZH).content.decode()
    assert "第 51–61 条，共 61 条" in second
    assert "依赖活动049" in second and "依赖活动059" in second and "依赖活动048" not in second
    assert 'data-testid="needed-by-previous"' in second

    _dependents(bank, 60, 60)
    with CaptureQueriesContext(connection) as larger:
        page = client.get(url, **ZH).content.decode()
    assert len(larger) == len(first)
    assert "第 1–50 条，共 121 条" in page and "依赖活动049" not in page


def test_it_keeps_the_graph_within_its_budget_checking_candidates_in_slices(
    bank, client_for, monkeypatch
):
    _dependents(bank, 0, 12)
    client = client_for("admin")
    url = reverse("dependencies:graph_data")
    params = {"node": f"resource:{bank['dc1'].pk}", "depth": 1}
    monkeypatch.setattr(views_graph, "MAX_NODES", 6)
    whole = unpack(client.get(url, params).json())  # one slice holds every candidate
    monkeypatch.setattr(views_graph, "ADMIT_SLICE", 2)
    with CaptureQueriesContext(connection) as sliced:
        in_slices = unpack(client.get(url, params).json())
    assert whole["truncated"] and in_slices["truncated"]
    assert len(in_slices["nodes"]) == 6
    assert [n["id"] for n in in_slices["nodes"]] == [n["id"] for n in whole["nodes"]]
    # Slices stop once the budget is full: 5 places, so 3 slices of 2, not 7.
    admission = [
        q for q in sliced.captured_queries if '"dependencies_activity"."id" AS' in q["sql"]
    ]
    assert len(admission) <= 4


def _needers(bank, org_tree, tag: str, unit, count: int, *, kind: str = "activity"):
    """`count` activities (or resources) of `unit` (None: shared resources) needing the shared
    backbone network, which every reader may open."""
    actor = bank["actor"]
    with request_context(source="test"):
        items = [
            {"code": f"{tag}{i:03d}", "name": f"{tag}依赖{i:03d}", "unit": unit}
            for i in range(count)
        ]
        if kind == "activity":
            nodes = deps.activity_create_many(actor=actor, items=items)
        else:
            for item in items:
                item["kind"] = "application"
            nodes = deps.resource_create_many(actor=actor, items=items)
        deps.dependency_create_many(actor=actor, links=[(n, bank["net"], {}) for n in nodes])
    selectors.forget_compiled()


def _listed(client, url) -> tuple[list[str], int | None]:
    """The dependents named on every page of "what needs it", and the total the pager gives."""
    names, total, page = [], None, 1
    while True:
        html = client.get(url, {"needed_page": page}, **ZH).content.decode()
        section = html.split('data-testid="needed-by"', 1)[1]
        names += re.findall(r"[A-Z]依赖\d{3}", section)
        found = re.search(r"共 (\d+) 条", html)
        total = int(found.group(1)) if found else total
        if 'data-testid="needed-by-next"' not in html:
            return names, total
        page += 1


def test_it_shows_a_scoped_reader_exactly_the_links_of_its_scope_that_need_a_hub(
    bank, org_tree, personas, client_for, monkeypatch
):
    """A link is read through its dependent (dependencies.access): each coordinator pages
    through exactly the links whose dependent is in their subtree or is a shared resource,
    and moving a unit (no new model revision) moves its links at once."""
    monkeypatch.setattr(views_links, "NEEDED_BY_PER_PAGE", 7)
    _needers(bank, org_tree, "A", org_tree["dept_a"], 12)
    _needers(bank, org_tree, "B", org_tree["dept_b"], 9)
    _needers(bank, org_tree, "T", org_tree["team_a"], 4, kind="resource")
    _needers(bank, org_tree, "S", None, 3, kind="resource")
    url = bank["net"].get_absolute_url()

    def expected(name):
        links = Dependency.objects.for_user(personas[name]).filter(dependency_resource=bank["net"])
        return sorted(link.dependent.name for link in links)

    for name in ("coord_a", "coord_b", "contrib_a", "admin"):
        names, total = _listed(client_for(name), url)
        assert sorted(set(names)) == expected(name), name
        assert (
            total
            == Dependency.objects.for_user(personas[name])
            .filter(dependency_resource=bank["net"])
            .count()
        ), name
    b_names, _total = _listed(client_for("coord_b"), url)
    assert "B依赖000" in b_names and "S依赖002" in b_names
    assert not any(n.startswith(("A", "T")) for n in b_names)

    with request_context(source="test"):
        org.unit_update(actor=personas["admin"], unit=org_tree["team_a"], parent=org_tree["dept_b"])
    for name in ("coord_a", "coord_b"):
        names, _total = _listed(client_for(name), url)
        assert sorted(set(names)) == expected(name), name
    assert "T依赖003" in _listed(client_for("coord_b"), url)[0]


def test_a_scoped_reader_pages_a_hub_without_joining_its_links_to_units(bank, org_tree, client_for):
    """Once per model state the hub's links are read with their dependents' units; then each
    page reads the reader's subtree and the page's links by pk only."""
    _dependents(bank, 0, 60)
    client, url = client_for("coord_a"), bank["dc1"].get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as repeat:
        client.get(url, {"needed_page": 2})
    joined = [
        q["sql"]
        for q in repeat.captured_queries
        if re.search(r'"dependency_resource_id" = \d', q["sql"]) and "LIKE" in q["sql"]
    ]
    assert joined == []


def test_it_sends_each_graph_node_in_the_same_bytes_however_far_from_the_centre(bank, client_for):
    """A node names the node it was reached from, not its whole path: a node four links out
    weighs what a node one link out does (a hub's 300 nodes sent 227 KiB of paths)."""
    actor, unit = bank["actor"], bank["pay"].unit
    with request_context(source="test"):
        chain = deps.resource_create_many(
            actor=actor,
            items=[
                {"code": f"C{i}", "name": f"链路资源{i}", "kind": "application", "unit": unit}
                for i in range(5)
            ],
        )
        deps.dependency_create_many(
            actor=actor, links=[(chain[i], chain[i + 1], {}) for i in range(4)]
        )
    selectors.forget_compiled()
    url = reverse("dependencies:graph_data")
    response = client_for("admin").get(url, {"node": f"resource:{chain[0].pk}", "depth": 4})
    payload = unpack(response.json())
    sizes = {n["code"]: len(json.dumps(n, ensure_ascii=False)) for n in payload["nodes"]}
    assert set(sizes) == {"C0", "C1", "C2", "C3", "C4"}
    assert [n["distance"] for n in payload["nodes"]] == [0, 1, 2, 3, 4]
    assert abs(sizes["C4"] - sizes["C1"]) <= 4, sizes  # ids and positions a digit longer
