"""A risk's scope (sites, resources, activities) is chosen with the kit's pickers (issue 7):
searched among what the user may read, the saved scope shown as picked labels when edited and
kept through a round trip, an out-of-scope or unknown choice refused with a translated message
and nothing saved, what the editor may not see kept, the edit page's queries constant whatever
the size of the scope."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.org import services as org
from resilia.risk import services
from resilia.risk.models import Risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def scope(risk_setup, org_tree, personas):
    """A shared data centre, DEPT-A's core system and payments, DEPT-B's branch system; the
    data-centre fire risk (DEPT-A) scoped to the first three."""
    a, b = org_tree["dept_a"], org_tree["dept_b"]
    with request_context(source="test"):
        rows = {
            "dc": org.site_create(
                actor=None, code="DC-MAIN", name="主数据中心", kind="data_centre"
            ),
            "core": deps.resource_create(
                actor=None, code="CORE", name="核心系统", kind="application", unit=a
            ),
            "branch": deps.resource_create(
                actor=None, code="BR-SYS", name="网点系统", kind="application", unit=b
            ),
            "pay": deps.activity_create(
                actor=None, code="PAY", name="支付清算", unit=a, mtpd=240, rto=60
            ),
        }
        services.risk_update(
            actor=personas["manager"], risk=risk_setup["dc"], sites=[rows["dc"]],
            resources=[rows["core"]], activities=[rows["pay"]],
        )  # fmt: skip
    return rows


def _chosen(body: str, name: str) -> list[str]:
    """The rows a picker renders as chosen (its <li data-value>), in order."""
    block = re.search(rf'data-picker-name="{name}".*?</div>', body, re.S).group(0)
    return re.findall(r'<li role="option" aria-selected="true" data-value="(\d+)">', block)


def _data(risk: Risk, body: str, **extra) -> dict:
    """The edit form as submitted with its fields left as rendered (the pickers: chosen ids)."""
    data = {"code": risk.code, "title": risk.title, "title_en": risk.title_en,
            "threat": risk.threat_id, "unit": risk.unit_id, "owner": risk.owner_id or "",
            "inherent_likelihood": risk.inherent_likelihood,
            "inherent_impact": risk.inherent_impact,
            "reviewed_on": risk.reviewed_on.isoformat()}  # fmt: skip
    for name in ("units", "sites", "resources", "activities"):
        data[name] = _chosen(body, name)
    data.update(extra)
    return data


def _edit(risk) -> str:
    return reverse("risk:risk_edit", args=[risk.pk])


def test_it_shows_the_saved_scope_as_picked_labels(client_for, risk_setup, scope):
    response = client_for("manager").get(_edit(risk_setup["dc"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert _chosen(body, "sites") == [str(scope["dc"].pk)]
    assert _chosen(body, "resources") == [str(scope["core"].pk)]
    assert _chosen(body, "activities") == [str(scope["pay"].pk)]
    assert "CORE · 核心系统" in body and "DC-MAIN · 主数据中心" in body
    assert f'data-picker="{reverse("dependencies:autocomplete", args=["activity"])}"' in body
    assert "按名称或编码搜索。" in body


def test_an_edit_round_trip_keeps_the_scope_and_a_change_is_audited(client_for, risk_setup, scope):
    risk = risk_setup["dc"]
    client = client_for("manager")
    body = client.get(_edit(risk)).content.decode()
    assert (
        client.post(_edit(risk), _data(risk, body, title="数据中心火灾（复核）")).status_code == 302
    )
    risk.refresh_from_db()
    assert risk.title == "数据中心火灾（复核）"
    assert list(risk.sites.all()) == [scope["dc"]]
    assert list(risk.resources.all()) == [scope["core"]]
    assert list(risk.activities.all()) == [scope["pay"]]
    # The branch system added (by its code, as typed without JavaScript), payments removed.
    changed = _data(risk, body, resources=f"core, {scope['branch'].code}", activities="")
    assert client.post(_edit(risk), changed).status_code == 302
    assert set(risk.resources.all()) == {scope["core"], scope["branch"]}
    assert not risk.activities.exists()
    event = AuditEvent.objects.filter(action="update", object_id=str(risk.pk)).first()
    assert event.changes["activities"] == [[scope["pay"].pk], []]
    assert event.changes["resources"][1] == sorted([scope["core"].pk, scope["branch"].pk])


def test_an_out_of_scope_or_unknown_choice_is_refused_and_nothing_saved(
    client_for, risk_setup, scope
):
    """DEPT-A's coordinator may not put DEPT-B's branch system in a risk's scope."""
    risk = risk_setup["dc"]
    client = client_for("coord_a")
    body = client.get(_edit(risk)).content.decode()
    before = AuditEvent.objects.count()
    branch = str(scope["branch"].pk)
    for bad, message in (
        ([str(scope["core"].pk), branch], f"不存在或您无权查看：{branch}。"),
        ("NOPE", "不存在或您无权查看：NOPE。"),
        ("9" * 25, f"不存在或您无权查看：{'9' * 25}。"),
    ):
        data = _data(risk, body, title="改了", resources=bad)
        response = client.post(_edit(risk), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        assert message in response.content.decode()
    risk.refresh_from_db()
    assert risk.title == "数据中心火灾"
    assert list(risk.resources.all()) == [scope["core"]]
    assert AuditEvent.objects.count() == before


def test_what_the_editor_may_not_see_is_neither_shown_nor_dropped(
    client_for, risk_setup, scope, personas, org_tree
):
    """DEPT-A's coordinator edits a risk whose scope also holds DEPT-B's branch system and
    DEPT-B itself: neither is shown (not even as a bare id), both are kept."""
    risk = risk_setup["dc"]
    a, b = org_tree["dept_a"], org_tree["dept_b"]
    with request_context(source="test"):
        services.risk_update(
            actor=personas["manager"], risk=risk, resources=[scope["core"], scope["branch"]],
            units=[a, b],
        )  # fmt: skip
    client = client_for("coord_a")
    body = client.get(_edit(risk)).content.decode()
    assert _chosen(body, "resources") == [str(scope["core"].pk)]
    assert _chosen(body, "units") == [str(a.pk)]
    assert "BR-SYS" not in body and b.name not in body
    assert client.post(_edit(risk), _data(risk, body, title="只改标题")).status_code == 302
    risk.refresh_from_db()
    assert risk.title == "只改标题"
    assert set(risk.resources.all()) == {scope["core"], scope["branch"]}
    assert set(risk.units.all()) == {a, b}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more(risk, unit, start, stop):
    with request_context(source="test"):
        made = [
            deps.resource_create(
                actor=None, code=f"R{i:03d}", name=f"资源{i}", kind="application", unit=unit
            )  # fmt: skip
            for i in range(start, stop)
        ]
    risk.resources.add(*made)


def test_the_edit_page_queries_do_not_grow_with_the_scope(client_for, risk_setup, scope, org_tree):
    risk = risk_setup["dc"]
    client = client_for("manager")
    _more(risk, org_tree["dept_a"], 0, 3)
    client.get(_edit(risk))
    few = _queries(client, _edit(risk))
    _more(risk, org_tree["dept_a"], 3, 80)
    assert len(_chosen(client.get(_edit(risk)).content.decode(), "resources")) == 81
    assert _queries(client, _edit(risk)) == few
