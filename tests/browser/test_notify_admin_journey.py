"""Setting up notification on a browser: the BCM office creates a call tree with its
contacts, is refused a cycle of deputies, reorders the contacts and saves; creates an
escalation policy with two steps (OnCall's defaults already filled in), edits it, removes a
step, starts a send from it, deletes it, and deletes the call tree; opens a message
template's edit link from the list. An auditor sees none of the buttons. Once in Chinese,
once in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from resilia.core.context import request_context
from resilia.notify import services as notify
from resilia.notify.models import CallTree, EscalationPolicy
from resilia.org import services as org
from resilia.org.models import Person
from tests.browser.conftest import login
from tests.browser.steps import pick, picked, picker

pytestmark = pytest.mark.django_db(transaction=True)
TEXT = {
    "zh-hans": {"new": "新建", "edit": "编辑", "delete": "删除", "cycle": "备份人员形成了循环",
                "deleted": "已删除", "steps": "步骤（波次）"},
    "en": {"new": "New", "edit": "Edit", "delete": "Delete", "cycle": "The deputies form a cycle",
           "deleted": "was deleted", "steps": "Steps (waves)"},
}  # fmt: skip


@pytest.fixture
def world(personas, people):
    with request_context(source="test"):
        # alice → bob → carol: carol's deputy set to alice would close a cycle.
        org.person_update(actor=None, person=people["alice"], deputy=people["bob"])
        org.person_update(actor=None, person=people["bob"], deputy=people["carol"])
        duty = notify.calltree_create(actor=None, code="DUTY", name="值班经理", name_en="Duty")
        notify.calltree_contact_add(actor=None, tree=duty, person=people["alice"])
        tpl = notify.template_create(
            actor=None, code="INC", subject="【应急】{title}", body="{name}：{ack_link}"
        )
    return {"duty": duty, "tpl": tpl}


def _click(page, locator):
    with page.expect_navigation():
        locator.click()


def _row(page, prefix, i, field):
    return page.locator(f"[name={prefix}-{i}-{field}]")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_office_sets_up_call_trees_and_policies(page_for, world, people, lang, shot):
    t = TEXT[lang]
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    office = page_for(lang)
    login(office, "manager")

    # A call tree: New on its list, two contacts, carol's deputy closing a cycle: refused.
    office.goto(f"{office.base_url}/notify/calltrees/")
    _click(office, office.get_by_test_id("list-new"))
    office.locator("input[name=code]").fill("OPS")
    office.locator("input[name=name]").fill("运维值班")
    office.locator("input[name=name_en]").fill("Operations duty")
    _row(office, "contacts", 0, "role").fill("组长" if lang == "zh-hans" else "Lead")
    pick(office, "contacts-0-person", alice.full_name)
    _row(office, "contacts", 1, "role").fill("DBA")
    pick(office, "contacts-1-person", carol.full_name)
    pick(office, "contacts-1-deputy", alice.full_name)
    _click(office, office.locator("#calltree-save"))
    expect(office.get_by_test_id("form-errors")).to_contain_text(t["cycle"])
    assert not CallTree.objects.filter(code="OPS").exists()
    assert Person.objects.get(pk=carol.pk).deputy is None
    shot(office, f"notify-calltree-cycle-{lang}")

    # Corrected: no deputy for carol, a third contact, and the order turned round.
    # (an emptied picker box clears its choice when it loses the focus)
    picker(office, "contacts-1-deputy").fill("")
    picker(office, "contacts-1-deputy").blur()
    expect(picked(office, "contacts-1-deputy")).to_have_count(0)
    _row(office, "contacts", 2, "role").fill("DBA")
    pick(office, "contacts-2-person", bob.full_name)
    for i, order in enumerate(("3", "2", "1")):
        _row(office, "contacts", i, "ORDER").fill(order)
    _click(office, office.locator("#calltree-save"))
    tree = CallTree.objects.get(code="OPS")
    expect(office).to_have_url(re.compile(rf"/notify/calltrees/{tree.pk}/$"))
    expect(office.locator("#calltree-contacts tbody tr").first).to_contain_text("李娜")
    assert [c.person_id for c in tree.contacts.order_by("position")] == [bob.pk, carol.pk, alice.pk]

    # Edit: alice moves to the top, carol is removed.
    _click(office, office.get_by_role("link", name=t["edit"], exact=True))
    _row(office, "contacts", 0, "ORDER").fill("2")  # bob
    _row(office, "contacts", 1, "DELETE").check()  # carol
    _row(office, "contacts", 2, "ORDER").fill("1")  # alice
    _click(office, office.locator("#calltree-save"))
    expect(office.locator("#calltree-contacts tbody tr").first).to_contain_text("张伟")
    assert [c.person_id for c in tree.contacts.order_by("position")] == [alice.pk, bob.pk]
    shot(office, f"notify-calltree-{lang}")

    # A policy with two steps; the repeats and the waits come filled in with OnCall's defaults.
    office.goto(f"{office.base_url}/notify/policies/")
    _click(office, office.get_by_test_id("list-new"))
    expect(office.locator("input[name=repeat_limit]")).to_have_value("5")
    expect(_row(office, "steps", 0, "wait_minutes")).to_have_value("5")
    expect(office.locator("body")).to_contain_text(t["steps"])
    office.locator("input[name=code]").fill("DB")
    office.locator("input[name=name]").fill("数据库故障升级")
    office.locator("input[name=quorum]").fill("2")
    _row(office, "steps", 0, "call_tree").select_option(str(world["duty"].pk))
    _row(office, "steps", 1, "call_tree").select_option(str(tree.pk))
    _row(office, "steps", 1, "wait_minutes").fill("10")
    _click(office, office.locator("#policy-save"))
    policy = EscalationPolicy.objects.get(code="DB")
    expect(office.locator("#policy-steps")).to_contain_text(
        "运维值班" if lang == "zh-hans" else "Operations duty"
    )
    assert [(s.call_tree_id, s.wait_minutes) for s in policy.steps.all()] == [
        (world["duty"].pk, 5),
        (tree.pk, 10),
    ]

    # Edit it: the first step removed, one step left, which now also names 王芳 herself
    # (chosen with the search-as-you-type picker).
    _click(office, office.locator("#policy-edit"))
    _row(office, "steps", 0, "DELETE").check()
    office.locator("input[name=repeat_limit]").fill("2")
    pick(office, "steps-1-people", "王芳")
    _click(office, office.locator("#policy-save"))
    expect(office.locator("#policy-steps tbody tr")).to_have_count(1)
    expect(office.get_by_test_id("step-people")).to_contain_text("王芳")
    policy.refresh_from_db()
    assert policy.repeat_limit == 2 and policy.steps.get().call_tree_id == tree.pk
    assert list(policy.steps.get().people.all()) == [carol]
    shot(office, f"notify-policy-{lang}")

    # "Start a send with this policy" opens the send form with the policy chosen.
    _click(office, office.locator("#policy-send"))
    expect(office.locator("select[name=policy]")).to_have_value(str(policy.pk))

    # The policy, then the call tree it used, deleted.
    office.goto(f"{office.base_url}{policy.get_absolute_url()}")
    _click(office, office.locator("#policy-delete"))
    _click(office, office.locator("form button.btn-danger"))
    expect(office.locator("body")).to_contain_text(t["deleted"])
    assert not EscalationPolicy.objects.exists()
    office.goto(f"{office.base_url}{tree.get_absolute_url()}")
    _click(office, office.get_by_role("link", name=t["delete"], exact=True))
    _click(office, office.locator("form button.btn-danger"))
    assert not CallTree.objects.filter(code="OPS").exists()

    # The template list's edit link opens the template's form.
    office.goto(f"{office.base_url}/notify/templates/")
    _click(office, office.get_by_test_id("row-edit").first)
    expect(office).to_have_url(re.compile(rf"/notify/templates/{world['tpl'].pk}/edit/$"))
    expect(office.locator("input[name=code]")).to_have_value("INC")
    office.goto(f"{office.base_url}/notify/channels/")
    expect(office.get_by_test_id("list-table")).to_be_visible()

    # An auditor reads the same pages without a single editing button.
    auditor = page_for(lang)
    login(auditor, "auditor")
    auditor.goto(f"{auditor.base_url}{world['duty'].get_absolute_url()}")
    expect(auditor.locator("#calltree-contacts")).to_be_visible()
    expect(auditor.get_by_role("link", name=t["edit"], exact=True)).to_have_count(0)
    auditor.goto(f"{auditor.base_url}/notify/templates/")
    expect(auditor.get_by_test_id("row-edit")).to_have_count(0)
    auditor.goto(f"{auditor.base_url}/notify/policies/")
    expect(auditor.get_by_test_id("list-new")).to_have_count(0)
