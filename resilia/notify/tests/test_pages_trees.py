"""The call tree and escalation policy editors: created and edited in the browser with their
ordered rows, each change audited; a cycle of deputies, a step without a target or a
policy without steps refused with a translated message and nothing saved; deletion
explained when something depends on the object; the buttons only for who may use them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.notify import services as notify
from resilia.notify.models import CallTree, CallTreeContact, EscalationPolicy, EscalationStep
from resilia.org import services as org
from resilia.org.models import Person

pytestmark = pytest.mark.django_db


def _client(personas, persona="manager", language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(personas[persona])
    return client


def _rows(prefix, rows, initial=0, extra=0, empty=None):
    """A formset's POST data: `rows` (dicts of field → value), then `extra` empty rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate([*rows, *([empty or {}] * extra)]):
        for key, value in row.items():
            if value is not None and value is not False:
                data[f"{prefix}-{i}-{key}"] = "on" if value is True else str(value)
    return data


def _tree(code="OPS", name="运维值班", name_en="Operations duty", team=""):
    return {"code": code, "name": name, "name_en": name_en, "team": team}


def _contact(person, role="", order="", deputy=None, delete=False):
    return {"person": person.pk, "role": role, "ORDER": order,
            "deputy": deputy.pk if deputy else None, "DELETE": delete}  # fmt: skip


def _events(action, model):
    return AuditEvent.objects.filter(action=action, object_type=f"notify.{model}")


# Call trees -------------------------------------------------------------------------------
def test_it_creates_a_call_tree_with_its_contacts_in_the_order_chosen(personas, people, setup):
    rows = [_contact(people["alice"], "组长", 2), _contact(people["bob"], "DBA", 1)]
    data = _tree() | _rows("contacts", rows, extra=1)
    response = _client(personas).post(reverse("notify:calltree_create"), data)
    tree = CallTree.objects.get(code="OPS")
    assert response.status_code == 302 and response["Location"] == tree.get_absolute_url()
    assert tree.name_en == "Operations duty"
    order = list(tree.contacts.order_by("position").values_list("person__full_name", "role"))
    assert order == [("李娜", "DBA"), ("张伟", "组长")]
    assert _events("create", "calltree").filter(object_id=str(tree.pk)).exists()
    assert _events("create", "calltreecontact").count() == 2 + 3  # the fixture's 3, these 2


def test_it_builds_a_call_tree_from_a_team_when_no_contact_is_given(personas, people, setup):
    with request_context(source="test"):
        team = org.team_create(actor=None, code="DBA-T", name="数据库组", kind="emergency")
        org.membership_create(actor=None, team=team, person=people["carol"], role="member")
        org.membership_create(actor=None, team=team, person=people["bob"], role="leader")
    data = _tree(code="FROM-TEAM", team=team.pk) | _rows("contacts", [], extra=3)
    assert _client(personas).post(reverse("notify:calltree_create"), data).status_code == 302
    tree = CallTree.objects.get(code="FROM-TEAM")
    assert [c.person.full_name for c in tree.contacts.order_by("position")] == ["李娜", "王芳"]


def test_it_reorders_removes_and_adds_contacts_and_sets_a_deputy(personas, people, setup):
    tree, dave = setup["dba"], setup["dave"]  # bob, then carol
    url = reverse("notify:calltree_edit", args=[tree.pk])
    page = _client(personas).get(url)
    assert page.status_code == 200 and 'name="contacts-0-ORDER"' in page.content.decode()
    rows = [
        _contact(people["bob"], "DBA", 2, delete=True),
        _contact(people["carol"], "DBA 组长", 2),
        _contact(dave, "备岗", 1, deputy=people["carol"]),
    ]
    data = _tree(code="DBA", name="数据库管理员", name_en="DBAs") | _rows("contacts", rows, 2)
    response = _client(personas).post(url, data)
    assert response.status_code == 302
    contacts = list(tree.contacts.order_by("position"))
    assert [(c.person.full_name, c.role, c.position) for c in contacts] == [
        ("刘洋", "备岗", 1),
        ("王芳", "DBA 组长", 2),
    ]
    dave.refresh_from_db()
    assert dave.deputy == people["carol"]
    assert _events("delete", "calltreecontact").filter(object_repr__contains="李娜").exists()
    moved = _events("update", "calltreecontact").latest("pk")
    assert moved.changes == {"role": ["DBA", "DBA 组长"]}  # 王芳 stays second
    deputy = AuditEvent.objects.filter(object_type="org.person", object_id=str(dave.pk))
    assert deputy.latest("pk").changes == {"deputy_id": [None, people["carol"].pk]}
    assert _events("update", "calltree").filter(object_id=str(tree.pk)).latest("pk").changes == {
        "name_en": ["", "DBAs"]
    }


@pytest.mark.parametrize(
    "language,message", [("en", "The deputies form a cycle"), ("zh-hans", "形成了循环")]
)
def test_it_refuses_a_cycle_of_deputies_and_saves_nothing(
    personas, people, setup, language, message
):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    with request_context(source="test"):
        org.person_update(actor=None, person=alice, deputy=bob)
        org.person_update(actor=None, person=bob, deputy=carol)
    before = AuditEvent.objects.count()
    # Carol's deputy set to alice closes the chain: alice → bob → carol → alice.
    rows = [_contact(alice, "组长", 1), _contact(carol, "DBA", 2, deputy=alice)]
    data = _tree(code="LOOP") | _rows("contacts", rows)
    response = _client(personas, language=language).post(reverse("notify:calltree_create"), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not CallTree.objects.filter(code="LOOP").exists()
    assert Person.objects.get(pk=carol.pk).deputy is None
    assert AuditEvent.objects.count() == before
    # The same refusal on an existing tree leaves its contacts as they were.
    tree = setup["dba"]
    edit = _tree(code="DBA", name="数据库管理员") | _rows(
        "contacts", [_contact(bob, "DBA", 1), _contact(carol, "DBA", 2, deputy=alice)], 2
    )
    url = reverse("notify:calltree_edit", args=[tree.pk])
    assert _client(personas, language=language).post(url, edit).status_code == 422
    assert Person.objects.get(pk=carol.pk).deputy is None
    assert AuditEvent.objects.count() == before


def test_it_refuses_a_person_named_twice_and_a_person_without_a_name(personas, people, setup):
    rows = [_contact(people["bob"], "DBA", 1), _contact(people["bob"], "备岗", 2)]
    data = _tree(code="TWICE") | _rows("contacts", rows)
    response = _client(personas).post(reverse("notify:calltree_create"), data)
    assert response.status_code == 422
    assert "李娜 is named twice in the call tree." in response.content.decode()
    data = _tree(code="") | _rows("contacts", [_contact(people["bob"])])
    assert _client(personas).post(reverse("notify:calltree_create"), data).status_code == 422
    assert not CallTree.objects.filter(code__in=["TWICE", ""]).exists()


def test_it_deletes_a_call_tree_unless_a_policy_uses_it(personas, setup):
    duty, dba = setup["duty"], setup["dba"]
    with request_context(source="test"):
        notify.policy_create(actor=None, code="P", name="升级", steps=[{"call_tree": duty}])
    blocked = _client(personas).post(reverse("notify:calltree_delete", args=[duty.pk]))
    assert blocked.status_code == 409 and "升级" in blocked.content.decode()
    assert CallTree.objects.filter(pk=duty.pk).exists()
    done = _client(personas).post(reverse("notify:calltree_delete", args=[dba.pk]))
    assert done.status_code == 302 and not CallTree.objects.filter(pk=dba.pk).exists()
    assert not CallTreeContact.objects.filter(tree_id=dba.pk).exists()
    assert _events("delete", "calltree").filter(object_id=str(dba.pk)).exists()


# Escalation policies ----------------------------------------------------------------------
def _policy(code="DB", name="数据库故障升级", quorum=2, repeat_limit=1):
    return {"code": code, "name": name, "quorum": quorum, "repeat_limit": repeat_limit}


def _step(call_tree=None, team=None, wait=5, order="", delete=False):
    return {"call_tree": call_tree.pk if call_tree else None, "team": team.pk if team else None,
            "wait_minutes": wait, "ORDER": order, "DELETE": delete}  # fmt: skip


def test_it_offers_oncalls_defaults_on_a_new_policy(personas, setup):
    page = _client(personas).get(reverse("notify:policy_create")).content.decode()
    assert 'name="repeat_limit" value="5"' in page
    assert 'name="steps-0-wait_minutes" value="5"' in page


def test_it_creates_a_policy_with_two_steps_in_order(personas, setup):
    rows = [_step(setup["dba"], wait=10, order=2), _step(setup["duty"], wait=3, order=1)]
    empty = {"wait_minutes": 5}  # an untouched row keeps its prefilled wait: ignored
    data = _policy() | _rows("steps", rows, extra=2, empty=empty)
    response = _client(personas).post(reverse("notify:policy_create"), data)
    policy = EscalationPolicy.objects.get(code="DB")
    assert response.status_code == 302 and response["Location"] == policy.get_absolute_url()
    assert (policy.quorum, policy.repeat_limit) == (2, 1)
    steps = [(s.position, s.call_tree.code, s.wait_minutes) for s in policy.steps.all()]
    assert steps == [(1, "DUTY", 3), (2, "DBA", 10)]
    assert _events("create", "escalationpolicy").filter(object_id=str(policy.pk)).exists()
    assert _events("create", "escalationstep").count() == 2


def test_it_edits_a_policy_removing_a_step(personas, setup):
    with request_context(source="test"):
        policy = notify.policy_create(
            actor=None,
            code="DB",
            name="数据库故障升级",
            steps=[{"call_tree": setup["duty"]}, {"call_tree": setup["dba"], "wait_minutes": 7}],
        )
    url = reverse("notify:policy_edit", args=[policy.pk])
    assert _client(personas).get(url).status_code == 200
    rows = [_step(setup["duty"], order=1, delete=True), _step(setup["dba"], wait=15, order=2)]
    data = _policy(name="数据库升级", quorum=1, repeat_limit=0) | _rows("steps", rows, 2)
    assert _client(personas).post(url, data).status_code == 302
    policy.refresh_from_db()
    assert policy.name == "数据库升级"
    steps = [(s.position, s.call_tree.code, s.wait_minutes) for s in policy.steps.all()]
    assert steps == [(1, "DBA", 15)]
    assert _events("delete", "escalationstep").count() == 1
    assert "name" in _events("update", "escalationpolicy").latest("pk").changes


@pytest.mark.parametrize(
    "rows,message",
    [
        ([{"wait_minutes": 8}],
         "A step notifies a call tree, a team or named people: choose at least one."),
        ([{"wait_minutes": 5, "DELETE": "on", "call_tree": "dba"}],
         "An escalation policy needs at least one step."),
        ([{"wait_minutes": 0, "call_tree": "dba"}],
         "Ensure this value is greater than or equal to 1."),
    ],
)  # fmt: skip
def test_it_refuses_a_bad_policy_and_saves_nothing(personas, setup, rows, message):
    rows = [r | {"call_tree": setup["dba"].pk} if r.get("call_tree") else r for r in rows]
    before = AuditEvent.objects.count()
    data = _policy() | _rows("steps", rows)
    response = _client(personas).post(reverse("notify:policy_create"), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not EscalationPolicy.objects.exists() and not EscalationStep.objects.exists()
    assert AuditEvent.objects.count() == before


def test_it_refuses_too_many_repeats_in_chinese(personas, setup):
    data = _policy(repeat_limit=6) | _rows("steps", [_step(setup["dba"])])
    response = _client(personas, language="zh-hans").post(reverse("notify:policy_create"), data)
    assert response.status_code == 422
    assert "此值不能大于 5" in response.content.decode()
    assert not EscalationPolicy.objects.exists()


def test_it_deletes_a_policy_and_audits_it(personas, setup):
    with request_context(source="test"):
        policy = notify.policy_create(
            actor=None, code="P", name="升级", steps=[{"call_tree": setup["duty"]}]
        )
    response = _client(personas).post(reverse("notify:policy_delete", args=[policy.pk]))
    assert response.status_code == 302
    assert not EscalationPolicy.objects.exists() and not EscalationStep.objects.exists()
    assert _events("delete", "escalationpolicy").filter(object_id=str(policy.pk)).exists()


# Buttons -----------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["manager", "auditor", "coord_a"])
def test_it_shows_the_editing_buttons_only_to_who_may_edit(personas, setup, persona):
    with request_context(source="test"):
        policy = notify.policy_create(
            actor=None, code="P", name="升级", steps=[{"call_tree": setup["duty"]}]
        )
    client = _client(personas, persona)
    may = persona == "manager"
    tree_page = client.get(setup["duty"].get_absolute_url()).content.decode()
    assert (reverse("notify:calltree_edit", args=[setup["duty"].pk]) in tree_page) == may
    assert (reverse("notify:calltree_delete", args=[setup["duty"].pk]) in tree_page) == may
    policy_page = client.get(policy.get_absolute_url()).content.decode()
    assert (reverse("notify:policy_edit", args=[policy.pk]) in policy_page) == may
    assert (reverse("notify:policy_delete", args=[policy.pk]) in policy_page) == may
    assert ('id="policy-send"' in policy_page) == may
    templates = client.get(reverse("notify:template_list")).content.decode()
    assert (reverse("notify:template_edit", args=[setup["tpl"].pk]) in templates) == may
    channels = client.get(reverse("notify:channel_list")).content.decode()
    assert (reverse("notify:channel_edit", args=[setup["email"].pk]) in channels) == may
    for kind in ("calltree", "policy"):
        page = client.get(reverse(f"notify:{kind}_list")).content.decode()
        assert (reverse(f"notify:{kind}_create") in page) == may


def test_it_starts_a_send_with_the_policy_preselected(personas, setup):
    with request_context(source="test"):
        policy = notify.policy_create(
            actor=None, code="P", name="升级", steps=[{"call_tree": setup["duty"]}]
        )
    page = _client(personas).get(policy.get_absolute_url()).content.decode()
    link = f"{reverse('notify:send_create')}?policy={policy.pk}"
    assert link in page
    form = _client(personas).get(link).content.decode()
    assert f'<option value="{policy.pk}" selected>' in form
    assert _client(personas).get(f"{reverse('notify:send_create')}?policy=x").status_code == 200


def test_the_tree_and_policy_editors_do_not_list_every_person(
    personas, people, setup, org_tree, django_assert_max_num_queries
):
    """No widget renders a whole table: with 300 more people, the editors' rows name people
    through the search-as-you-type picker (the chosen ones only), so their pages and queries
    stay the same size."""
    tree = setup["dba"]
    with request_context(source="test"):
        policy = notify.policy_create(
            actor=None, code="BIG", name="大名单", steps=[{"call_tree": setup["duty"]}]
        )

    def sizes():
        client = _client(personas)
        pages = [
            client.get(reverse("notify:calltree_edit", args=[tree.pk])),
            client.get(reverse("notify:policy_edit", args=[policy.pk])),
        ]
        return [len(p.content) for p in pages], [p.content.decode() for p in pages]

    before, _ = sizes()
    Person.objects.bulk_create(
        [Person(full_name=f"员工{i:03}", unit=org_tree["dept_a"]) for i in range(300)]
    )
    after, bodies = sizes()
    assert all("员工123" not in body for body in bodies)
    assert all(abs(a - b) < 500 for a, b in zip(after, before, strict=True)), (before, after)
    assert 'data-picker-name="contacts-0-person"' in bodies[0]
    with django_assert_max_num_queries(40):
        _client(personas).get(reverse("notify:calltree_edit", args=[tree.pk]))
