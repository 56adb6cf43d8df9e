"""Notification on a browser (issue 12, Done when): the BCM office sets up a channel (with a
test send to the local SMTP server), a template (an unknown placeholder refused), a call tree
contact, starts a call-out on an escalation policy and watches its live view; a person
acknowledges by the link on a phone-sized screen without signing in, which stops the waves
for them; the office exports who has not answered, runs a roll-call, records an answer by
phone and closes it. Once in Chinese, once in English."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from resilia.conftest import smtp_server  # noqa: F401 (fixture)
from resilia.core.context import request_context
from resilia.notify import services as notify
from resilia.notify.dispatch import dispatch
from resilia.notify.models import Acknowledgement, Channel, Delivery, MessageTemplate, Send
from resilia.notify.tokens import ack_url
from resilia.org import services as org
from tests.browser.conftest import login
from tests.browser.steps import pick

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}
TEXT = {
    "zh-hans": {"unknown": "未知占位符", "sent": "测试消息已发送", "coming": "我能到岗",
                "done": "您的答复", "safe": "我很安全", "closed": "通知已关闭"},
    "en": {"unknown": "Unknown placeholder", "sent": "The test message was sent",
           "coming": "I can come", "done": "Your answer", "safe": "I am safe",
           "closed": "The send is closed"},
}  # fmt: skip


@pytest.fixture
def world(personas, people, org_tree):
    with request_context(source="test"):
        org.person_update(actor=None, person=people["bob"], email="li.na@example.com")
        org.person_update(actor=None, person=people["carol"], email="wang.fang@example.com")
        duty = notify.calltree_create(
            actor=None, code="DUTY", name="值班经理", name_en="Duty manager"
        )
        notify.calltree_contact_add(actor=None, tree=duty, person=people["alice"], role="值班")
        dba = notify.calltree_create(actor=None, code="DBA", name="数据库管理员", name_en="DBAs")
        notify.calltree_contact_add(actor=None, tree=dba, person=people["bob"], role="DBA")
        policy = notify.policy_create(
            actor=None,
            code="DB",
            name="数据库故障升级",
            quorum=2,
            repeat_limit=1,
            steps=[{"call_tree": duty, "wait_minutes": 5}, {"call_tree": dba, "wait_minutes": 5}],
        )
    return {"duty": duty, "policy": policy}


def _save(page):
    with page.expect_navigation():
        page.locator("form.card button[type=submit]").click()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_set_up_send_acknowledge_on_a_phone_and_roll_call(
    page_for,
    world,
    people,
    smtp_server,  # noqa: F811
    lang,
    shot,  # noqa: F811
):
    t = TEXT[lang]
    office = page_for(lang)
    login(office, "manager")
    office.locator("header a[href='/notify/']").first.click()
    expect(office.get_by_test_id("notify-tabs")).to_be_visible()

    # A channel: the e-mail form, saved, then a test send to the local SMTP server.
    office.goto(f"{office.base_url}/notify/channels/new/?kind=email")
    office.locator("input[name=name]").fill("邮件" if lang == "zh-hans" else "Mail")
    office.locator("input[name=cfg_host]").fill("127.0.0.1")
    office.locator("input[name=cfg_port]").fill(str(smtp_server.controller.port))
    office.locator("input[name=cfg_from_email]").fill("bcm@example.com")
    _save(office)
    channel = Channel.objects.get(kind="email")
    office.locator("#channel-test input[name=address]").fill("test@example.com")
    with office.expect_navigation():
        office.locator("#channel-test button").click()
    expect(office.locator("body")).to_contain_text(t["sent"])
    assert smtp_server.messages[-1]["X-Envelope-To"] == "test@example.com"
    shot(office, f"notify-channel-{lang}")

    # A template: an unknown placeholder is refused with its name, then fixed.
    office.goto(f"{office.base_url}/notify/templates/new/")
    office.locator("input[name=code]").fill("CALL")
    office.locator("input[name=subject]").fill("【召集】{title}")
    office.locator("input[name=subject_en]").fill("[Call-out] {title}")
    office.locator("textarea[name=body]").fill("{name}：{incidnet}，请确认：{ack_link}")
    _save(office)
    expect(office.locator("body")).to_contain_text(t["unknown"])
    assert not MessageTemplate.objects.exists()
    office.locator("textarea[name=body]").fill("{name}：{incident}，请确认：{ack_link}")
    office.locator("textarea[name=body_en]").fill("{name}: {incident}. Answer: {ack_link}")
    _save(office)

    # The call tree gets a contact.
    office.goto(f"{office.base_url}{world['duty'].get_absolute_url()}")
    pick(office.locator("#contact-add"), "person", "王芳")
    with office.expect_navigation():
        office.locator("#contact-add button").click()
    expect(office.locator("#calltree-contacts")).to_contain_text("王芳")
    office.goto(f"{office.base_url}{world['policy'].get_absolute_url()}")
    expect(office.locator("#policy-steps")).to_contain_text("DBA" if lang == "en" else "数据库")

    # A call-out on the policy; the worker sends wave 1 (the duty manager and carol).
    office.goto(f"{office.base_url}/notify/sends/new/")
    office.locator("input[name=title]").fill("核心数据库故障")
    office.locator("select[name=kind]").select_option("callout")
    office.locator("select[name=template]").select_option(label="CALL")
    office.locator("select[name=channels]").select_option([str(channel.pk)])
    office.locator("select[name=policy]").select_option(str(world["policy"].pk))
    office.locator("input[name=incident]").fill("INC-001")
    _save(office)
    send = Send.objects.get()
    dispatch(send.pk)
    office.reload()
    expect(office.locator("#wave-table")).to_contain_text("2")
    shot(office, f"notify-send-{lang}")

    # Alice answers by the link on a phone, without signing in.
    phone = page_for(lang)
    phone.set_viewport_size(PHONE)
    phone.goto(ack_url(send.pk, people["alice"].pk, phone.base_url))
    phone.get_by_role("button", name=t["coming"]).click()
    expect(phone.locator("#ack-done")).to_contain_text(t["done"])
    shot(phone, f"notify-ack-phone-{lang}")
    altered = ack_url(send.pk, people["alice"].pk, phone.base_url).rstrip("/") + "x/"
    phone.goto(altered)
    expect(phone.locator("#ack-error")).to_be_visible()

    # Waves go on (quorum 2): round 2 starts again with the duty tree, but not for alice.
    now = timezone.now()
    for minutes in (5, 10, 15):
        notify.sends_tick(now=now + dt.timedelta(minutes=minutes))
        dispatch(send.pk)
    assert Delivery.objects.filter(send=send, person=people["alice"]).count() == 1
    assert Delivery.objects.filter(send=send, person=people["carol"]).count() == 2
    office.reload()
    expect(office.locator("#ack-list")).to_contain_text("张伟")

    # Who has not answered, exported and opened.
    with office.expect_download() as download:
        office.locator("#export-unanswered").click()
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    names = {row[0].value for row in book.active.iter_rows(min_row=2)}
    assert names == {"李娜", "王芳"}

    # A roll-call of DEPT-A; an answer taken by phone is recorded on the page; closed.
    office.goto(f"{office.base_url}/notify/")
    with office.expect_navigation():
        office.locator("#rollcall-new").click()
    office.locator("input[name=title]").fill("消防演练平安确认")
    office.locator("select[name=template]").select_option(label="CALL")
    office.locator("select[name=channels]").select_option([str(channel.pk)])
    pick(office, "unit", "DEPT-A", "信息科技部" if lang == "zh-hans" else "IT Department")
    _save(office)
    rollcall = Send.objects.get(kind="rollcall")
    office.locator("#answer-form select[name=person]").select_option(str(people["bob"].pk))
    office.locator("#answer-form select[name=answer]").select_option(label=t["safe"])
    with office.expect_navigation():
        office.locator("#answer-form button").click()
    expect(office.locator("[data-count=safe]")).to_have_text("1")
    assert Acknowledgement.objects.get(send=rollcall).via == "web"
    shot(office, f"notify-rollcall-{lang}")
    with office.expect_navigation():
        office.locator("#send-close").click()
    expect(office.locator("body")).to_contain_text(t["closed"])
    rollcall.refresh_from_db()
    assert rollcall.status == "finished"
