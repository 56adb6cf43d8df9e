"""The button "Create call tree" / "Update call tree" on a plan version's page (issue 12:
"call trees built from teams and plan roles"): the plan's call tree becomes a notification
call tree, its contacts in the plan's order with their role; a second click updates the same
tree; a plan naming nobody makes none; only who may write the plan and the call trees may."""

from __future__ import annotations

import pytest
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.notify.models import CallTree
from resilia.org import services as org
from resilia.plans import content as c
from resilia.plans import services

pytestmark = pytest.mark.django_db


def _url(name, v):
    return reverse(f"plans:{name}", args=[v.plan_id, v.number])


@pytest.fixture
def staffed(plan_setup, personas, people, org_tree):
    """The draft's first role: 王芳 named, with the response team (张伟 leads, 李娜 a member
    whose deputy is 王芳); its second role: 刘洋, with 李娜 as his deputy (already called)."""
    v = plan_setup["version"]
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    with request_context(source="test"):
        dave = org.person_create(actor=None, full_name="刘洋", unit=org_tree["dept_a"])
        org.person_update(actor=None, person=bob, deputy=carol)
        team = org.team_create(actor=None, code="ERT-NET", name="网络应急小组", kind="emergency")
        org.membership_create(actor=None, team=team, person=bob, role="member")
        org.membership_create(actor=None, team=team, person=alice, role="leader")
        body = c.normalised(v.content)
        body["roles"][0].update(person=carol.pk, team=team.pk)
        body["roles"][1].update(person=dave.pk, deputy=bob.pk)
        services.version_update(actor=None, version=v, content=body)
    return {"version": v, "dave": dave, "body": body}


@pytest.fixture
def web(client_for):
    """client_for, reading the pages in English unless told otherwise."""

    def make(persona, language="en"):
        client = client_for(persona)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return make


def _contacts(tree):
    return [(x.position, x.person.full_name, x.role) for x in tree.contacts.order_by("position")]


def test_it_creates_the_call_tree_in_the_plans_order_with_the_roles(staffed, web, personas):
    """selectors.call_tree's order: per role the named person, their deputy, the team's
    leader then members (each followed by their deputy); each person once, in the first
    role that names them."""
    v = staffed["version"]
    client = web("manager")
    page = client.get(_url("version_detail", v)).content.decode()
    assert 'data-testid="build-calltree"' in page and "Create call tree" in page
    response = client.post(_url("version_calltree", v))
    tree = CallTree.objects.get(code="PLAN-EP-NET")
    assert response.status_code == 302 and response["Location"] == tree.get_absolute_url()
    assert (tree.name, tree.name_en) == ("网络中断应急预案", "Network interruption plan")
    assert _contacts(tree) == [
        (1, "王芳", "应急总指挥"),
        (2, "张伟", "应急总指挥"),
        (3, "李娜", "应急总指挥"),
        (4, "刘洋", "技术恢复组"),
    ]
    shown = client.get(response["Location"]).content.decode()
    assert "The call tree “Network interruption plan” was created from the plan." in shown
    events = AuditEvent.objects.filter(action="build_calltree", object_id=str(v.pk))
    assert events.get().actor_id == personas["manager"].pk
    assert AuditEvent.objects.filter(
        action="create", object_type="notify.calltree", object_id=str(tree.pk)
    ).exists()
    assert (
        AuditEvent.objects.filter(action="create", object_type="notify.calltreecontact").count()
        == 4
    )
    page = client.get(_url("version_detail", v)).content.decode()
    assert "Update call tree" in page and tree.get_absolute_url() in page


def test_a_second_click_updates_the_same_tree(staffed, web, personas):
    v = staffed["version"]
    client = web("manager")
    client.post(_url("version_calltree", v))
    body = staffed["body"]
    body["roles"][1].update(person=None, deputy=None)  # 刘洋 leaves the plan
    with request_context(source="test"):
        services.version_update(actor=None, version=v, content=body)
    response = client.post(_url("version_calltree", v))
    tree = CallTree.objects.get()
    assert response["Location"] == tree.get_absolute_url()
    assert "was updated from the plan" in client.get(response["Location"]).content.decode()
    assert [name for _, name, _ in _contacts(tree)] == ["王芳", "张伟", "李娜"]
    assert AuditEvent.objects.filter(action="build_calltree", object_id=str(v.pk)).count() == 2
    assert AuditEvent.objects.filter(action="create", object_type="notify.calltree").count() == 1
    assert (
        AuditEvent.objects.filter(action="delete", object_type="notify.calltreecontact").count()
        == 1
    )


@pytest.mark.parametrize("persona", ["auditor", "coord_a", "coord_b"])
def test_it_refuses_who_may_not_write_the_plan_and_the_call_trees(staffed, web, persona):
    """The call trees are the BCM office's (resilia.notify.access): a reader, and even the
    coordinator who writes the plan, may not make one; the button is not offered them."""
    v = staffed["version"]
    client = web(persona)
    before = AuditEvent.objects.count()
    response = client.post(_url("version_calltree", v))
    assert response.status_code in (302, 404)
    assert not CallTree.objects.exists() and AuditEvent.objects.count() == before
    if response.status_code == 302:
        assert response["Location"] == v.get_absolute_url()
        page = client.get(response["Location"]).content.decode()
        assert "You may not do this on this version." in page
        assert 'data-testid="build-calltree"' not in page


@pytest.mark.parametrize("language,message", [("en", "roles name nobody"), ("zh-hans", "角色")])
def test_a_plan_naming_nobody_makes_no_tree(plan_setup, web, language, message):
    v = plan_setup["version"]
    client = web("manager")
    before = AuditEvent.objects.count()
    response = client.post(_url("version_calltree", v), HTTP_ACCEPT_LANGUAGE=language)
    assert response["Location"] == v.get_absolute_url()
    assert (
        message in client.get(response["Location"], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    )
    assert not CallTree.objects.exists() and AuditEvent.objects.count() == before


def test_the_button_is_a_post(staffed, web):
    assert web("manager").get(_url("version_calltree", staffed["version"])).status_code == 405
