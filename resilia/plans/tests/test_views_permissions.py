"""The plan pages' permission table: persona × page, each outcome from the declared rules
(resilia/plans/access.py), never from observed responses. A permitted POST changes the
version and writes its audit event; a refused one changes nothing and writes none."""

import pytest
from django.test import Client
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.plans.models import PlanVersion
from resilia.plans.tests.conftest import PASSWORD

# The page table's decisions by role are Python; the scope rules' queries run on PostgreSQL
# too, in the API permission table and the leak tests (resilia/conftest.py, one_database).
pytestmark = pytest.mark.one_database

LOGIN = "login"
PERSONAS = ["admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor", "executive",
            "head_a", "outsider"]  # fmt: skip
READERS = {"admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor", "head_a"}
OFFICE = {"admin", "manager"}
# EP-NET belongs to DEPT-A: read by the organisation-wide readers and DEPT-A's subtree.
NET_READERS = {"admin", "manager", "auditor", "coord_a", "contrib_a", "head_a"}
NET_WRITERS = {"admin", "manager", "coord_a", "head_a"}
PAGES = ["plan_list", "plan_create", "plan_detail", "plan_edit", "version_detail",
         "version_edit", "compare", "export_pdf"]  # fmt: skip


def expected(persona: str, page: str):
    if persona == "outsider":
        return LOGIN
    if persona not in READERS:
        return 403
    if page == "plan_list":
        return 200
    if page == "plan_create":  # contributors write only what is assigned to them
        return 200 if persona != "auditor" and persona != "contrib_a" else 403
    if persona not in NET_READERS:
        return 404
    if page in ("plan_edit", "version_edit"):
        return 200 if persona in NET_WRITERS else 403
    return 200


def url(page, v):
    if page in ("plan_list", "plan_create"):
        return reverse(f"plans:{page}")
    if page in ("plan_detail", "plan_edit", "compare"):
        return reverse(f"plans:{page}", args=[v.plan_id])
    if page == "export_pdf":
        return reverse("plans:version_export", args=[v.plan_id, v.number, "pdf"])
    return reverse(f"plans:{page}", args=[v.plan_id, v.number])


def client(users, persona) -> Client:
    c = Client()
    if persona != "outsider":
        c.force_login(users[persona])
    return c


def outcome(response):
    if response.status_code == 302 and "/login" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_as_the_rules_say(plan_setup, personas, persona):
    users = {**personas, "head_a": plan_setup["head_a"]}
    v = plan_setup["version"]
    c = client(users, persona)
    got = {page: outcome(c.get(url(page, v))) for page in PAGES}
    assert got == {page: expected(persona, page) for page in PAGES}


# Who may sign as author (编制人): whoever may write the draft; as reviewer: the office.
AUTHORS = NET_WRITERS


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_right_people_sign_as_author(plan_setup, personas, persona):
    users = {**personas, "head_a": plan_setup["head_a"]}
    v = plan_setup["version"]
    before = AuditEvent.objects.count()
    response = client(users, persona).post(
        reverse("plans:version_sign", args=[v.plan_id, v.number, "author"]),
        {"password": PASSWORD},
    )
    signed = PlanVersion.objects.get(pk=v.pk).status == "in_review"
    assert signed == (persona in AUTHORS)
    assert (AuditEvent.objects.count() > before) == signed
    if persona == "outsider":
        assert outcome(response) == LOGIN
    elif persona not in NET_READERS:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_bcm_office_reviews(plan_setup, personas, persona):
    from resilia.plans import services

    users = {**personas, "head_a": plan_setup["head_a"]}
    v = plan_setup["version"]
    services.version_submit(actor=personas["coord_a"], version=v, password=PASSWORD)
    client(users, persona).post(
        reverse("plans:version_sign", args=[v.plan_id, v.number, "reviewer"]),
        {"password": PASSWORD},
    )
    reviewed = v.signatures.filter(role="reviewer").exists()
    assert reviewed == (persona in OFFICE)
