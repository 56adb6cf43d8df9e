"""The BCM home page: the continuity figures of the reader's scope on the demo bank, each
opening the register filtered to exactly those rows, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from resilia.accounts.models import User
from resilia.accounts.tests.tokens import api_key
from resilia.analysis.reports import GapsReport, SpofReport
from resilia.analysis.results import Analysis
from resilia.conftest import built_once
from resilia.core import access
from resilia.dependencies import selectors
from resilia.dependencies.models import Activity, Resource
from resilia.hazards.models import Hazard
from resilia.incidents.models import Incident
from resilia.org.models import Person

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'(?:href="([^"]+)" )?data-figure="(\w+)">(\d+)<')
LIST_COUNT = re.compile(r'data-testid="list-count">\s*(\d+)')


@pytest.fixture(scope="module")
def demo_bank(django_db_setup, django_db_blocker):
    """The demo bank, loaded once for the module (a few seconds); each test's changes are
    rolled back to it."""
    with built_once(django_db_blocker), pytest.MonkeyPatch.context() as patch:
        patch.setenv("RESILIA_DEMO_PASSWORD", "Demo-Password-2026")
        selectors.forget_compiled()
        call_command("demo", stdout=io.StringIO())
        yield
    selectors.forget_compiled()


@pytest.fixture
def demo(demo_bank, db):
    # The compiled model is cached by revision stamp: a rolled-back test repeats stamps.
    selectors.forget_compiled()
    yield
    selectors.forget_compiled()


def _client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username=username))
    return client


def _figures(client) -> dict[str, tuple[int, str | None]]:
    html = client.get("/").content.decode()
    return {key: (int(count), url) for url, key, count in FIGURE.findall(html)}


def _expected(user) -> dict[str, int]:
    """The same figures computed another way: per-row Python checks, the engine's per-activity
    recovery bound, and the analysis pages' own reports."""
    rows = {m: list(access.report_rows(user, m)) for m in (Activity, Resource, Person)}
    model = selectors.compiled_model()
    stale_before = timezone.localdate() - dt.timedelta(days=365)
    analysis = Analysis(user)
    n_act = len(analysis.index.activity_ids)
    unmet = [
        a for a in rows[Activity] if a.rto is not None and not model.recovery_bound(a.pk).achievable
    ]
    return {
        "rto_unmet": len(unmet),
        "no_objectives": sum(None in (a.mtpd, a.rto, a.rpo) for a in rows[Activity]),
        "spof": sum(s.node >= n_act for s in SpofReport(analysis).spofs),
        "gap": len({g.node for g in GapsReport(analysis).resource_gaps}),
        "untested": sum(
            r.capability_tested_on is None or (r.recovery_time is None and r.recovery_point is None)
            for r in rows[Resource]
        ),
        "stale": sum(
            r.capability_tested_on is not None and r.capability_tested_on < stale_before
            for r in rows[Resource]
        ),
        "no_deputy": sum(p.is_key_person and p.deputy_id is None for p in rows[Person]),
        "major_hazards": sum(
            h.grade == "major" and h.is_open for h in access.report_rows(user, Hazard)
        ),
        # Issue 13 item 8: drills are counted apart from real incidents.
        **_incidents(user),
    }


def _incidents(user) -> dict[str, int]:
    rows = [i for i in access.report_rows(user, Incident) if i.is_open]
    found = {"open_incidents": sum(not i.is_drill for i in rows)}
    drills = sum(i.is_drill for i in rows)
    return {**found, "open_drills": drills} if drills else found


# The demo bank is loaded once for the module: several roles are checked per test.


def test_it_shows_the_continuity_figures_of_each_readers_scope(demo):
    """ISO 22301 8.2.2 / standards.md §2 rules 5 and 7: a prioritised activity (one with an RTO)
    whose RTO is below what its dependencies' tested recovery allows cannot meet it."""
    shown = {}
    for username in ("bcm", "coord_it", "auditor", "executive"):
        figures = _figures(_client(username))
        shown[username] = {key: count for key, (count, _url) in figures.items()}
        assert shown[username] == _expected(User.objects.get(username=username)), username
        # Executives see organisation-wide totals, with no register behind them.
        assert all(bool(url) == (username != "executive") for _c, url in figures.values())
    bcm, coord = shown["bcm"], shown["coord_it"]
    assert bcm["rto_unmet"] > 0 and bcm["spof"] > 0 and bcm["untested"] > 0
    assert shown["executive"] == bcm == shown["auditor"]
    assert all(coord[k] <= bcm[k] for k in bcm) and coord["rto_unmet"] < bcm["rto_unmet"]


def test_it_opens_a_list_with_exactly_as_many_rows_as_each_figure(demo):
    for username in ("bcm", "coord_it"):
        client = _client(username)
        figures = _figures(client)
        assert len(figures) == 10  # the demo has a drill under way
        for key, (count, url) in figures.items():
            listed = LIST_COUNT.search(client.get(url.replace("&amp;", "&")).content.decode())
            assert int(listed.group(1)) == count, (username, key)


def test_it_gives_the_api_the_same_filters(demo):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(User.objects.get(username='coord_it'))}")
    figures = _figures(_client("coord_it"))
    for key, endpoint in (
        ("rto_unmet", "activities/?rto_unmet=true"),
        ("no_objectives", "activities/?no_objectives=true"),
        ("gap", "resources/?gap=true"),
        ("spof", "resources/?spof=true"),
        ("stale", "resources/?stale=true"),
        ("no_deputy", "people/?is_key_person=true&has_deputy=false"),
        ("open_incidents", "incidents/?open=true&drill=false"),
        ("open_drills", "incidents/?open=true&drill=true"),
    ):
        answer = api.get(f"/api/{endpoint}").json()
        assert answer.get("count") == figures[key][0], (key, answer)
    assert api.get("/api/resources/?gap=maybe").status_code == 400


def test_it_reads_the_charts_without_javascript_in_both_languages(demo):
    client = _client("bcm")
    html = client.get("/").content.decode()
    assert 'id="home-charts"' in html and "<script>" not in html
    assert re.search(r"RTO cannot be met: \d+", html)
    assert re.search(r"Never tested: \d+", html)
    zh = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "无法达成" in zh and re.search(r"从未测试：\d+", zh)


def test_it_counts_stale_tests_by_the_configured_period(demo, settings):
    settings.CAPABILITY_TEST_STALE_DAYS = 10_000
    client = _client("bcm")
    old = timezone.localdate() - dt.timedelta(days=10_000)
    assert (
        _figures(client)["stale"][0]
        == Resource.objects.filter(capability_tested_on__lt=old).count()
    )
    assert "older than 10000 days" in client.get("/").content.decode()
    listed = client.get("/dependencies/resources/?stale=true").content.decode()
    assert int(LIST_COUNT.search(listed).group(1)) == _figures(client)["stale"][0]


def test_it_costs_a_constant_number_of_queries(demo, django_assert_max_num_queries):
    for username in ("bcm", "coord_it", "executive"):
        client = _client(username)
        client.get("/")  # compiles the model once for this revision
        # 18, plus at most 5 for the plans by readiness (plans.readiness.readiness_many).
        with django_assert_max_num_queries(23):
            assert client.get("/").status_code == 200
