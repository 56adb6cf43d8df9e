"""Escalation steps that name people (issue 12: a step notifies "these people or groups"):
alone or with a call tree or team, resolved after the tree's contacts and nobody twice,
audited through the services, read and written by the API with ids, chosen on the policy
page with the picker, and a step naming nobody refused with a translated message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.notify import calltrees
from resilia.notify import services as notify
from resilia.notify.dispatch import dispatch
from resilia.notify.models import Delivery, EscalationPolicy, EscalationStep, Send
from resilia.notify.tests.conftest import T0
from resilia.org import services as org

pytestmark = pytest.mark.django_db

NOBODY = "A step notifies a call tree, a team or named people: choose at least one."


def _step_events(action):
    return AuditEvent.objects.filter(action=action, object_type="notify.escalationstep")


def _policy(actor, steps, *, code="P", quorum=1, repeat=0):
    with request_context(source="test"):
        return notify.policy_create(
            actor=actor,
            code=code,
            name="数据库故障升级",
            quorum=quorum,
            repeat_limit=repeat,
            steps=steps,
        )


# Services ----------------------------------------------------------------------------------
def test_it_saves_a_person_only_step_and_audits_its_people(setup, personas, people):
    policy = _policy(personas["manager"], [{"people": [people["carol"], people["bob"]]}])
    step = policy.steps.get()
    assert step.call_tree_id is None and step.team_id is None
    assert set(step.people.all()) == {people["bob"], people["carol"]}
    event = _step_events("create").get(object_id=str(step.pk))
    assert event.changes["people"] == [None, sorted([people["bob"].pk, people["carol"].pk])]
    assert event.actor_id == personas["manager"].pk


def test_it_refuses_a_step_naming_nobody_and_saves_nothing(setup, personas):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused, request_context(source="test"):
        notify.policy_create(actor=personas["manager"], code="P", name="x", steps=[{}])
    assert refused.value.messages == [NOBODY]
    assert not EscalationPolicy.objects.exists() and not EscalationStep.objects.exists()
    assert AuditEvent.objects.count() == before


def test_it_replaces_a_steps_people_audited_and_refuses_leaving_it_empty(setup, personas, people):
    manager = personas["manager"]
    policy = _policy(manager, [{"call_tree": setup["duty"], "people": [people["bob"]]}])
    step = policy.steps.get()
    with request_context(source="test"):
        notify.step_update(actor=manager, step=step, people=[people["carol"]])
    assert list(step.people.all()) == [people["carol"]]
    assert _step_events("update").latest("pk").changes == {
        "people": [[people["bob"].pk], [people["carol"].pk]]
    }
    # Without its call tree the step still names carol: allowed.
    with request_context(source="test"):
        notify.step_update(actor=manager, step=step, call_tree=None)
    # Without carol too it would name nobody: refused, and carol stays.
    with pytest.raises(ValidationError) as refused, request_context(source="test"):
        notify.step_update(actor=manager, step=step, people=[])
    assert refused.value.messages == [NOBODY]
    step.refresh_from_db()
    assert list(step.people.all()) == [people["carol"]] and step.call_tree_id is None


def test_it_resolves_the_call_tree_first_then_the_named_people_nobody_twice(
    setup, personas, people
):
    """The call tree's contacts in their order, then the named people by name; a person in
    both is called once, in the tree's place; an inactive named person's deputy stands in."""
    dave = setup["dave"]
    with request_context(source="test"):
        org.person_update(actor=None, person=people["carol"], deputy=dave, is_active=False)
    steps = [{"call_tree": setup["dba"], "people": [people["alice"], people["bob"]]}]
    step = _policy(personas["manager"], steps).steps.get()
    # The DBA tree is bob, carol (inactive: dave stands in); then alice; bob not again.
    assert calltrees.step_people(step) == [people["bob"], dave, people["alice"]]


# The waves, on the clock, against the local SMTP server --------------------------------------
def test_a_person_only_step_is_notified_at_its_wave_and_never_again_once_acknowledged(
    setup, personas, people
):
    """Quorum 2, one repeat: the duty manager (wave 0), then dave named alone (wave 1, five
    minutes on); dave acknowledges, so the repeated round messages only the duty manager."""
    dave = setup["dave"]
    policy = _policy(
        personas["manager"],
        [
            {"call_tree": setup["duty"], "wait_minutes": 5},
            {"people": [dave], "wait_minutes": 10},
        ],
        quorum=2,
        repeat=1,
    )
    with request_context(source="test"):
        send = notify.send_start(
            actor=personas["manager"],
            title="核心数据库故障",
            template=setup["tpl"],
            channels=[setup["email"]],
            policy=policy,
            context={"incident": "INC-001"},
            now=T0,
        )
    dispatch(send.pk, now=T0)
    mailed = lambda: sorted(m["X-Envelope-To"] for m in setup["smtp"].messages)  # noqa: E731
    assert mailed() == ["zhang.wei@example.com"]
    assert notify.sends_tick(now=T0 + dt.timedelta(minutes=4))["advanced"] == {}
    assert notify.sends_tick(now=T0 + dt.timedelta(minutes=5))["advanced"] == {send.pk: "wave"}
    dispatch(send.pk, now=T0 + dt.timedelta(minutes=5))
    assert mailed() == ["liu.yang@example.com", "zhang.wei@example.com"]
    with request_context(source="test"):
        notify.acknowledge(
            actor=None,
            send=send,
            person=dave,
            answer="ack",
            via="link",
            now=T0 + dt.timedelta(minutes=6),
        )
    for minute, outcome in ((15, "wave"), (20, "wave"), (30, "exhausted")):
        now = T0 + dt.timedelta(minutes=minute)
        assert notify.sends_tick(now=now)["advanced"] == {send.pk: outcome}
        dispatch(send.pk, now=now)
    send.refresh_from_db()
    assert send.status == Send.Status.FINISHED
    waves = list(
        Delivery.objects.filter(send=send).order_by("wave").values_list("wave", "person_id")
    )
    # Wave 3 is dave's step again: he acknowledged, so it messages nobody.
    assert waves == [(0, people["alice"].pk), (1, dave.pk), (2, people["alice"].pk)]
    assert mailed().count("liu.yang@example.com") == 1


# API ---------------------------------------------------------------------------------------
def _api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_the_api_writes_and_reads_a_steps_people_by_id(setup, personas, people):
    policy = _policy(personas["manager"], [{"call_tree": setup["duty"]}])
    client = _api(personas["manager"])
    made = client.post(
        "/api/notify/policy-steps/",
        {"policy": policy.pk, "people": [people["bob"].pk, people["carol"].pk]},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert sorted(made.json()["people"]) == sorted([people["bob"].pk, people["carol"].pk])
    step = EscalationStep.objects.get(pk=made.json()["id"])
    assert step.call_tree_id is None and step.position == 2
    assert _step_events("create").filter(object_id=str(step.pk)).exists()
    changed = client.patch(
        f"/api/notify/policy-steps/{step.pk}/", {"people": [people["alice"].pk]}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["people"] == [people["alice"].pk]
    assert client.get(f"/api/notify/policy-steps/{step.pk}/").json()["people"] == [
        people["alice"].pk
    ]


def test_the_api_refuses_unknown_people_and_a_step_naming_nobody(setup, personas, people):
    policy = _policy(personas["manager"], [{"call_tree": setup["duty"]}])
    client = _api(personas["manager"])
    before = (EscalationStep.objects.count(), AuditEvent.objects.count())
    unknown = client.post(
        "/api/notify/policy-steps/", {"policy": policy.pk, "people": [999999]}, format="json"
    )
    assert unknown.status_code == 400
    assert "people" in unknown.json()["error"]["fields"]
    nobody = client.post(
        "/api/notify/policy-steps/", {"policy": policy.pk, "people": []}, format="json"
    )
    assert nobody.status_code == 400 and NOBODY in str(nobody.json())
    step = policy.steps.get()
    emptied = client.patch(
        f"/api/notify/policy-steps/{step.pk}/", {"call_tree": None}, format="json"
    )
    assert emptied.status_code == 400 and NOBODY in str(emptied.json())
    assert (EscalationStep.objects.count(), AuditEvent.objects.count()) == before


def test_the_api_lets_only_the_bcm_office_write_a_steps_people(setup, personas, people):
    """Steps are the BCM office's (notify.access); the people of a step resolve through
    Person.objects.for_user, so whoever may write a step names only people they may read
    (the office reads them all). A coordinator is refused, nothing saved."""
    policy = _policy(personas["manager"], [{"call_tree": setup["duty"]}])
    response = _api(personas["coord_a"]).post(
        "/api/notify/policy-steps/",
        {"policy": policy.pk, "people": [people["alice"].pk]},
        format="json",
    )
    assert response.status_code == 403
    assert policy.steps.count() == 1


def test_the_api_lists_steps_with_their_people_in_bounded_queries(
    setup, personas, people, django_assert_max_num_queries
):
    for i in range(5):
        _policy(personas["manager"], [{"people": [people["bob"], people["carol"]]}], code=f"P{i}")
    with django_assert_max_num_queries(10):
        listed = _api(personas["manager"]).get("/api/notify/policy-steps/")
    assert listed.status_code == 200 and len(listed.json()["results"]) == 5


# The policy page ---------------------------------------------------------------------------
def _page(personas, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(personas["manager"])
    return client


def _data(rows, code="DB"):
    data = {"code": code, "name": "数据库故障升级", "quorum": 1, "repeat_limit": 0}
    data |= {"steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": "0",
             "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for i, row in enumerate(rows):
        data |= {f"steps-{i}-{k}": str(v) for k, v in row.items()}
    return data


def test_the_policy_page_saves_people_typed_by_employee_number(setup, personas, people):
    rows = [
        {"call_tree": setup["duty"].pk, "people": "E002", "wait_minutes": 5, "ORDER": 1},
        {"people": "E003, E001", "wait_minutes": 7, "ORDER": 2},
    ]
    response = _page(personas).post(reverse("notify:policy_create"), _data(rows))
    policy = EscalationPolicy.objects.get(code="DB")
    assert response.status_code == 302
    first, second = policy.steps.all()
    assert (first.call_tree_id, list(first.people.all())) == (setup["duty"].pk, [people["bob"]])
    assert second.call_tree_id is None and second.wait_minutes == 7
    assert set(second.people.all()) == {people["alice"], people["carol"]}
    assert _step_events("create").count() == 2
    detail = _page(personas).get(policy.get_absolute_url()).content.decode()
    assert "李娜" in detail and "王芳" in detail


@pytest.mark.parametrize(
    "language,message",
    [("en", NOBODY), ("zh-hans", "请至少选择一项"), ("en", "is not a valid value")],
)
def test_the_policy_page_refuses_a_step_naming_nobody_or_an_unknown_person(
    setup, personas, language, message
):
    row = {"wait_minutes": 8}
    if message == "is not a valid value":
        row["people"] = "NOBODY-9"
    before = AuditEvent.objects.count()
    response = _page(personas, language).post(reverse("notify:policy_create"), _data([row]))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not EscalationPolicy.objects.exists() and AuditEvent.objects.count() == before


def test_the_policy_editor_shows_the_people_picker_not_the_whole_table(
    setup, personas, people, django_assert_max_num_queries
):
    for i in range(30):
        with request_context(source="test"):
            org.person_create(actor=None, full_name=f"员工{i}", unit=people["bob"].unit)
    policy = _policy(personas["manager"], [{"people": [people["bob"]]}])
    # A fixed budget for the page (its rows, each picker's chosen rows): more people in the
    # organisation add none.
    with django_assert_max_num_queries(30):
        page = _page(personas).get(reverse("notify:policy_edit", args=[policy.pk]))
    html = page.content.decode()
    assert 'data-picker-name="steps-0-people"' in html
    assert "李娜" in html and "员工7" not in html  # only the chosen person is rendered
