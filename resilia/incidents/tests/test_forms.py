"""The affected sites, resources and activities of an incident, and the site of a hotline call
or a reporting link, are the kit's pickers (issue 7): searched among what the user may read,
the saved selection shown as picked labels when edited, an out-of-scope or unknown choice
refused with a translated message and nothing saved, what the editor may not see kept, and
the edit page's queries constant whatever the number of affected resources."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.incidents import services
from resilia.incidents.models import AnomalyReport, Incident, IntakeLink
from resilia.incidents.tests.conftest import pack
from resilia.org import services as org

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(bank, personas, t0):
    """SWIFT down at the main data centre, stopping payments; owned by DEPT-A, so that its
    coordinator runs it."""
    return services.incident_declare(
        actor=personas["manager"], title="SWIFT 中断", category="supplier",
        pack=pack("cn-bank-53"), detected_at=t0, unit=bank["pay"].unit,
        sites=[bank["site_main"]], resources=[bank["swift"]], activities=[bank["pay"]],
        facts={"provinces": 1},
    )  # fmt: skip


def _chosen(body: str, name: str) -> list[str]:
    """The rows a picker renders as chosen (its <li data-value>), in order."""
    block = re.search(rf'data-picker-name="{name}".*?</div>', body, re.S).group(0)
    return re.findall(r'<li role="option" aria-selected="true" data-value="(\d+)">', block)


def _all_chosen(body: str) -> dict:
    """What the pickers submit when left as rendered: the chosen ids."""
    return {name: _chosen(body, name) for name in ("sites", "resources", "activities")}


def _edit_data(incident, **extra) -> dict:
    data = {"title": incident.title, "category": incident.category, "description": "",
            "fact_provinces": "1"}  # fmt: skip
    data.update(extra)
    return data


def test_it_shows_the_saved_selection_as_picked_labels(incident, bank, client_as):
    body = client_as("manager", "zh-hans").get(
        reverse("incidents:incident_edit", args=[incident.pk])
    )
    body = body.content.decode()
    assert _chosen(body, "sites") == [str(bank["site_main"].pk)]
    assert _chosen(body, "resources") == [str(bank["swift"].pk)]
    assert _chosen(body, "activities") == [str(bank["pay"].pk)]
    assert f"SWIFT · {bank['swift'].display_name}" in body
    # Each picker searches its own endpoint (which reads through the access layer).
    assert f'data-picker="{reverse("dependencies:autocomplete", args=["resource"])}"' in body
    assert f'data-picker="{reverse("org:autocomplete", args=["site"])}"' in body
    assert "按名称或编码搜索" in body


def test_an_edit_round_trip_keeps_the_selection_and_a_change_is_audited(incident, bank, client_as):
    client = client_as("manager")
    url = reverse("incidents:incident_edit", args=[incident.pk])
    body = client.get(url).content.decode()
    data = _edit_data(incident, title="SWIFT 中断（更新）", **_all_chosen(body))
    assert client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert incident.title == "SWIFT 中断（更新）"
    assert list(incident.sites.all()) == [bank["site_main"]]
    assert list(incident.resources.all()) == [bank["swift"]]
    assert list(incident.activities.all()) == [bank["pay"]]
    # Without JavaScript the box takes codes: CORE added by its code, the rest kept.
    data["resources"] = f"SWIFT, {bank['core'].code.lower()}"
    assert client.post(url, data).status_code == 302
    assert set(incident.resources.all()) == {bank["swift"], bank["core"]}
    change = AuditEvent.objects.filter(action="update", object_id=str(incident.pk)).first()
    assert "resource:CORE" in change.changes["affected"][1]


def test_an_out_of_scope_or_unknown_choice_is_refused_and_nothing_saved(incident, bank, client_as):
    """DEPT-A's coordinator may not pick DEPT-B's key person (KP-B): refused, with the
    translated message, and neither the title nor the selection changes."""
    client = client_as("coord_a", "zh-hans")
    url = reverse("incidents:incident_edit", args=[incident.pk])
    before = AuditEvent.objects.count()
    kp_b = str(bank["kp_b"].pk)
    cases = [
        ([str(bank["swift"].pk), kp_b], f"不存在或您无权查看：{kp_b}。"),
        (["NOPE"], "不存在或您无权查看：NOPE。"),
        # A number beyond a database integer, and a NUL: refused by the kit, never queried.
        (["9" * 30], f"不存在或您无权查看：{'9' * 30}。"),
        (["SWIFT\x00"], "不允许是用空字符串。"),  # Django's own translation
    ]
    for bad, message in cases:
        response = client.post(url, _edit_data(incident, title="改了", resources=bad))
        assert response.status_code == 200
        assert message in response.content.decode()
    incident.refresh_from_db()
    assert incident.title == "SWIFT 中断"
    assert list(incident.resources.all()) == [bank["swift"]]
    assert AuditEvent.objects.count() == before
    # The same on declaring: nothing is declared.
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("incidents:declare"),
        {"title": "x", "category": "it", "pack": pack("generic").pk, "detected_at": now,
         "unit": bank["pay"].unit.pk, "resources": kp_b, "description": ""},
    )  # fmt: skip
    assert response.status_code == 200 and kp_b in response.content.decode()
    assert Incident.objects.count() == 1


def test_what_the_editor_may_not_see_is_neither_shown_nor_dropped(
    incident, bank, client_as, personas
):
    services.incident_update(
        actor=personas["manager"], incident=incident, resources=[bank["swift"], bank["kp_b"]]
    )
    client = client_as("coord_a")
    url = reverse("incidents:incident_edit", args=[incident.pk])
    body = client.get(url).content.decode()
    assert _chosen(body, "resources") == [str(bank["swift"].pk)]
    assert "KP-B" not in body
    data = _edit_data(incident, title="只改标题", **_all_chosen(body))
    assert client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert incident.title == "只改标题"
    assert set(incident.resources.all()) == {bank["swift"], bank["kp_b"]}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add_resources(incident, unit, start, stop):
    with request_context(source="test"):
        made = [
            deps.resource_create(
                actor=None, code=f"R{i:03d}", name=f"资源{i}", kind="application", unit=unit
            )  # fmt: skip
            for i in range(start, stop)
        ]
    incident.resources.add(*made)


def test_the_edit_page_queries_do_not_grow_with_the_affected_resources(incident, bank, client_as):
    client = client_as("manager")
    url = reverse("incidents:incident_edit", args=[incident.pk])
    _add_resources(incident, bank["pay"].unit, 0, 3)
    client.get(url)
    few = _queries(client, url)
    _add_resources(incident, bank["pay"].unit, 3, 80)
    body = client.get(url).content.decode()
    assert len(_chosen(body, "resources")) == 81
    assert _queries(client, url) == few


def test_the_hotline_and_a_reporting_link_pick_a_site_in_scope(bank, client_as, org_tree):
    with request_context(source="test"):
        branch_b = org.site_create(
            actor=None, code="BR-B", name="乙部网点", kind="office", unit=org_tree["dept_b"]
        )
    coord = client_as("coord_a", "zh-hans")
    page = coord.get(reverse("incidents:hotline")).content.decode()
    assert f'data-picker="{reverse("org:autocomplete", args=["site"])}"' in page
    refused = coord.post(reverse("incidents:hotline"), {"what": "x", "site": str(branch_b.pk)})
    assert refused.status_code == 200 and "场所不存在或您无权查看。" in refused.content.decode()
    assert AnomalyReport.objects.count() == 0
    logged = coord.post(
        reverse("incidents:hotline"), {"what": "转账失败", "site": str(bank["site_main"].pk)}
    )
    assert logged.status_code == 302
    assert AnomalyReport.objects.get().site == bank["site_main"]
    manager = client_as("manager")
    manager.post(reverse("incidents:link_create"), {"label": "海报", "site": "dc-main"})
    assert IntakeLink.objects.get().site == bank["site_main"]
    manager.post(reverse("incidents:link_create"), {"label": "不限场所", "site": ""})
    assert IntakeLink.objects.get(label="不限场所").site is None
