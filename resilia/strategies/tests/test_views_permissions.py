"""The strategies pages' permission table: persona × page, each outcome from the declared rules
(resilia/strategies/access.py), never from observed responses. A permitted POST changes the
option and writes its audit event; a refused one changes nothing and writes none."""

import pytest
from django.test import Client

from resilia.audit.models import AuditEvent
from resilia.core.tests.permission_table import url_names
from resilia.strategies.models import Option
from resilia.strategies.tests.conftest import make_option

# The page table's decisions by role are Python; the scope rules' queries run on PostgreSQL
# too, in the API permission table and the leak tests (resilia/conftest.py, one_database).
pytestmark = pytest.mark.one_database

LOGIN = "login"
PERSONAS = ["admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor", "executive",
            "head_a", "outsider"]  # fmt: skip
READERS = {"admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor", "head_a"}
OFFICE = {"admin", "manager"}
# Who reads PAY's options (DEPT-A): the organisation-wide readers and DEPT-A's subtree.
PAY_READERS = {"admin", "manager", "auditor", "coord_a", "contrib_a", "head_a"}
# Who writes them: the office and DEPT-A's coordinators (contrib_a owns nothing here).
PAY_WRITERS = {"admin", "manager", "coord_a", "head_a"}
CREATORS = {"admin", "manager", "coord_a", "coord_b", "head_a"}
# Who decides: the BCM office and the head of DEPT-A (104号 第十一条).
DECIDERS = OFFICE | {"head_a"}


def expected(persona: str, page: str):
    if persona == "outsider":
        return LOGIN
    if persona not in READERS:
        return 403
    if page == "option_list":
        return 200
    if page == "option_create":
        return 200 if persona in CREATORS else 403
    if persona not in PAY_READERS:
        return 404
    if page in ("option_detail", "compare_activity", "compare_resource"):
        return 200
    if page in ("option_edit", "option_delete", "option_test"):
        return 200 if persona in PAY_WRITERS else 403
    if page in ("option_choose", "option_reject"):
        return 200 if persona in DECIDERS else 403
    raise AssertionError(page)


@pytest.fixture
def world(setup, personas):
    option = make_option(setup["pay"])
    return {"option": option, "users": {**personas, "head_a": setup["head_a"]}, **setup}


def _client(world, persona):
    client = Client()
    if persona != "outsider":
        client.force_login(world["users"][persona])
    return client


GET_PAGES = {
    "option_list": lambda w: "/strategies/",
    "option_create": lambda w: "/strategies/new/",
    "option_detail": lambda w: f"/strategies/{w['option'].pk}/",
    "option_edit": lambda w: f"/strategies/{w['option'].pk}/edit/",
    "option_delete": lambda w: f"/strategies/{w['option'].pk}/delete/",
    "option_choose": lambda w: f"/strategies/{w['option'].pk}/choose/",
    "option_reject": lambda w: f"/strategies/{w['option'].pk}/reject/",
    "option_test": lambda w: f"/strategies/{w['option'].pk}/test/",
    "compare_activity": lambda w: f"/strategies/activity/{w['pay'].pk}/",
    "compare_resource": lambda w: f"/strategies/resource/{w['db'].pk}/",
}


def test_every_page_of_the_app_is_in_the_table():
    names = {
        name.split(":", 1)[1] for name, _route in url_names() if name.startswith("strategies:")
    }
    assert names == set(GET_PAGES)


def _check(response, outcome):
    if outcome == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == outcome


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", sorted(GET_PAGES))
def test_get(world, persona, page):
    _check(_client(world, persona).get(GET_PAGES[page](world)), expected(persona, page))


POSTS = {
    "option_choose": ("choose", {"reason": "满足RTO"}),
    "option_reject": ("reject", {"reason": "成本过高"}),
    "option_edit": ("edit", None),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", sorted(POSTS))
def test_post(world, persona, page):
    option = world["option"]
    step, data = POSTS[page]
    if data is None:
        data = {"activity": world["pay"].pk, "name": "改名", "kind": "monitoring",
                "cost_once": "0", "cost_yearly": "0", "residual_risk": "low",
                "people_needed": "0", "seats_needed": "0"}  # fmt: skip
    before = (Option.objects.get(pk=option.pk).status, AuditEvent.objects.count())
    response = _client(world, persona).post(f"/strategies/{option.pk}/{step}/", data)
    outcome = expected(persona, page)
    outcome = 302 if outcome == 200 else outcome
    _check(response, outcome)
    after_option = Option.objects.get(pk=option.pk)
    after = (after_option.status, AuditEvent.objects.count())
    if outcome == 302:
        assert after[1] > before[1]
        assert after_option.status != before[0] or after_option.name == "改名"
    else:
        assert after == before
