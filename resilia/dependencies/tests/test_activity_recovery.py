"""The activity page says whether its RTO can be met and which dependency limits it
(issue 7 item 11; docs/engine.md, activity gaps: the recovery-time lower bound B).

Worked example from the test bank: payments (RTO 2 h) need the core system (60 min), which
runs in either data centre (OR: DC1 4 h, DC2 8 h). The core system cannot be back before the
faster data centre, so payments cannot be back before 4 h: the RTO of 2 h cannot be met, and
DC1 is what limits it.
"""

from __future__ import annotations

import pytest

from resilia.dependencies import selectors
from resilia.dependencies import services as deps
from resilia.dependencies.tests.graph_wire import unpack


@pytest.fixture(autouse=True)
def _fresh_model():
    selectors.forget_compiled()
    yield
    selectors.forget_compiled()


def _page(client, activity, language="zh-hans") -> str:
    response = client.get(activity.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_it_says_an_unmet_rto_and_names_the_limiting_dependency(client_for, bank):
    page = _page(client_for("manager"), bank["pay"])
    assert 'data-testid="rto-achievable"' in page and "alert-danger" in page
    assert "无法满足 RTO" in page and "4 小时" in page and "2 小时" in page
    assert f'href="{bank["dc1"].get_absolute_url()}" data-testid="limited-by"' in page
    english = _page(client_for("manager"), bank["pay"], "en")
    assert "The RTO cannot be met" in english and "4 h" in english


def test_it_says_an_rto_that_needs_an_untested_capability_cannot_be_shown_met(client_for, bank):
    """One rule (docs/engine.md §Gaps: an untested capability counts as a gap): the DEPT-B
    operations (RTO 1 h) need YIB-SYS, never tested. The activity page, the gaps page, its
    export, the API and the graph all say the same: a gap, because of YIB-SYS."""
    client = client_for("manager")
    page = _page(client, bank["ops"], "en")
    assert "The RTO cannot be shown to be met" in page and "alert-danger" in page
    assert f'href="{bank["b_res"].get_absolute_url()}" data-testid="untested-by"' in page
    assert "无法证明能满足 RTO" in _page(client, bank["ops"])

    gaps = client.get("/analysis/gaps/").context["activity_rows"]
    ops = next(r for r in gaps if r["code"] == "YIB-OPS")
    assert ops["untested"] and ops["limited_by"]["code"] == "YIB-SYS"
    api = client.get("/api/analysis/gaps/").json()["activities"]
    assert [(a["code"], a["untested"]) for a in api if a["code"] == "YIB-OPS"] == [
        ("YIB-OPS", True)
    ]
    graph = unpack(
        client.get(
            "/dependencies/graph/data/", {"node": f"activity:{bank['ops'].pk}", "depth": 1}
        ).json()
    )
    verdicts = {n["code"]: n["verdict"] for n in graph["nodes"]}
    assert verdicts == {"YIB-OPS": "gap", "YIB-SYS": "gap"}


def test_it_says_a_met_rto_once_what_it_needs_is_tested(client_for, bank):
    deps.resource_update(actor=bank["actor"], resource=bank["b_res"], recovery_time=30)
    page = _page(client_for("manager"), bank["ops"], "en")
    assert "The RTO can be met, as far as tests show" in page and "alert-success" in page
    gaps = client_for("manager").get("/analysis/gaps/").context["activity_rows"]
    assert "YIB-OPS" not in {r["code"] for r in gaps}


def test_it_follows_a_faster_data_centre(client_for, bank):
    """Once DC1 recovers in 90 minutes the core system is back within 90: 2 h is met."""
    deps.resource_update(actor=bank["actor"], resource=bank["dc1"], recovery_time=90)
    page = _page(client_for("manager"), bank["pay"], "en")
    assert "The RTO can be met" in page


def test_it_hides_a_limiting_dependency_outside_the_readers_scope(client_for, bank):
    deps.dependency_create(actor=bank["actor"], dependent=bank["ops"], dependency=bank["core"])
    page = _page(client_for("coord_b"), bank["ops"], "en")
    assert "The RTO cannot be met" in page
    assert 'data-testid="limited-by">Not visible to you<' in page
    assert "DC1" not in page and "主数据中心" not in page


def test_it_says_nothing_without_an_rto(client_for, bank):
    deps.activity_update(actor=bank["actor"], activity=bank["pay"], rto=None)
    assert 'data-testid="rto-achievable"' not in _page(client_for("manager"), bank["pay"])
