"""The Teams register and the members of a team, edited in place with htmx."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.org import services
from resilia.org.models import Team, TeamMembership

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def teams(org_tree, people):
    with request_context(source="test"):
        steering = services.team_create(
            actor=None,
            code="LSG",
            name="业务连续性管理领导小组",
            kind="steering",
            responsibilities="审批业务连续性策略",
        )
        it_team = services.team_create(
            actor=None,
            code="IT-ERT",
            name="信息科技应急小组",
            kind="emergency",
            unit=org_tree["dept_a"],
        )
        ops_team = services.team_create(
            actor=None,
            code="OPS-REC",
            name="运营恢复小组",
            kind="recovery",
            unit=org_tree["dept_b"],
        )
        services.membership_create(
            actor=None,
            team=steering,
            person=people["alice"],
            role="leader",
            responsibilities="总指挥",
        )
        services.membership_create(actor=None, team=steering, person=people["carol"])
        services.membership_create(actor=None, team=it_team, person=people["bob"], role="deputy")
    return {"steering": steering, "it": it_team, "ops": ops_team}


def codes(response):
    return [row.obj.code for row in response.context["rows"]]


def team_data(**overrides):
    data = {"code": "CMT", "name": "危机管理小组", "name_en": "", "kind": "crisis", "unit": ""}
    data.update({"responsibilities": "对外沟通与舆情应对"})
    data.update(overrides)
    return data


def test_it_lists_teams_in_scope_with_member_counts(client_for, teams):
    response = client_for("manager").get("/org/teams/")
    assert codes(response) == ["IT-ERT", "LSG", "OPS-REC"]
    counts = {row.obj.code: row.obj.member_count for row in response.context["rows"]}
    assert counts == {"IT-ERT": 1, "LSG": 2, "OPS-REC": 0}
    assert codes(client_for("coord_a").get("/org/teams/")) == ["IT-ERT", "LSG"]
    assert codes(client_for("manager").get("/org/teams/", {"kind": "recovery"})) == ["OPS-REC"]


def test_it_lists_without_n_plus_one(client_for, teams, people, django_assert_max_num_queries):
    with request_context(source="test"):
        for n in range(30):
            team = services.team_create(
                actor=None, code=f"T{n:02}", name=f"小组{n}", kind="working"
            )
            services.membership_create(actor=None, team=team, person=people["alice"])
    client = client_for("coord_a")
    with django_assert_max_num_queries(10):
        response = client.get("/org/teams/", {"per_page": 100})
    assert len(response.context["rows"]) == 32


def test_it_exports_with_chinese_headers(client_for, teams):
    response = client_for("manager").get("/org/teams/", {"export": "xlsx"}, **ZH)
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("编码", "名称", "类型", "组织单元", "成员")
    assert rows[2] == ("LSG", "业务连续性管理领导小组", "领导小组", None, 2)
    assert AuditEvent.objects.get(action="export").object_type == "org.team"


def test_it_shows_members_grouped_by_role_with_responsibilities(client_for, teams):
    response = client_for("manager").get(f"/org/teams/{teams['steering'].pk}/", **ZH)
    groups = {
        g["role"]: [m.person.full_name for m in g["members"]] for g in response.context["groups"]
    }
    assert groups == {"leader": ["张伟"], "deputy": [], "member": ["王芳"]}
    html = response.content.decode()
    assert "总指挥" in html and "审批业务连续性策略" in html and "组长" in html


def test_it_shows_the_detail_within_scope_only(client_for, teams, django_assert_max_num_queries):
    client = client_for("coord_a")
    with django_assert_max_num_queries(12):
        assert client.get(f"/org/teams/{teams['steering'].pk}/").status_code == 200
    assert client.get(f"/org/teams/{teams['ops'].pk}/").status_code == 404
    assert client_for("executive").get(f"/org/teams/{teams['it'].pk}/").status_code == 403


def test_it_creates_edits_and_deletes_a_team_with_audit_events(client_for, teams):
    client = client_for("manager")
    response = client.post("/org/teams/new/", team_data())
    team = Team.objects.get(code="CMT")
    assert response.status_code == 302 and team.kind == "crisis"
    response = client.post(f"/org/teams/{team.pk}/edit/", team_data(responsibilities="新职责"))
    assert response.status_code == 302
    update = AuditEvent.objects.get(action="update", object_type="org.team")
    assert update.changes == {"responsibilities": ["对外沟通与舆情应对", "新职责"]}
    steering = teams["steering"]
    assert client.post(f"/org/teams/{steering.pk}/delete/").status_code == 302
    assert not Team.objects.filter(pk=steering.pk).exists()
    assert not TeamMembership.objects.filter(team_id=steering.pk).exists()
    deleted = AuditEvent.objects.filter(action="delete").values_list("object_type", flat=True)
    assert sorted(deleted) == ["org.team", "org.teammembership", "org.teammembership"]


def test_it_keeps_a_coordinators_teams_inside_their_department(client_for, teams, org_tree):
    client = client_for("coord_a")
    assert client.post("/org/teams/new/", team_data()).status_code == 200
    assert client.post("/org/teams/new/", team_data(unit=org_tree["dept_b"].pk)).status_code == 200
    assert not Team.objects.filter(code="CMT").exists()
    assert client.post("/org/teams/new/", team_data(unit=org_tree["dept_a"].pk)).status_code == 302
    # The steering group is organisation-wide: readable, not writable by a coordinator.
    assert client.post(f"/org/teams/{teams['steering'].pk}/edit/", team_data()).status_code == 403


def test_it_adds_a_member_with_htmx_and_audits(client_for, teams, people):
    team = teams["it"]
    data = {
        "add-person": people["alice"].pk,
        "add-role": "leader",
        "add-responsibilities": "现场指挥",
    }
    response = client_for("coord_a").post(f"/org/teams/{team.pk}/members/add/", data, **HTMX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#team-members"
    assert "现场指挥" in response.content.decode()
    membership = TeamMembership.objects.get(team=team, person=people["alice"])
    assert membership.role == "leader"
    event = AuditEvent.objects.get(
        action="create", object_type="org.teammembership", object_id=str(membership.pk)
    )
    assert event.actor.username == "coord_a" and event.changes["role"] == [None, "leader"]


def test_it_refuses_the_same_person_twice_in_the_users_language(client_for, teams, people):
    team = teams["it"]
    data = {"add-person": people["bob"].pk, "add-role": "member"}
    client, events = client_for("manager"), AuditEvent.objects.count()
    response = client.post(f"/org/teams/{team.pk}/members/add/", data, **HTMX, **ZH)
    assert response.status_code == 200
    assert "该人员已是本团队成员" in response.content.decode()
    assert TeamMembership.objects.filter(team=team).count() == 1
    assert AuditEvent.objects.count() == events


def test_it_offers_only_people_the_user_may_read(client_for, teams, people):
    team = teams["it"]
    # Carol (dept B) is not readable by coordinator A: not a valid choice.
    data = {"add-person": people["carol"].pk, "add-role": "member"}
    response = client_for("coord_a").post(f"/org/teams/{team.pk}/members/add/", data, **HTMX, **EN)
    assert "Select a valid choice" in response.content.decode()
    assert not TeamMembership.objects.filter(team=team, person=people["carol"]).exists()


def test_it_edits_a_members_role_in_place(client_for, teams):
    membership = TeamMembership.objects.get(team=teams["it"])
    url = f"/org/teams/{teams['it'].pk}/members/{membership.pk}/edit/"
    client = client_for("coord_a")
    form = client.get(url, **HTMX)
    assert form.status_code == 200 and f'id="member-{membership.pk}"' in form.content.decode()
    response = client.post(url, {"role": "leader", "responsibilities": "统筹恢复"}, **HTMX)
    assert response["HX-Retarget"] == "#team-members"
    membership.refresh_from_db()
    assert (membership.role, membership.responsibilities) == ("leader", "统筹恢复")
    event = AuditEvent.objects.get(action="update", object_type="org.teammembership")
    assert event.changes == {
        "responsibilities": ["", "统筹恢复"],
        "role": ["deputy", "leader"],
    }
    bad = client.post(url, {"role": "emperor"}, **HTMX)
    assert bad.status_code == 200 and "form-select" in bad.content.decode()
    membership.refresh_from_db()
    assert membership.role == "leader"


def test_it_removes_a_member_and_works_without_javascript(client_for, teams):
    membership = TeamMembership.objects.get(team=teams["it"])
    url = f"/org/teams/{teams['it'].pk}/members/{membership.pk}/remove/"
    response = client_for("coord_a").post(url)
    assert response.status_code == 302 and response["Location"] == f"/org/teams/{teams['it'].pk}/"
    assert not TeamMembership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_type="org.teammembership").exists()


def test_it_refuses_member_changes_outside_scope(client_for, teams):
    steering = teams["steering"]
    membership = TeamMembership.objects.filter(team=steering).first()
    client = client_for("coord_a")
    remove = f"/org/teams/{steering.pk}/members/{membership.pk}/remove/"
    assert client.post(remove).status_code == 403
    # A membership addressed through another team's URL is refused too.
    wrong = f"/org/teams/{teams['it'].pk}/members/{membership.pk}/remove/"
    assert client_for("manager").post(wrong).status_code == 403
    assert client_for("auditor").post(remove).status_code == 403
    assert TeamMembership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize(("persona", "shown"), [("coord_a", True), ("executive", False)])
def test_it_puts_sites_and_teams_in_the_navigation(client_for, org_tree, persona, shown):
    html = client_for(persona).get("/", **EN).content.decode()
    assert ('href="/org/sites/"' in html) is shown
    assert ('href="/org/teams/"' in html) is shown
