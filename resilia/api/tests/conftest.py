"""API fixtures: JSON clients per persona and a small world with objects in and out of scope.

World (on top of resilia/conftest.py's org_tree and people):
- dept A side: unit A-EMPTY (deletable), site SITE-A, team TEAM-A with alice as a member,
  person dave (deletable);
- dept B side: person erin, site SITE-B, team TEAM-B led by carol;
- shared (no unit): site SITE-SHARED, team TEAM-SHARED with alice as a member.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from resilia.accounts.tests.tokens import api_key
from resilia.core.context import request_context
from resilia.org import services as org


@pytest.fixture
def api_for(personas):
    """api_for("coord_a") → a DRF client authenticated with that persona's API token."""

    def make(name: str, language: str = "en") -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
        if name != "outsider":
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(personas[name])}")
        return client

    return make


@pytest.fixture
def world(org_tree, people, personas):
    with request_context(source="test"):
        a_empty = org.unit_create(
            actor=None, code="A-EMPTY", name="空科室", kind="team", parent=org_tree["dept_a"]
        )
        dave = org.person_create(actor=None, full_name="赵强", unit=org_tree["dept_a"])
        erin = org.person_create(actor=None, full_name="孙丽", unit=org_tree["dept_b"])
        site_a = org.site_create(
            actor=None, code="SITE-A", name="A楼", kind="office", unit=org_tree["dept_a"]
        )
        site_b = org.site_create(
            actor=None, code="SITE-B", name="B楼", kind="office", unit=org_tree["dept_b"]
        )
        site_shared = org.site_create(
            actor=None, code="SITE-SHARED", name="同城灾备中心", kind="dr_site"
        )
        team_a = org.team_create(
            actor=None, code="TEAM-A", name="A应急小组", kind="emergency", unit=org_tree["dept_a"]
        )
        team_b = org.team_create(
            actor=None, code="TEAM-B", name="B应急小组", kind="emergency", unit=org_tree["dept_b"]
        )
        team_shared = org.team_create(
            actor=None, code="TEAM-SHARED", name="领导小组", kind="steering"
        )
        membership_a = org.membership_create(
            actor=None, team=team_a, person=people["alice"], role="member"
        )
        membership_b = org.membership_create(
            actor=None, team=team_b, person=people["carol"], role="leader"
        )
        membership_shared = org.membership_create(
            actor=None, team=team_shared, person=people["alice"], role="member"
        )
    return {
        **org_tree,
        # org_tree calls the A-TEAM unit "team_a"; here that name is the TEAM-A team.
        "a_team_unit": org_tree["team_a"],
        **people,
        "a_empty": a_empty,
        "dave": dave,
        "erin": erin,
        "site_a": site_a,
        "site_b": site_b,
        "site_shared": site_shared,
        "team_a": team_a,
        "team_b": team_b,
        "team_shared": team_shared,
        "membership_a": membership_a,
        "membership_b": membership_b,
        "membership_shared": membership_shared,
    }
