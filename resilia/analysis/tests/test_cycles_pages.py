"""The recovery order's dependency cycles at scale: the order page names a few, cut short, in
the same bytes and queries however many cycles there are and however much they block; the
cycles page and each cycle's page page the rest (issue 7)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resilia.analysis import views
from resilia.core.context import request_context
from resilia.dependencies import selectors
from resilia.dependencies import services as dep

pytestmark = pytest.mark.django_db

ORDER, CYCLES = "/analysis/order/", "/analysis/order/cycles/"


def _cycles(bank, start: int, count: int, blocked: int) -> None:
    """`count` two-activity cycles, numbered from `start`, each blocking `blocked` more."""
    unit = bank["pay"].unit
    items, links = [], []
    for c in range(start, start + count):
        items += [{"code": f"Y{c:02d}A", "name": f"环{c:02d}甲", "unit": unit}]
        items += [{"code": f"Y{c:02d}B", "name": f"环{c:02d}乙", "unit": unit}]
        items += [
            {"code": f"Y{c:02d}X{b:02d}", "name": f"受阻{c:02d}-{b:02d}", "unit": unit}
            for b in range(blocked)
        ]
    with request_context(source="test"):
        made = {a.code: a for a in dep.activity_create_many(actor=None, items=items)}
        for c in range(start, start + count):
            first, second = made[f"Y{c:02d}A"], made[f"Y{c:02d}B"]
            links += [(first, second, {}), (second, first, {})]
            links += [(made[f"Y{c:02d}X{b:02d}"], first, {}) for b in range(blocked)]
        dep.dependency_create_many(actor=None, links=links)
    selectors.forget_compiled()


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(queries)


def test_it_names_a_few_cycles_cut_short_in_the_same_bytes_and_queries(client_as, bank):
    client = client_as("manager")
    _cycles(bank, 0, 6, 12)
    client.get(ORDER)  # the analyses of this revision
    small, small_queries = _get(client, ORDER)
    cycles = small.context["cycles"]
    assert len(cycles) == views.CYCLES_SHOWN and small.context["more_cycles"] == 1
    assert len(cycles[0]["blocked"]) == views.CYCLE_CAP and cycles[0]["more_blocked"] == 2
    body = small.content.decode()
    assert "1 more cycle" in body and "and 2 more" in body
    assert 'href="/analysis/order/cycles/1/"' in body

    _cycles(bank, 6, 12, 30)
    client.get(ORDER)
    large, large_queries = _get(client, ORDER)
    assert large.context["cycle_count"] == 18 and large.context["more_cycles"] == 13
    assert large_queries == small_queries
    assert abs(len(large.content) - len(small.content)) < 100


def test_it_pages_the_cycles_and_each_cycles_members_and_blocked_nodes(
    client_as, bank, monkeypatch
):
    client = client_as("manager")
    _cycles(bank, 0, 3, 55)
    monkeypatch.setattr(views, "CYCLES_PER_PAGE", 2)
    first = client.get(CYCLES).context
    assert [c["number"] for c in first["cycles"]] == [1, 2]
    second = client.get(CYCLES, {"page": 2}).context
    assert [c["number"] for c in second["cycles"]] == [3]
    assert [m["code"] for m in second["cycles"][0]["members"]] == ["Y02A", "Y02B"]

    one = client.get("/analysis/order/cycles/1/")
    assert [m["code"] for m in one.context["members"]] == ["Y00A", "Y00B"]
    blocked = [b["code"] for b in one.context["blocked"]]
    assert len(blocked) == views.PER_PAGE and one.context["bpage"].paginator.count == 55
    rest = client.get("/analysis/order/cycles/1/", {"bpage": 2}).context
    more = [b["code"] for b in rest["blocked"]]
    assert len(more) == 5 and not set(more) & set(blocked)
    assert sorted(blocked + more) == [f"Y00X{b:02d}" for b in range(55)]
    assert client.get("/analysis/order/cycles/4/").status_code == 404
    assert client.get("/analysis/order/cycles/0/").status_code == 404


def test_it_shows_a_coordinator_only_the_cycles_of_their_scope(client_as, bank):
    _cycles(bank, 0, 2, 1)  # in PAY's unit, which coordinator B may not read
    assert client_as("coord_b").get(CYCLES).context["cycles"] == []
    assert client_as("coord_b").get("/analysis/order/cycles/1/").status_code == 404
    assert len(client_as("coord_a").get(CYCLES).context["cycles"]) == 2
