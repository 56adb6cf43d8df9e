"""Plans on a browser (issue 11, Done when): a coordinator writes a plan from the network-
interruption template, scopes it to payments, sees the critical path go red against the RTO
when a step takes longer, is refused a step that waits for itself, and signs it as author
(编制人); the BCM office reviews (审核人), the head of the unit approves (批准人), the office
publishes; the DOCX and PDF download and open. Then every other action of the plan's pages:
the reviewer returns a version to draft, a holder of the distribution list acknowledges it, the
owner marks the contacts verified, starts a new version with a change note, compares it with the
published one side by side, and the office retires the published version. Once in Chinese, once
in English."""

from __future__ import annotations

import docx
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.notify.models import CallTree
from resilia.plans import content as c
from resilia.plans import services
from resilia.plans.models import Acknowledgement, Plan, Status
from resilia.plans.tests.conftest import plan_setup, sign_off  # noqa: F401 (fixture)
from tests.browser.conftest import PASSWORD, login
from tests.browser.steps import pick

TEXT = {
    "zh-hans": {"in_review": "审核中", "approved": "已批准", "published": "已发布",
                "self": "不能以自身为紧前步骤", "draft": "草稿", "retired": "已废止",
                "returned": "已退回编制人", "acked": "已阅知", "thanks": "您的阅知已记录",
                "verified": "今日核实", "retired_msg": "预案已废止",
                "procedures": "处置与恢复步骤", "twice": "有两个响应级别都名为",
                "create_tree": "创建呼叫树", "update_tree": "更新呼叫树",
                "tree_made": "已根据预案创建呼叫树", "tree_updated": "已根据预案更新呼叫树"},
    "en": {"in_review": "In review", "approved": "Approved", "published": "Published",
           "self": "cannot wait for itself", "draft": "Draft", "retired": "Retired",
           "returned": "Returned to the author", "acked": "acknowledged",
           "thanks": "your reading is recorded", "verified": "verified today",
           "retired_msg": "The plan is retired", "procedures": "Procedures",
           "twice": "Two response levels are named", "create_tree": "Create call tree",
           "update_tree": "Update call tree", "tree_made": "was created from the plan",
           "tree_updated": "was updated from the plan"},
}  # fmt: skip


def _click(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def _sign(page, url):
    page.goto(url)
    page.get_by_test_id("sign-password").fill(PASSWORD)
    _click(page, "sign")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_write_review_approve_publish_and_export(page_for, plan_setup, org_tree, lang, shot):  # noqa: F811
    t = TEXT[lang]
    coord = page_for(lang)
    login(coord, "coord_a")
    coord.goto(f"{coord.base_url}/plans/new/")
    coord.locator("select[name=blueprint]").select_option("network")
    coord.locator("input[name=code]").fill("EP-NET2")
    coord.locator("input[name=name]").fill("网络中断应急预案（分行）")
    coord.locator("select[name=kind]").select_option("emergency")
    pick(coord, "unit", "DEPT-A")
    with coord.expect_navigation():
        coord.locator("form.card button[type=submit].btn-primary").click()
    plan = Plan.objects.get(code="EP-NET2")
    version_url = f"{coord.base_url}/plans/{plan.pk}/v1/"
    expect(coord).to_have_url(version_url)
    expect(coord.get_by_test_id("steps")).to_contain_text("S7")

    # Scope it to payments (RTO 1 h); the backup line now takes 45 min: 85 min, red.
    _click(coord, "edit-version")
    pick(coord, "activities", plan_setup["pay"].code)
    coord.locator("input[name=steps-3-minutes]").fill("45")
    coord.locator("textarea[name=change_note]").fill("切换耗时按演练结果调整")
    _click(coord, "save-version")
    expect(coord.locator("[data-testid=scope-activities] td[data-late='1']")).to_be_visible()
    # A step waiting for itself is refused, naming it; nothing is saved.
    _click(coord, "edit-version")
    coord.locator("input[name=steps-1-after]").fill("S2")
    _click(coord, "save-version")
    expect(coord.get_by_test_id("form-errors")).to_contain_text(t["self"])
    coord.locator("input[name=steps-1-after]").fill("")
    coord.locator("input[name=steps-3-minutes]").fill("20")
    _click(coord, "save-version")
    expect(coord.locator("[data-testid=scope-activities] td[data-late='0']")).to_be_visible()

    # The response levels (分级管理): a warning level added and moved to the top with the
    # arrows; the table on the page follows. A level named twice is refused, nothing saved.
    _click(coord, "edit-version")
    levels = coord.get_by_test_id("levels-formset")
    expect(levels.locator("tbody tr")).to_have_count(3)  # two levels and an empty row
    coord.get_by_test_id("add-level").click()
    new = levels.locator("tr[data-level-row]:has([name='levels-3-name'])")
    new.locator("[name='levels-3-name']").fill("预警")
    new.locator("textarea[name='levels-3-criteria']").fill("监控告警，业务未受影响")
    new.locator("[name='levels-3-decides']").fill("值班员")
    new.locator("input[name='levels-3-report_within']").fill("10")
    for _ in range(3):
        new.locator("[data-level-up]").click()
    expect(levels.locator("tbody tr").first.locator("[name='levels-3-name']")).to_be_visible()
    shot(coord, f"plans-levels-editor-{lang}")
    _click(coord, "save-version")
    table = coord.get_by_test_id("levels")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tbody tr").first).to_contain_text("预警")
    expect(table.locator("tbody tr").first).to_contain_text("值班员")
    plan.refresh_from_db()
    assert [lv["name"] for lv in plan.versions.get().content["levels"]][0] == "预警"
    _click(coord, "edit-version")
    coord.locator("[name='levels-1-name']").fill("预警")
    _click(coord, "save-version")
    expect(coord.get_by_test_id("levels-errors")).to_contain_text(t["twice"])
    assert len({lv["name"] for lv in plan.versions.get().content["levels"]}) == 3
    coord.goto(version_url)
    shot(coord, f"plans-version-draft-{lang}")

    # 编制人 signs with the password; 审核人 (BCM office); 批准人 (the unit's head).
    _sign(coord, version_url)
    expect(coord.get_by_test_id("version-status")).to_have_text(t["in_review"])
    office = page_for(lang)
    login(office, "manager")
    _sign(office, version_url)
    head = page_for(lang)
    login(head, "head_a")
    _sign(head, version_url)
    expect(head.get_by_test_id("version-status")).to_have_text(t["approved"])
    office.goto(version_url)
    _click(office, "publish")
    expect(office.get_by_test_id("version-status")).to_have_text(t["published"])
    expect(office.get_by_test_id("signatures").locator("tbody tr")).to_have_count(3)
    shot(office, f"plans-version-published-{lang}")

    # The DOCX and PDF download and open, with the plan and its steps.
    with office.expect_download() as word:
        office.get_by_test_id("export-docx").click()
    document = docx.Document(word.value.path())
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert any("网络中断应急预案（分行）" in x for x in texts)
    assert word.value.suggested_filename.endswith(".docx")
    with office.expect_download() as pdf:
        office.get_by_test_id("export-pdf").click()
    text = "".join(p.extract_text() for p in PdfReader(pdf.value.path()).pages)
    assert "EP-NET2" in text
    office.goto(f"{office.base_url}/plans/{plan.pk}/")
    expect(office.get_by_test_id("readiness-score")).to_be_visible()
    shot(office, f"plans-plan-{lang}")


def _events(obj, action):
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_return_ack_verify_new_version_compare_retire(
    page_for,
    plan_setup,  # noqa: F811
    personas,
    people,
    lang,
    shot,
):
    """Every other action of the plan's pages, clicked: 退回 (return), 阅知 (acknowledge),
    the call tree made a notification call tree and updated, 联系人已核实, 新版本 with its
    change note, 版本对比, 废止 (retire)."""
    t = TEXT[lang]
    plan, v1, head_a = plan_setup["plan"], plan_setup["version"], plan_setup["head_a"]
    plan.distribution.add(head_a.person)  # 赵强 holds the plan (distribution list)
    body = c.normalised(v1.content)
    body["roles"][0].update(person=people["alice"].pk)  # 张伟 leads the response
    with request_context(source="test"):
        services.version_update(actor=None, version=v1, content=body)
    coord = page_for(lang)
    login(coord, "coord_a")
    v1_url = f"{coord.base_url}/plans/{plan.pk}/v1/"
    plan_url = f"{coord.base_url}/plans/{plan.pk}/"
    _sign(coord, v1_url)
    expect(coord.get_by_test_id("version-status")).to_have_text(t["in_review"])

    # The reviewer (BCM office) returns it, saying what should change: a draft, unsigned.
    office = page_for(lang)
    login(office, "manager")
    office.goto(v1_url)
    office.get_by_test_id("return-comment").fill("请补充备用线路供应商联系人")
    _click(office, "return")
    expect(office.get_by_test_id("version-status")).to_have_text(t["draft"])
    expect(office.get_by_role("alert")).to_contain_text(t["returned"])
    v1.refresh_from_db()
    assert v1.status == Status.DRAFT and not v1.signatures.exists() and not v1.content_sha256
    ret = _events(v1, "return").get()
    assert ret.actor_id == personas["manager"].pk
    assert ret.changes["comment"] == [None, "请补充备用线路供应商联系人"]

    # Signed off again (the clicks are the first test's), published: the holder acknowledges.
    sign_off(plan_setup, personas)
    head = page_for(lang)
    login(head, "head_a")
    head.goto(v1_url)
    _click(head, "acknowledge")
    expect(head.get_by_role("alert")).to_contain_text(t["thanks"])
    expect(head.get_by_test_id("acknowledge")).to_have_count(0)
    ack = Acknowledgement.objects.get(version=v1)
    assert ack.person_id == head_a.person_id
    assert _events(v1, "acknowledge").get().actor_id == head_a.pk

    # The office makes the plan's call tree a notification call tree, then updates it; the
    # unit's head (a coordinator) is not offered the button.
    expect(head.get_by_test_id("build-calltree")).to_have_count(0)
    office.goto(v1_url)
    expect(office.get_by_test_id("build-calltree")).to_contain_text(t["create_tree"])
    _click(office, "build-calltree")
    tree = CallTree.objects.get(code="PLAN-EP-NET")
    expect(office).to_have_url(f"{office.base_url}{tree.get_absolute_url()}")
    expect(office.get_by_role("alert")).to_contain_text(t["tree_made"])
    expect(office.locator("#calltree-contacts tbody tr")).to_have_count(1)
    expect(office.locator("#calltree-contacts")).to_contain_text("张伟")
    shot(office, f"plans-calltree-{lang}")
    office.goto(v1_url)
    expect(office.get_by_test_id("build-calltree")).to_contain_text(t["update_tree"])
    _click(office, "build-calltree")
    expect(office.get_by_role("alert")).to_contain_text(t["tree_updated"])
    assert CallTree.objects.count() == 1
    assert _events(v1, "build_calltree").count() == 2

    # The owner marks the contacts verified; the holder shows as having read the plan.
    coord.goto(plan_url)
    expect(coord.get_by_test_id("holders")).to_contain_text(t["acked"])
    _click(coord, "verify-contacts")
    expect(coord.get_by_role("alert")).to_contain_text(t["verified"])
    plan.refresh_from_db()
    assert plan.contacts_verified_at is not None
    assert _events(plan, "verify_contacts").get().actor_id == personas["coord_a"].pk
    expect(coord.locator(".datagrid")).to_contain_text(
        plan.contacts_verified_at.astimezone().strftime("%Y-%m-%d")
    )

    # A new version from the published one, with its change note; the switch-over takes longer.
    coord.locator("#new-note").fill("备用线路切换时间按演练结果调整")
    _click(coord, "new-version")
    v2_url = f"{coord.base_url}/plans/{plan.pk}/v2/"
    expect(coord).to_have_url(v2_url)
    expect(coord.get_by_test_id("version-status")).to_have_text(t["draft"])
    v2 = plan.versions.get(number=2)
    assert v2.change_note == "备用线路切换时间按演练结果调整" and v2.status == Status.DRAFT
    assert v2.content["steps"] == v1.content["steps"]
    assert list(v2.activities.all()) == [plan_setup["pay"]]
    assert _events(v2, "create").get().actor_id == personas["coord_a"].pk
    _click(coord, "edit-version")
    coord.locator("input[name=steps-3-minutes]").fill("30")
    _click(coord, "save-version")

    # Compared side by side: v1 against v2 by default, the procedures marked changed; swapped.
    coord.goto(plan_url)
    _click(coord, "compare")
    rows = coord.get_by_test_id("compare-rows")
    expect(rows.locator("thead")).to_contain_text(f"v1 · {t['published']}")
    expect(rows.locator("thead")).to_contain_text(f"v2 · {t['draft']}")
    changed = rows.locator("tr[data-changed='1']")
    expect(changed.filter(has_text=t["procedures"])).to_have_count(1)
    expect(rows).to_contain_text("备用线路切换时间按演练结果调整")
    coord.locator("#cmp-a").select_option("2")
    coord.locator("#cmp-b").select_option("1")
    _click(coord, "compare-go")
    expect(rows.locator("thead th").nth(1)).to_contain_text("v2")
    expect(rows.locator("thead th").nth(2)).to_contain_text("v1")
    shot(coord, f"plans-compare-{lang}")

    # The office retires the published version: no longer in force.
    office.goto(v1_url)
    _click(office, "retire")
    expect(office.get_by_test_id("version-status")).to_have_text(t["retired"])
    expect(office.get_by_role("alert")).to_contain_text(t["retired_msg"])
    expect(office.get_by_test_id("retire")).to_have_count(0)
    v1.refresh_from_db()
    assert v1.status == Status.RETIRED
    assert _events(v1, "retire").get().actor_id == personas["manager"].pk
    assert not plan.versions.filter(status=Status.PUBLISHED).exists()
