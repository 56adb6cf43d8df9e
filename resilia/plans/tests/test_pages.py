"""The plans' pages end to end through HTTP: a plan from a template, the draft edited, signed
by the three signers, published and exported; bad input refused with messages."""

import pytest
from django.test import Client
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.plans.models import Plan, PlanVersion, Status
from resilia.plans.tests.conftest import PASSWORD, sign_off


def _url(name, v, **kw):
    return reverse(f"plans:{name}", kwargs={"pk": v.plan_id, "number": v.number, **kw})


def edit_payload(client, v):
    """The edit form's own values, as the browser would post them back."""
    from resilia.plans import forms as f

    page = client.get(_url("version_edit", v))
    assert page.status_code == 200
    data = {}
    for form in (page.context["form"],):
        for name in form.fields:
            value = form.initial.get(name, "")
            if name in ("activities", "resources", "sites"):
                data[name] = [getattr(x, "pk", x) for x in value]
            elif name == "alternate_site":
                data[name] = value.pk if value else ""
            else:
                data[name] = value
    for prefix, fs in (
        ("steps", "steps"),
        ("roles", "roles"),
        ("comms", "comms"),
        ("levels", "levels"),
    ):
        formset = page.context[fs]
        data[f"{prefix}-TOTAL_FORMS"] = len(formset.initial or [])
        data[f"{prefix}-INITIAL_FORMS"] = len(formset.initial or [])
        for i, row in enumerate(formset.initial or []):
            for k, val in row.items():
                data[f"{prefix}-{i}-{k}"] = "" if val is None else val
            if prefix == "levels":  # the position the page shows (ORDER)
                data[f"{prefix}-{i}-ORDER"] = i + 1
    assert f  # noqa
    return data


def test_it_creates_a_plan_from_a_template(client_for, org_tree):
    client = client_for("coord_a")
    page = client.get(reverse("plans:plan_create"))
    assert "网络中断应急预案" in page.content.decode()
    response = client.post(
        reverse("plans:plan_create"),
        {
            "blueprint": "fire",
            "code": "EP-FIRE",
            "name": "火灾应急预案",
            "kind": "emergency",
            "unit": org_tree["dept_a"].pk,
        },
    )
    plan = Plan.objects.get(code="EP-FIRE")
    assert response.status_code == 302
    v = plan.versions.get()
    assert v.content["activation"]["criteria"][0] == "火灾报警确认"
    page = client.get(v.get_absolute_url())
    assert page.status_code == 200 and "组织人员疏散并拨打119" in page.content.decode()


def test_it_refuses_a_plan_in_a_unit_out_of_scope(client_for, org_tree):
    response = client_for("coord_a").post(
        reverse("plans:plan_create"),
        {"code": "X", "name": "x", "kind": "bcp", "unit": org_tree["dept_b"].pk},
    )
    assert response.status_code == 200 and not Plan.objects.filter(code="X").exists()


def test_it_edits_the_draft_and_refuses_a_cycle(plan_setup, client_for):
    client = client_for("coord_a")
    v = plan_setup["version"]
    data = edit_payload(client, v)
    data["steps-3-minutes"] = 45
    data["change_note"] = "切换耗时按演练结果调整"
    response = client.post(_url("version_edit", v), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    v.refresh_from_db()
    assert v.schedule["best"] == 85 and v.change_note == "切换耗时按演练结果调整"
    page = client.get(v.get_absolute_url()).content.decode()
    assert 'data-late="1"' in page
    data["steps-1-after"] = "S2"
    response = client.post(_url("version_edit", v), data)
    assert response.status_code == 400
    assert "S2" in response.content.decode()
    data["steps-1-after"] = "S1"
    data["comms-0-body"] = "{nope}"
    response = client.post(_url("version_edit", v), data)
    assert response.status_code == 400 and "{nope}" in response.content.decode()


def test_it_signs_publishes_and_exports_through_the_pages(plan_setup, client_for, personas):
    v = plan_setup["version"]
    a = client_for("coord_a")
    a.post(_url("version_sign", v, role="author"), {"password": "wrong"})
    v.refresh_from_db()
    assert v.status == Status.DRAFT
    a.post(_url("version_sign", v, role="author"), {"password": PASSWORD})
    m = client_for("manager")
    m.post(_url("version_sign", v, role="reviewer"), {"password": PASSWORD})
    head = Client()
    head.force_login(plan_setup["head_a"])
    head.post(_url("version_sign", v, role="approver"), {"password": PASSWORD})
    m.post(_url("version_publish", v))
    v.refresh_from_db()
    assert v.status == Status.PUBLISHED and v.signatures.count() == 3
    for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK")):
        response = m.get(_url("version_export", v, fmt=fmt))
        assert response.status_code == 200 and response.content[:4].startswith(magic)
    assert AuditEvent.objects.filter(action="export", object_id=str(v.pk)).count() == 2
    # A published version cannot be edited.
    assert a.get(_url("version_edit", v)).status_code == 302


def test_it_compares_two_versions(plan_setup, personas, client_for):
    from resilia.plans import services

    v = sign_off(plan_setup, personas)
    services.version_new(actor=personas["coord_a"], plan=v.plan, change_note="年度修订")
    page = client_for("auditor").get(reverse("plans:compare", args=[v.plan_id]) + "?a=1&b=2")
    assert page.status_code == 200 and "年度修订" in page.content.decode()
    # Read as text, not as Python: the scope's codes and a step's phase by its name.
    html = page.content.decode()
    assert (
        "范围内的业务活动: PAY" in html
        and "事件触发要素: " in html
        and "[&#x27;" not in html
        and "[]" not in html
    )
    assert "S1 · 准备 · " in html and " preparation " not in html  # the page is in Chinese


@pytest.mark.parametrize("name", ["coord_b", "contrib_a", "executive"])
def test_it_hides_or_forbids_plans_out_of_scope(plan_setup, client_for, name):
    v = plan_setup["version"]
    response = client_for(name).get(v.get_absolute_url())
    if name == "contrib_a":  # reads inside their unit's subtree
        assert response.status_code == 200
    else:
        assert response.status_code in (403, 404)
    assert PlanVersion.objects.count() == 1


def test_the_register_stays_within_a_query_budget(
    plan_setup, client_for, django_assert_max_num_queries
):
    client = client_for("manager")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("plans:plan_list"))
    assert response.status_code == 200 and "EP-NET" in response.content.decode()
    with django_assert_max_num_queries(15):
        assert client.get(reverse("plans:plan_list") + "?export=csv").status_code == 200


def test_the_home_page_lists_plans_by_readiness(plan_setup, personas, client_for):
    sign_off(plan_setup, personas)
    page = client_for("manager").get("/").content.decode()
    assert 'data-testid="plans-readiness"' in page and "EP-NET" in page
    assert 'data-testid="plans-readiness"' not in client_for("coord_b").get("/").content.decode()
