"""A plan edited by someone whose scope is narrower than the plan's selections: a DEPT-A
coordinator editing DEPT-A's plan, whose draft names a DEPT-B resource and whose
distribution list holds a DEPT-B person. What the editor may not read is not shown (not
even as a bare id in a picker) and an edit keeps it: nobody can remove what they never saw
(the kit's KeepsUnseen, as for risks and incidents)."""

import pytest
from django.urls import reverse

from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.org import services as org
from resilia.plans.tests.test_pages import _url, edit_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def beyond(plan_setup, org_tree, people):
    """DEPT-B's branch system in the draft's scope, DEPT-B's clerk on the distribution."""
    b = org_tree["dept_b"]
    with request_context(source="test"):
        branch = deps.resource_create(
            actor=None, code="BR-SYS", name="网点系统", kind="application", unit=b
        )
        core = deps.resource_create(
            actor=None, code="CORE", name="核心系统", kind="application", unit=org_tree["dept_a"]
        )
        clerk = org.person_create(actor=None, full_name="孙丽", unit=b)
    v, plan = plan_setup["version"], plan_setup["plan"]
    v.resources.add(branch, core)
    plan.distribution.add(clerk, people["alice"])
    return {"branch": branch, "core": core, "clerk": clerk}


def test_a_draft_keeps_the_scope_its_editor_cannot_read(plan_setup, beyond, client_for):
    client = client_for("coord_a")
    v = plan_setup["version"]
    page = client.get(_url("version_edit", v)).content.decode()
    assert "CORE" in page and "BR-SYS" not in page
    data = edit_payload(client, v)
    assert data["resources"] == [beyond["core"].pk]
    data["change_note"] = "只改说明"
    assert client.post(_url("version_edit", v), data).status_code == 302
    v.refresh_from_db()
    assert v.change_note == "只改说明"
    assert set(v.resources.all()) == {beyond["core"], beyond["branch"]}


def test_a_plan_keeps_the_recipients_its_editor_cannot_read(plan_setup, beyond, client_for, people):
    client = client_for("coord_a")
    plan = plan_setup["plan"]
    url = reverse("plans:plan_edit", args=[plan.pk])
    response = client.get(url)
    form = response.context["form"]
    assert form.initial["distribution"] == [people["alice"].pk]
    assert "孙丽" not in response.content.decode()
    data = {
        "name": "网络中断应急预案（修订）",
        "name_en": plan.name_en,
        "owner": plan.owner_id or "",
        "review_months": plan.review_months,
        "next_review": plan.next_review.isoformat() if plan.next_review else "",
        "distribution": form.initial["distribution"],
    }
    assert client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.name == "网络中断应急预案（修订）"
    assert set(plan.distribution.all()) == {people["alice"], beyond["clerk"]}
