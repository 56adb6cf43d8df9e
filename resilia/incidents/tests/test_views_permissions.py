"""The incident pages' permission table: persona × page, each outcome from the declared rules
(resilia/incidents/access.py), never from observed responses. A permitted POST changes the
record and writes its audit event; a refused one changes nothing and writes none.

The incident belongs to DEPT-A; the anomaly report is at a shared site."""

import pytest
from django.test import Client
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.incidents import intake, services
from resilia.incidents.models import JournalEntry
from resilia.incidents.tests.conftest import pack

# The page table's decisions by role are Python; the scope rules' queries run on PostgreSQL
# too, in the API permission table and the leak tests (resilia/conftest.py, one_database).
pytestmark = [pytest.mark.django_db, pytest.mark.one_database]

LOGIN = "login"
PERSONAS = ["admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor", "executive",
            "outsider"]  # fmt: skip
READERS = {"admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor"}
OFFICE = {"admin", "manager"}
RUNNERS = OFFICE | {"coord_a", "coord_b"}  # declare, run the incidents of their subtree
A_READERS = {"admin", "manager", "auditor", "coord_a", "contrib_a"}  # DEPT-A's incident
A_RUNNERS = OFFICE | {"coord_a"}
INTAKE_READERS = RUNNERS | {"auditor"}

LISTS = ["list"]
PAGES = ["detail", "live", "board", "report_view"]


def expected(persona: str, page: str):
    if persona == "outsider":
        return LOGIN
    if page in ("intake", "intake_detail"):
        return 200 if persona in INTAKE_READERS else 403
    if page == "hotline":
        return 200 if persona in RUNNERS else 403
    if persona not in READERS:
        return 403
    if page in LISTS:
        return 200
    if page == "declare":
        return 200 if persona in RUNNERS else 403
    if persona not in A_READERS:
        return 404
    if page in PAGES:
        return 200
    if page in ("edit", "report_new", "journal"):
        ok = 302 if page == "journal" else 200
        return ok if persona in A_RUNNERS else 403
    raise AssertionError(page)


def _client(personas, name):
    client = Client()
    if name != "outsider":
        client.force_login(personas[name])
    return client


def _outcome(response):
    if response.status_code == 302 and "/accounts/login" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.fixture
def world(bank, personas, t0):
    inc = services.incident_declare(
        actor=personas["manager"], title="SWIFT中断", category="supplier", pack=pack("cn-bank-53"),
        detected_at=t0, unit=bank["pay"].unit, resources=[bank["swift"]], facts={"provinces": 1},
    )  # fmt: skip
    report = services.report_file(actor=personas["manager"], incident=inc, title="初报", body="…")
    link = intake.link_create(actor=personas["manager"], label="海报", site=bank["site_main"])
    anomaly = intake.report(source="link", link=link, what="空调漏水")
    return {"incident": inc, "report": report, "anomaly": anomaly}


def _url(world, page):
    inc = world["incident"]
    if page in ("list", "declare", "intake", "hotline"):
        return reverse(f"incidents:{page}")
    if page == "report_view":
        return reverse("incidents:report", args=[world["report"].pk])
    if page == "intake_detail":
        return reverse("incidents:intake_detail", args=[world["anomaly"].pk])
    if page == "edit":
        return reverse("incidents:incident_edit", args=[inc.pk])
    return reverse(f"incidents:{page}", args=[inc.pk])


GETS = [*LISTS, "declare", *PAGES, "edit", "report_new", "intake", "intake_detail", "hotline"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages(world, personas, persona):
    client = _client(personas, persona)
    for page in GETS:
        assert _outcome(client.get(_url(world, page))) == expected(persona, page), page


@pytest.mark.parametrize("persona", PERSONAS)
def test_writing_the_journal(world, personas, persona):
    before = AuditEvent.objects.filter(object_type="incidents.journalentry").count()
    entries = JournalEntry.objects.count()
    response = _client(personas, persona).post(
        _url(world, "journal"), {"kind": "decision", "text": "切换备用通道"}
    )
    outcome = expected(persona, "journal")
    assert _outcome(response) == outcome
    done = outcome == 302
    assert JournalEntry.objects.count() == entries + int(done)
    after = AuditEvent.objects.filter(object_type="incidents.journalentry").count()
    assert after == before + int(done)
