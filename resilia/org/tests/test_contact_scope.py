"""People outside the reader's scope on other records' pages (core.access.people_shown).

The rule: a call roster (a team's members) shows every member's name; their unit and phone
only within the reader's scope. Anywhere else (a resource's or activity's owner, a resource's
key person, a unit's head) a person outside scope is "Not visible to you", as in the
registers and their exports.

Personas of resilia/conftest.py: coord_a reads DEPT-A's subtree (alice 张伟, bob 李娜);
carol 王芳 (mobile 13800000003) is in DEPT-B.
"""

from __future__ import annotations

import pytest

from resilia.core import access
from resilia.dependencies import services as deps
from resilia.org import services as org

pytestmark = pytest.mark.django_db

CAROL, CAROL_MOBILE, DEPT_B = "王芳", "13800000003", "运营管理部"
ALICE_MOBILE = "13800000001"


@pytest.fixture
def team(org_tree, people):
    team = org.team_create(
        actor=None, code="TEAM-A", name="A应急小组", kind="emergency", unit=org_tree["dept_a"]
    )
    org.membership_create(actor=None, team=team, person=people["alice"], role="leader")
    org.membership_create(actor=None, team=team, person=people["carol"], role="member")
    return team


@pytest.mark.parametrize("persona", ["coord_a", "contrib_a"])
def test_it_shows_a_roster_names_but_no_phone_or_unit_outside_scope(client_for, team, persona):
    page = client_for(persona).get(team.get_absolute_url()).content.decode()
    assert CAROL in page  # the roster reads whole
    assert CAROL_MOBILE not in page
    assert DEPT_B not in page
    assert ALICE_MOBILE in page  # in scope: the phone that reaches her


def test_it_shows_the_bcm_office_the_whole_roster(client_for, team):
    page = client_for("manager").get(team.get_absolute_url()).content.decode()
    assert CAROL in page and CAROL_MOBILE in page and DEPT_B in page


def test_it_hides_an_out_of_scope_member_in_the_htmx_partial(client_for, team):
    client = client_for("coord_a")
    membership = team.memberships.get(person__full_name=CAROL)
    response = client.get(
        f"/org/teams/{team.pk}/members/{membership.pk}/edit/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert CAROL in page and DEPT_B not in page


@pytest.fixture
def nodes(org_tree, people):
    resource = deps.resource_create(
        actor=None,
        code="CORE",
        name="核心系统",
        kind="application",
        unit=org_tree["dept_a"],
        owner=people["carol"],
        person=people["carol"],
    )
    activity = deps.activity_create(
        actor=None, code="PAY", name="支付清算", unit=org_tree["dept_a"], owner=people["carol"]
    )
    org.unit_update(actor=None, unit=org_tree["dept_a"], head=people["carol"])
    return {"resource": resource, "activity": activity, "unit": org_tree["dept_a"]}


@pytest.mark.parametrize("kind", ["resource", "activity", "unit"])
def test_it_hides_an_owner_outside_scope_on_detail_pages(client_for, nodes, kind):
    page = client_for("coord_a").get(nodes[kind].get_absolute_url()).content.decode()
    assert CAROL not in page
    assert CAROL_MOBILE not in page
    assert 'data-testid="not-visible"' in page


@pytest.mark.parametrize("kind", ["resource", "activity", "unit"])
def test_it_names_an_owner_in_scope(client_for, nodes, kind):
    page = client_for("auditor").get(nodes[kind].get_absolute_url()).content.decode()
    assert CAROL in page and 'data-testid="not-visible"' not in page


def test_it_decides_what_a_reader_sees_of_a_person_in_one_place(personas, people):
    alice, carol = people["alice"], people["carol"]
    shown_alice, shown_carol, nobody = access.people_shown(
        personas["coord_a"], [alice, carol, None]
    )
    assert nobody is None
    assert (shown_alice.name, shown_alice.mobile) == (alice.full_name, alice.mobile)
    assert shown_alice.url == alice.get_absolute_url()
    assert (shown_carol.name, shown_carol.url, shown_carol.mobile) == (None, None, "")
    assert shown_carol.unit is None and shown_carol.email == ""
    on_roster = access.person_shown(personas["coord_a"], carol, roster=True)
    assert (on_roster.name, on_roster.mobile, on_roster.unit) == (CAROL, "", None)
