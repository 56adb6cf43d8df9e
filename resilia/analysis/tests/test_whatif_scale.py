"""A what-if that stops a great many nodes (a hub fails): the page shows a page of each table
and a bounded timeline, in the same bytes and queries however many stop; the next page holds
the next rows; every row links to its record; the exports hold every row (issue 7)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from resilia.analysis import views
from resilia.core.context import request_context
from resilia.dependencies import selectors
from resilia.dependencies import services as dep

pytestmark = pytest.mark.django_db

URL = "/analysis/whatif/"
FAIL = {"fail": "resource:CORE", "at": "2026-05-01T09:00"}


def _needing_core(bank, start: int, count: int) -> None:
    """`count` activities and `count` resources more that each need CORE (through a resource
    of their own for the activities, so their cause chains have three links)."""
    unit = bank["pay"].unit
    with request_context(source="test"):
        resources = dep.resource_create_many(
            actor=None,
            items=[
                {
                    "code": f"W{i:03d}",
                    "name": f"中间系统{i:03d}",
                    "kind": "application",
                    "unit": unit,
                }
                for i in range(start, start + count)
            ],
        )
        activities = dep.activity_create_many(
            actor=None,
            items=[
                {"code": f"V{i:03d}", "name": f"受影响活动{i:03d}", "unit": unit, "rto": 60 + i}
                for i in range(start, start + count)
            ],
        )
        links = [(r, bank["core"], {}) for r in resources]
        links += [(a, r, {}) for a, r in zip(activities, resources, strict=True)]
        dep.dependency_create_many(actor=None, links=links)
    selectors.forget_compiled()


def _page(client, **params):
    client.get(URL, {**FAIL, **params})  # the model compiled for this revision
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {**FAIL, **params})
    assert response.status_code == 200
    return response, len(queries)


def test_it_shows_a_hubs_failure_in_the_same_bytes_and_queries_whatever_it_stops(client_as, bank):
    client = client_as("manager")
    _needing_core(bank, 0, 60)
    small, small_queries = _page(client)
    assert len(small.context["rows"]) == views.WHATIF_PER_PAGE
    assert len(small.context["resource_rows"]) == views.WHATIF_PER_PAGE
    assert len(small.context["timeline"]) == views.TIMELINE_PER_PAGE
    _needing_core(bank, 60, 140)
    large, large_queries = _page(client)
    assert large.context["page"].paginator.count > 200
    assert large_queries == small_queries
    assert abs(len(large.content) - len(small.content)) < 200
    assert len(large.content) < 60 * 1024


def test_it_pages_the_affected_activities_and_resources(client_as, bank):
    client = client_as("manager")
    _needing_core(bank, 0, 30)
    first, _ = _page(client)
    second, _ = _page(client, page=2, rpage=2)
    codes = [r["code"] for r in first.context["rows"]]
    after = [r["code"] for r in second.context["rows"]]
    everything = [
        r["code"] for r in first.context["report"].rows(first.context["report"].activities)
    ]
    assert codes + after == everything[: len(codes) + len(after)]
    resources = [r["code"] for r in first.context["resource_rows"]]
    more = [r["code"] for r in second.context["resource_rows"]]
    assert more and not set(more) & set(resources)
    # Every row links to its record, and so does every node of its cause chain it names.
    html = second.content.decode()
    for row in second.context["rows"] + second.context["resource_rows"]:
        assert f'href="{row["url"]}"' in html
    assert f'href="{bank["core"].get_absolute_url()}"' in html


def test_it_exports_every_row_not_only_the_page(client_as, bank):
    client = client_as("manager")
    _needing_core(bank, 0, 30)
    response, _ = _page(client)
    activities = response.context["page"].paginator.count
    resources = response.context["rpage"].paginator.count
    assert activities > views.WHATIF_PER_PAGE and resources > views.WHATIF_PER_PAGE
    export = client.get(URL, {**FAIL, "export": "xlsx"})
    workbook = load_workbook(io.BytesIO(export.content))
    assert workbook.worksheets[1].max_row == 1 + activities
    assert workbook.worksheets[2].max_row == 1 + resources
