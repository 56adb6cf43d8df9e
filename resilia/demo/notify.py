"""The demo's notification: an e-mail channel to the local mail server, a WeCom group robot
(its address a placeholder: switch it on with the bank's real robot key), the bilingual
templates, the 应急领导小组 call tree from the steering group, an escalation policy that
calls the BCM office next, and a finished staff safety roll-call of the primary data centre."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from resilia.accounts.models import User
from resilia.notify import services as notify
from resilia.notify.models import CallTree, Channel, Delivery, MessageTemplate, Send
from resilia.org.models import Site, Team


@transaction.atomic
def load_notify() -> dict:
    if CallTree.objects.filter(code="EMERG-LEAD").exists():
        return {"call_trees": CallTree.objects.count()}
    bcm = User.objects.filter(username="bcm").first()
    email = notify.channel_create(
        actor=bcm,
        name="行内邮件",
        kind="email",
        priority=1,
        config={"host": "127.0.0.1", "port": 25, "from_email": "bcm@demo-bank.example"},
    )
    robot = notify.channel_create(
        actor=bcm,
        name="企业微信应急群机器人",
        kind="wecom",
        fallback=email,
        priority=2,
        config={"webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=DEMO-KEY"},
    )
    notify.channel_update(actor=bcm, channel=robot, is_active=False)
    incident = notify.template_create(
        actor=bcm,
        code="INCIDENT",
        subject="【应急通知】{title}",
        subject_en="[Emergency] {title}",
        body="{name}您好：{incident}。请立即确认并按《{plan}》到岗：{ack_link}",
        body_en="{name}: {incident}. Please acknowledge and report as the plan {plan} asks: "
        "{ack_link}",
    )
    safety = notify.template_create(
        actor=bcm,
        code="ROLLCALL",
        subject="【平安确认】{title}",
        subject_en="[Are you safe?] {title}",
        body="{name}您好：{site}发生突发事件，请点击确认您是否安全：{ack_link}",
        body_en="{name}: an incident at {site}. Tell us whether you are safe: {ack_link}",
    )
    steering = Team.objects.get(code="BCM-STEER")
    tree = notify.calltree_create(
        actor=bcm,
        code="EMERG-LEAD",
        name="应急领导小组",
        name_en="Emergency leading group",
        team=steering,
    )
    office = notify.calltree_create(
        actor=bcm,
        code="BCM-OFFICE",
        name="业务连续性管理办公室",
        name_en="BCM office",
        team=Team.objects.get(code="BCM-OFFICE"),
    )
    notify.policy_create(
        actor=bcm,
        code="MAJOR",
        name="重大事件升级",
        quorum=2,
        repeat_limit=2,
        steps=[{"call_tree": tree, "wait_minutes": 5}, {"call_tree": office, "wait_minutes": 5}],
    )
    site = Site.objects.get(code="DC-MAIN")
    started = timezone.now() - dt.timedelta(days=3)
    rollcall = notify.send_start(
        actor=bcm,
        title="主数据中心消防演练平安确认",
        kind=Send.Kind.ROLLCALL,
        template=safety,
        channels=[email],
        site=site,
        context={"site": site.name},
        now=started,
    )
    # The demo has no mail server: the messages are shown as sent, most people answered.
    rollcall.deliveries.update(status=Delivery.Status.SENT, attempts=1, sent_at=started)
    people = [d.person for d in rollcall.deliveries.select_related("person").order_by("pk")]
    for i, person in enumerate(people[:-2]):
        notify.acknowledge(
            actor=None,
            send=rollcall,
            person=person,
            answer="help" if i == 1 else "safe",
            via="link",
            now=started + dt.timedelta(minutes=2 + i),
        )
    notify.send_close(actor=bcm, send=rollcall, now=started + dt.timedelta(minutes=30))
    return {
        "channels": Channel.objects.count(),
        "templates": MessageTemplate.objects.count(),
        "call_trees": CallTree.objects.count(),
        "incident_template": incident.pk,
    }
