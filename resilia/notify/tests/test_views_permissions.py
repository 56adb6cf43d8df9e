"""The notification pages' permission table: persona × page, each outcome from the declared
rules (resilia/notify/access.py: every reader reads, the BCM office writes), never from
observed responses; a permitted POST changes state and writes its audit event, a refused one
changes nothing. Query counts of the list pages are guarded."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.notify import services as notify
from resilia.notify.models import Acknowledgement, Send
from resilia.notify.tests.conftest import T0

# The page table's decisions by role are Python; the scope rules' queries run on PostgreSQL
# too, in the API permission table and the leak tests (resilia/conftest.py, one_database).
pytestmark = [pytest.mark.django_db, pytest.mark.one_database]

LOGIN = "login"
PERSONAS = ["admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor", "executive",
            "outsider"]  # fmt: skip
READERS = {"admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor"}
OFFICE = {"admin", "manager"}
READ_PAGES = ["send_list", "channel_list", "template_list", "calltree_list", "policy_list",
              "send_detail", "send_live", "send_unanswered", "channel_detail",
              "calltree_detail", "policy_detail"]  # fmt: skip
WRITE_PAGES = ["send_create", "rollcall_create", "channel_create", "template_create",
               "calltree_create", "channel_edit", "template_edit", "calltree_edit",
               "calltree_delete", "policy_create", "policy_edit", "policy_delete"]  # fmt: skip


def expected(persona: str, page: str):
    if persona == "outsider":
        return LOGIN
    if persona not in READERS:
        return 403
    if page in READ_PAGES:
        return 200
    return 200 if persona in OFFICE else 403


@pytest.fixture
def world(setup, personas, people):
    with request_context(source="test"):
        policy = notify.policy_create(
            actor=None, code="P", name="升级", steps=[{"call_tree": setup["duty"]}]
        )
        send = notify.send_start(
            actor=None,
            title="停电",
            template=setup["tpl"],
            channels=[setup["email"]],
            policy=policy,
            now=T0,
        )
    return {"send": send, "policy": policy, **setup}


def _url(page, w):
    args = {"send_detail": w["send"], "send_live": w["send"], "send_unanswered": w["send"],
            "channel_detail": w["email"], "calltree_detail": w["duty"],
            "policy_detail": w["policy"], "channel_edit": w["email"],
            "template_edit": w["tpl"], "calltree_edit": w["duty"], "calltree_delete": w["duty"],
            "policy_edit": w["policy"], "policy_delete": w["policy"]}  # fmt: skip
    obj = args.get(page)
    return reverse(f"notify:{page}", args=[obj.pk] if obj else [])


def _client(personas, persona):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if persona != "outsider":
        client.force_login(personas[persona])
    return client


@pytest.mark.parametrize("page", READ_PAGES + WRITE_PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_serves_each_page_to_whom_the_rules_allow(world, personas, persona, page):
    response = _client(personas, persona).get(_url(page, world))
    want = expected(persona, page)
    if want == LOGIN:
        assert response.status_code == 302 and "/login" in response["Location"]
    else:
        assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_the_office_close_a_send(world, personas, persona):
    response = _client(personas, persona).post(
        reverse("notify:send_close", args=[world["send"].pk])
    )
    world["send"].refresh_from_db()
    closed = AuditEvent.objects.filter(action="notify.send_close").exists()
    if persona in OFFICE:
        assert response.status_code == 302 and world["send"].status == Send.Status.FINISHED
        assert closed
    else:
        assert response.status_code in (302, 403, 404)
        assert world["send"].status == Send.Status.RUNNING and not closed


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_the_office_record_an_answer_for_someone(world, personas, people, persona):
    response = _client(personas, persona).post(
        reverse("notify:send_ack", args=[world["send"].pk]),
        {"person": people["alice"].pk, "answer": "ack"},
    )
    done = Acknowledgement.objects.filter(send=world["send"], person=people["alice"]).exists()
    assert done == (persona in OFFICE)
    if persona not in OFFICE:
        assert response.status_code in (302, 403, 404)


def _post_attempts(w, people):
    """One POST per new editor page, each a change a permitted persona makes."""
    rows = {"contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "0",
            "contacts-0-person": people["bob"].pk, "contacts-0-role": "DBA"}  # fmt: skip
    steps = {"steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0",
             "steps-0-call_tree": w["dba"].pk, "steps-0-wait_minutes": "5"}  # fmt: skip
    tree = {"code": "NEW", "name": "新呼叫树", "name_en": "", "team": ""}
    policy = {"code": "NEW", "name": "新策略", "quorum": "1", "repeat_limit": "0"}
    return {
        "calltree_create": (reverse("notify:calltree_create"), tree | rows),
        "calltree_edit": (reverse("notify:calltree_edit", args=[w["dba"].pk]),
                          tree | {"code": "DBA"} | rows),
        "calltree_delete": (reverse("notify:calltree_delete", args=[w["dba"].pk]), {}),
        "policy_create": (reverse("notify:policy_create"), policy | steps),
        "policy_edit": (reverse("notify:policy_edit", args=[w["policy"].pk]),
                        policy | {"code": "P"} | steps),
        "policy_delete": (reverse("notify:policy_delete", args=[w["policy"].pk]), {}),
    }  # fmt: skip


POST_PAGES = ["calltree_create", "calltree_edit", "calltree_delete", "policy_create",
              "policy_edit", "policy_delete"]  # fmt: skip


@pytest.mark.parametrize("page", POST_PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_the_office_change_trees_and_policies(world, personas, people, persona, page):
    if page == "policy_delete":  # the world's send keeps its policy: start from a free one
        with request_context(source="test"):
            world["policy"] = notify.policy_create(
                actor=None, code="FREE", name="空闲", steps=[{"call_tree": world["duty"]}]
            )
    url, data = _post_attempts(world, people)[page]
    before = AuditEvent.objects.count()
    response = _client(personas, persona).post(url, data)
    changed = AuditEvent.objects.count() > before
    if persona in OFFICE:
        assert response.status_code == 302 and changed
    else:
        assert response.status_code in (302, 403) and not changed
        if persona == "outsider":
            assert "/login" in response["Location"]


@pytest.mark.parametrize("page", ["send_list", "channel_list", "calltree_list", "policy_list"])
def test_it_lists_with_a_bounded_number_of_queries(
    world, personas, page, django_assert_max_num_queries
):
    client = _client(personas, "manager")
    with django_assert_max_num_queries(15):
        assert client.get(_url(page, world)).status_code == 200


def test_it_shows_the_live_view_with_a_bounded_number_of_queries(
    world, personas, django_assert_max_num_queries
):
    client = _client(personas, "manager")
    with django_assert_max_num_queries(15):
        assert client.get(_url("send_live", world)).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(_url("send_unanswered", world)).status_code == 200
