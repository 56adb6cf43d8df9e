"""A node needed by many and a neighbourhood larger than the graph's budget: paged and bounded,
in the same number of queries whatever the size (benchmarks/pages.py times them at 100k)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from resilia.core.context import request_context
from resilia.dependencies import selectors, views_graph
from resilia.dependencies import services as deps

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
    whole = client.get(url, params).json()  # one slice holds every candidate
    monkeypatch.setattr(views_graph, "ADMIT_SLICE", 2)
    with CaptureQueriesContext(connection) as sliced:
        in_slices = client.get(url, params).json()
    assert whole["truncated"] and in_slices["truncated"]
    assert len(in_slices["nodes"]) == 6
    assert [n["id"] for n in in_slices["nodes"]] == [n["id"] for n in whole["nodes"]]
    # Slices stop once the budget is full: 5 places, so 3 slices of 2, not 7.
    admission = [
        q for q in sliced.captured_queries if '"dependencies_activity"."id" AS' in q["sql"]
    ]
    assert len(admission) <= 4
