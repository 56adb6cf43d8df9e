"""Links edited from either end: add, edit in place, remove; every bad input refused by name."""

import pytest
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.dependencies import services as deps
from resilia.dependencies.models import Dependency, ModelRevision

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def add_url(node, direction="needs"):
    kind = "activity" if node._meta.model_name == "activity" else "resource"
    return reverse("dependencies:link_add", args=[kind, node.pk, direction])


def post_link(client, node, target, direction="needs", htmx=False, **fields):
    data = {f"{direction}-target": target, **{f"{direction}-{k}": v for k, v in fields.items()}}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(add_url(node, direction), data, **headers, **ZH)


def key(node):
    return f"{node._meta.model_name}:{node.pk}"


def snapshot():
    return (
        list(Dependency.objects.order_by("pk").values_list("pk", "group", "tolerance", "note")),
        AuditEvent.objects.count(),
        ModelRevision.objects.get().revision,
    )


def test_it_adds_a_needed_link_with_group_tolerance_and_note(bank, client_for):
    client = client_for("coord_a")
    response = post_link(
        client, bank["pay"], key(bank["net"]), group="", tolerance="2h", note="人工操作方案"
    )
    assert response.status_code == 302
    link = Dependency.objects.get(dependent_activity=bank["pay"], dependency_resource=bank["net"])
    assert (link.group, link.tolerance, link.note) == ("", 120, "人工操作方案")
    assert AuditEvent.objects.filter(
        action="create", object_type="dependencies.dependency", object_id=str(link.pk)
    ).exists()


def test_it_adds_a_link_from_the_needed_end_with_htmx(bank, client_for):
    """On the shared network's page, 'needed by' the core system (which coord_a may write)."""
    client = client_for("coord_a")
    response = post_link(client, bank["net"], key(bank["core"]), "needed_by", htmx=True)
    assert response.status_code == 200
    assert 'id="links"' in response.content.decode()
    assert Dependency.objects.filter(
        dependent_resource=bank["core"], dependency_resource=bank["net"]
    ).exists()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("self", "节点不能依赖自身。"),
        ("stale", "已不存在或您无权查看"),
        ("resource_to_activity", "资源只能依赖其他资源"),
        ("duplicate", "已存在"),
        ("negative", "时长不能为负数"),
        ("absurd", "超过 10 年"),
        ("garbled", "请输入分钟数"),
        ("other_department", "已不存在或您无权查看"),
    ],
)
def test_it_refuses_bad_links_by_name_and_saves_nothing(bank, client_for, case, message):
    client = client_for("coord_a")
    core, pay = bank["core"], bank["pay"]
    node, target, tolerance, direction = core, key(bank["net"]), "0", "needs"
    if case == "self":
        target = key(core)
    elif case == "stale":
        target = "resource:999999"
    elif case == "resource_to_activity":
        target = key(pay)
    elif case == "duplicate":
        node, target = pay, key(core)
    elif case == "negative":
        tolerance = "-30"
    elif case == "absurd":
        tolerance = "11000d"
    elif case == "garbled":
        tolerance = "soon"
    elif case == "other_department":
        target = key(bank["b_res"])
    before = snapshot()
    response = post_link(client, node, target, direction, tolerance=tolerance)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    if case in ("self", "resource_to_activity", "duplicate"):
        assert "核心业务系统" in text  # the message names the link
    if case == "other_department":
        assert "乙部门专属" not in text
    assert snapshot() == before


def test_it_refuses_needed_by_from_a_node_the_user_may_not_write(bank, client_for):
    """coord_a may read the shared network but not change what it needs."""
    client = client_for("coord_a")
    before = snapshot()
    response = post_link(client, bank["dc1"], key(bank["net"]), "needed_by")
    assert response.status_code == 400
    assert "您无权更改“骨干网络”的依赖" in response.content.decode()
    assert snapshot() == before


def test_it_refuses_adding_needs_to_a_node_the_user_may_not_write(bank, client_for):
    before = snapshot()
    response = post_link(client_for("contrib_a"), bank["pay"], key(bank["net"]))
    assert response.status_code == 403
    response = post_link(client_for("coord_a"), bank["ops"], key(bank["net"]))
    assert response.status_code == 404
    assert snapshot() == before


def test_it_lets_a_coordinator_link_to_a_readable_shared_resource(bank, client_for):
    response = post_link(client_for("coord_b"), bank["ops"], key(bank["net"]))
    assert response.status_code == 302
    assert Dependency.objects.filter(
        dependent_activity=bank["ops"], dependency_resource=bank["net"]
    ).exists()


def test_it_edits_a_link_in_place_and_audits_it(bank, client_for):
    link = Dependency.objects.get(dependent_activity=bank["pay"])
    client = client_for("coord_a")
    url = reverse("dependencies:link_edit", args=[link.pk]) + f"?from={key(bank['core'])}"
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'data-testid="link-edit"' in form.content.decode()
    prefix = f"edit-{link.pk}"
    response = client.post(
        url,
        {f"{prefix}-group": "", f"{prefix}-tolerance": "30分钟", f"{prefix}-note": "手工清算"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    link.refresh_from_db()
    assert (link.tolerance, link.note) == (30, "手工清算")
    event = AuditEvent.objects.filter(action="update", object_id=str(link.pk)).latest("seq")
    assert event.object_type == "dependencies.dependency" and "tolerance" in event.changes


def test_it_refuses_an_absurd_tolerance_on_edit(bank, client_for):
    link = Dependency.objects.get(dependent_activity=bank["pay"])
    before = snapshot()
    prefix = f"edit-{link.pk}"
    response = client_for("coord_a").post(
        reverse("dependencies:link_edit", args=[link.pk]),
        {f"{prefix}-tolerance": "-1h", f"{prefix}-group": "", f"{prefix}-note": ""},
        **ZH,
    )
    assert response.status_code == 400
    assert "时长不能为负数" in response.content.decode()
    assert snapshot() == before


def test_it_removes_a_link_and_audits_it(bank, client_for):
    link = Dependency.objects.get(dependent_activity=bank["pay"])
    response = client_for("coord_a").post(reverse("dependencies:link_remove", args=[link.pk]))
    assert response.status_code == 302
    assert not Dependency.objects.filter(pk=link.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(link.pk)).exists()


def test_it_refuses_link_changes_outside_the_dependents_scope(bank, client_for):
    link = Dependency.objects.get(dependent_activity=bank["ops"])
    client = client_for("coord_a")
    before = snapshot()
    assert client.post(reverse("dependencies:link_remove", args=[link.pk])).status_code == 404
    assert client.get(reverse("dependencies:link_edit", args=[link.pk])).status_code == 404
    assert (
        client_for("auditor").post(reverse("dependencies:link_remove", args=[link.pk])).status_code
        == 403
    )
    assert snapshot() == before


def test_it_shows_and_groups_needs_and_warns_of_a_lonely_group(bank, client_for):
    deps.dependency_delete(
        actor=bank["actor"],
        dependency=Dependency.objects.get(dependency_resource=bank["dc2"]),
    )
    page = client_for("coord_a").get(bank["core"].get_absolute_url(), **ZH).content.decode()
    assert "冗余组“dc”只有一个成员：这不构成冗余。" in page
    assert 'data-testid="needs-or"' in page and "主数据中心" in page
    checks = client_for("coord_a").get(reverse("dependencies:checks"), **ZH).content.decode()
    assert "冗余组“dc”只有一个成员" in checks and "核心业务系统" in checks


def test_it_lists_cycles_activities_without_rto_and_untested_resources(bank, client_for):
    actor = bank["actor"]
    deps.dependency_create(actor=actor, dependent=bank["dc1"], dependency=bank["core"])
    deps.activity_create(actor=actor, code="HR", name="人事管理", unit=bank["pay"].unit)
    page = client_for("coord_a").get(reverse("dependencies:checks"))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="cycle"' in text and "主数据中心" in text
    assert "人事管理" in text and "骨干网络" in text
    assert "乙部门专属" not in text


def test_it_autocompletes_only_readable_nodes(bank, client_for):
    client = client_for("coord_a")
    url = reverse("dependencies:autocomplete", args=["node"])
    results = client.get(url, {"q": ""}).json()["results"]
    ids = {r["id"] for r in results}
    assert key(bank["pay"]) in ids and key(bank["net"]) in ids
    assert key(bank["ops"]) not in ids and key(bank["b_res"]) not in ids
    writable = {r["id"] for r in client.get(url, {"q": "", "write": "1"}).json()["results"]}
    assert key(bank["net"]) not in writable and key(bank["core"]) in writable
    assert client.get(reverse("dependencies:autocomplete", args=["x"])).status_code == 404
