"""Item 8: the what-if page lists the plans and teams to activate for what fails."""

from django.urls import reverse

from resilia.analysis.activation import to_activate
from resilia.dependencies import services as deps
from resilia.plans import services
from resilia.plans.tests.conftest import sign_off


def test_it_names_the_published_plan_whose_scope_fails(plan_setup, personas, org_tree):
    assert to_activate(personas["manager"], {"activity:PAY"}) == []  # nothing published yet
    v = sign_off(plan_setup, personas)
    [a] = to_activate(personas["manager"], {"activity:PAY", "resource:X"})
    assert a.code == "EP-NET" and a.because == ["PAY"] and a.url == v.get_absolute_url()
    assert to_activate(personas["coord_b"], {"activity:PAY"}) == []  # out of their scope
    assert to_activate(personas["manager"], {"activity:OTHER"}) == []


def test_the_whatif_page_lists_it(plan_setup, personas, client_for, org_tree):
    core = deps.resource_create(
        actor=None, code="CORE", name="核心系统", kind="application", unit=org_tree["dept_a"]
    )
    deps.dependency_create(actor=None, dependent=plan_setup["pay"], dependency=core)
    v = sign_off(plan_setup, personas)
    services.version_new(actor=personas["coord_a"], plan=v.plan, change_note="x")
    page = client_for("manager").get(reverse("analysis:whatif"), {"fail": "resource:CORE"})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="activations"' in body and "EP-NET" in body
