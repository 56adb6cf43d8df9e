"""The BIA pages' permission table: persona × page, each outcome from the declared rules
(resilia/bia/access.py), never from observed responses. A permitted POST changes the
assessment and writes its audit event; a refused one changes nothing and writes none."""

import pytest
from django.test import Client

from resilia.audit.models import AuditEvent
from resilia.bia import services as bia
from resilia.bia.models import Assessment
from resilia.bia.tests.conftest import H, full_ratings
from resilia.core.context import request_context

# The page table's decisions by role are Python; the scope rules' queries run on PostgreSQL
# too, in the API permission table and the leak tests (resilia/conftest.py, one_database).
pytestmark = pytest.mark.one_database

LOGIN = "login"  # a redirect to the sign-in page
PERSONAS = ["admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor", "executive",
            "head_a", "outsider"]  # fmt: skip
READERS = {"admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor", "head_a"}
OFFICE = {"admin", "manager"}  # organisation-wide writers: the BCM office
# Who reads PAY (DEPT-A): the organisation-wide readers and DEPT-A's subtree.
PAY_READERS = {"admin", "manager", "auditor", "coord_a", "contrib_a", "head_a"}
# Who fills PAY: the office and DEPT-A's coordinators (contrib_a is not assigned to it).
PAY_FILLERS = {"admin", "manager", "coord_a", "head_a"}


def expected(persona: str, page: str) -> int:
    if persona == "outsider":
        return LOGIN
    if persona not in READERS:
        return 403
    if page in (
        "campaign_list",
        "assessment_list",
        "framework",
        "campaign_detail",
        "heatmap",
        "export",
    ):
        return 200
    if page in ("framework_edit", "campaign_create", "campaign_edit"):
        return 200 if persona in OFFICE else 403
    if persona not in PAY_READERS:
        return 404
    if page in ("assessment_detail", "compare"):
        return 200
    if page == "save":
        return 302 if persona in PAY_FILLERS else 403
    if page == "review":
        return 302 if persona in OFFICE else 403
    if page == "approve":
        return 302 if persona == "head_a" else 403
    raise AssertionError(page)


@pytest.fixture
def world(bia_setup, personas):
    with request_context(source="test"):
        bia.campaign_launch(actor=personas["manager"], campaign=bia_setup["campaign"])
    pay = Assessment.objects.get(activity=bia_setup["pay"])
    users = {**personas, "head_a": bia_setup["head_a"]}
    return {"pay": pay, "users": users, "campaign": bia_setup["campaign"]}


def _client(world, persona):
    client = Client()
    if persona != "outsider":
        client.force_login(world["users"][persona])
    return client


def _advance(world, status):
    """Bring PAY to the status a workflow step needs, as its rightful actors."""
    pay, users = world["pay"], world["users"]
    with request_context(source="test"):
        bia.assessment_save(
            actor=users["coord_a"],
            assessment=pay,
            ratings=full_ratings(pay.framework, legal=[1, 1, 3, 4, 4, 4, 5, 5, 5, 5]),
            rto=4 * H,
            rpo=15,
        )
        bia.assessment_submit(actor=users["coord_a"], assessment=pay)
        if status == "reviewed":
            bia.assessment_review(actor=users["manager"], assessment=pay)


GET_PAGES = {
    "campaign_list": lambda w: "/bia/",
    "assessment_list": lambda w: "/bia/assessments/",
    "framework": lambda w: "/bia/framework/",
    "framework_edit": lambda w: "/bia/framework/edit/",
    "campaign_create": lambda w: "/bia/campaigns/new/",
    "campaign_detail": lambda w: f"/bia/campaigns/{w['campaign'].pk}/",
    "campaign_edit": lambda w: f"/bia/campaigns/{w['campaign'].pk}/edit/",
    "assessment_detail": lambda w: f"/bia/assessments/{w['pay'].pk}/",
    "heatmap": lambda w: f"/bia/campaigns/{w['campaign'].pk}/heatmap/",
    "export": lambda w: f"/bia/campaigns/{w['campaign'].pk}/export/",
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", sorted(GET_PAGES))
def test_get(world, persona, page):
    response = _client(world, persona).get(GET_PAGES[page](world))
    _check(response, expected(persona, page))


def _check(response, outcome):
    if outcome == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == outcome


@pytest.mark.parametrize("persona", PERSONAS)
def test_compare(world, persona):
    _advance(world, "submitted")
    response = _client(world, persona).get(f"/bia/assessments/{world['pay'].pk}/compare/")
    _check(response, expected(persona, "compare"))


def _post_case(world, persona, page):
    pay = world["pay"]
    if page == "save":
        return f"/bia/assessments/{pay.pk}/", {"rto": "2h"}
    if page == "review":
        _advance(world, "submitted")
        return f"/bia/assessments/{pay.pk}/review/", {"comment": "ok"}
    _advance(world, "reviewed")
    return f"/bia/assessments/{pay.pk}/approve/", {}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["save", "review", "approve"])
def test_post(world, persona, page):
    url, data = _post_case(world, persona, page)
    pay = world["pay"]
    pay.refresh_from_db()
    before = (pay.status, pay.rto, AuditEvent.objects.count())
    response = _client(world, persona).post(url, data)
    outcome = expected(persona, page)
    _check(response, outcome)
    pay.refresh_from_db()
    after = (pay.status, pay.rto, AuditEvent.objects.count())
    if outcome == 302:
        assert after != before and after[2] > before[2]
    else:
        assert after == before
