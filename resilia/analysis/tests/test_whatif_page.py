"""The what-if page on the worked bank model (see conftest): results, order, access, timeline."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from resilia.analysis.tests.conftest import B_MARK

pytestmark = pytest.mark.django_db
URL = "/analysis/whatif/"


def timeline(response) -> list[dict]:
    """The timeline's rows as the page's script rebuilds them from its one list per key."""
    html = response.content.decode()
    start = html.index('id="whatif-timeline-data"')
    start = html.index(">", start) + 1
    columns = json.loads(html[start : html.index("</script>", start)])
    rows = zip(*columns.values(), strict=True)
    return [dict(zip(columns, values, strict=True)) for values in rows]


def test_it_is_the_analysis_entry_in_the_navigation(client_as, bank):
    response = client_as("manager").get(reverse("site:home"))
    assert reverse("analysis:whatif") in response.content.decode()
    assert "ti-chart-infographic" in response.content.decode()


def test_it_lets_one_data_centre_fail_without_stopping_anything_thanks_to_the_standby(
    client_as, bank
):
    """Active/standby data centres are an OR group: the main one failing alone (its site
    DC-MAIN) stops no activity — the core system runs from the standby."""
    response = client_as("manager").get(URL, {"fail": "site:DC-MAIN"})
    assert response.status_code == 200
    assert response.context["report"].failed == ["resource:DC1"]
    assert response.context["rows"] == []
    assert [r["key"] for r in response.context["resource_rows"]] == ["resource:DC1"]


def test_it_sorts_affected_activities_by_time_to_mtpd_then_rto_breach(client_as, bank):
    """Both data centres down: CORE is down until the first one is back (DC1, 5 h).
    PAY breaches its RTO at 1 h and its MTPD at 4 h; LOAN breaches its RTO at 4 h only;
    REPORT's 4 h manual workaround (tolerance) delays its stop to 4 h and it is back at 5 h,
    within its RTO."""
    response = client_as("manager").get(
        URL, {"fail": ["resource:DC1", "resource:DC2"], "at": "2026-05-01T09:00"}
    )
    rows = response.context["rows"]
    assert [r["code"] for r in rows] == ["PAY", "LOAN", "REPORT"]
    pay, loan, report = rows
    assert (pay["stop_at"], pay["back_at"], pay["rto_breach_at"], pay["mtpd_breach_at"]) == (
        0,
        300,
        60,
        240,
    )
    assert pay["rto_breach_time"].startswith("2026-05-01T10:00")
    assert pay["mtpd_breach_time"].startswith("2026-05-01T13:00")
    assert (loan["rto_breach_at"], loan["mtpd_breach_at"]) == (240, None)
    assert (report["stop_at"], report["back_at"], report["rto_breach_at"]) == (240, 300, None)
    assert report["cause"][-1]["tolerance"] == 240
    # The cause chain names the OR group the failure went through.
    assert [(c["dependency"]["code"], c["group"]) for c in pay["cause"]] == [
        ("DC1", "dc"),
        ("CORE", None),
    ] or [(c["dependency"]["code"], c["group"]) for c in pay["cause"]] == [
        ("DC2", "dc"),
        ("CORE", None),
    ]
    assert [t["code"] for t in pay["teams"]] == ["ERT-A"]
    html = response.content.decode()
    assert "Payment clearing" in html and "Payments response team" in html
    assert [p["mtpd"] for p in timeline(response)] == [240, None, None]


def test_it_shows_a_coordinator_no_name_of_the_other_department(client_as, bank):
    response = client_as("coord_a").get(URL, {"fail": ["resource:DC1", "resource:DC2"]})
    assert response.status_code == 200
    assert [r["code"] for r in response.context["rows"]] == ["PAY", "REPORT"]
    assert response.context["report"].hidden == 1
    html = response.content.decode()
    assert B_MARK not in html and "LOAN" not in html
    assert "ERT-B" not in html


def test_it_lets_a_coordinator_pick_only_nodes_they_may_read(client_as, bank):
    response = client_as("coord_a").get(URL, {"fail": "resource:KP-B"})
    assert response.status_code == 200
    assert "report" not in response.context
    assert "resource:KP-B: there is no such node, or you may not see it." in (
        response.content.decode()
    )
    search = client_as("coord_a").get(reverse("analysis:node_search"), {"q": "KP"})
    assert "KP-B" not in search.content.decode()
    search = client_as("manager").get(reverse("analysis:node_search"), {"q": "KP"})
    assert 'data-spec="resource:KP-B"' in search.content.decode()


def test_it_offers_sites_and_suppliers_in_the_autocomplete(client_as, bank):
    response = client_as("coord_a").get(reverse("analysis:node_search"), {"q": "S"})
    html = response.content.decode()
    assert 'data-spec="supplier:SWIFT"' in html
    response = client_as("coord_a").get(reverse("analysis:node_search"), {"q": "DC-"})
    assert 'data-spec="site:DC-MAIN"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"fail": "DC1"}, "DC1: write KIND:CODE, for example resource:DC1."),
        ({"fail": "planet:MARS"}, "planet:MARS: the kind must be"),
        ({"fail": "supplier:CORE"}, "supplier:CORE: there is no such node"),
        ({"run": "1"}, "Pick at least one failed node."),
    ],
)
def test_it_explains_bad_picks_without_failing(client_as, bank, params, message):
    response = client_as("manager").get(URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_it_shows_the_page_in_chinese(client_as, bank):
    response = client_as("executive", "zh-hans").get(URL, {"fail": "resource:CORE"})
    html = response.content.decode()
    assert "受影响的业务活动" in html and "支付清算" in html


def test_it_keeps_the_query_count_flat(client_as, bank, django_assert_max_num_queries):
    client = client_as("coord_a")
    client.get(URL, {"fail": "resource:CORE"})  # compile the graph once
    with django_assert_max_num_queries(20):
        response = client.get(URL, {"fail": ["resource:DC1", "resource:DC2"]})
    assert response.status_code == 200
