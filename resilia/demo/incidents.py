"""The demo's incidents: an exercise under way — the loss of power at the primary data centre
(主数据中心断电演练), graded by the banking 53号 pack, 50 minutes in, with its commander, journal
and initial report filed — and last month's CNAPS front-end failure, resolved, reviewed and
closed with a corrective action still open."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from resilia.accounts.models import User
from resilia.dependencies.models import Resource
from resilia.incidents import intake, services
from resilia.incidents.models import Incident
from resilia.org.models import Person, Site, Unit


@transaction.atomic
def load_incidents() -> dict:
    if Incident.objects.exists():
        return {"incidents": Incident.objects.count()}
    services.install_default_packs()
    bcm = User.objects.get(username="bcm")
    now = timezone.now().replace(second=0, microsecond=0)
    banking = services.current_packs().get(code="cn-bank-53")
    ops = Unit.objects.filter(code="IT-OPS").first()
    head = Person.objects.filter(unit=ops).order_by("employee_no").first() if ops else None
    scribe = Person.objects.filter(unit__code="RISK").order_by("employee_no").first()

    drill = services.incident_declare(
        actor=bcm,
        title="主数据中心断电演练",
        category="facility",
        pack=banking,
        detected_at=now - dt.timedelta(minutes=50),
        description="演练场景：市电中断且柴油发电机未能启动，主数据中心机房停电。",
        is_drill=True,
        sites=list(Site.objects.filter(code="DC-MAIN")),
        facts={"provinces": 1},
        now=now - dt.timedelta(minutes=45),
    )
    services.status_set(
        actor=bcm, incident=drill, status="responding", now=now - dt.timedelta(minutes=40)
    )
    if head:
        services.role_assign(actor=bcm, incident=drill, role="commander", person=head)
    if scribe:
        services.role_assign(actor=bcm, incident=drill, role="scribe", person=scribe)
    services.journal_add(
        actor=bcm,
        incident=drill,
        kind="decision",
        text="启动《数据中心灾难恢复预案》，核心系统切换至同城灾备中心。",
        at=now - dt.timedelta(minutes=35),
        now=now,
    )
    initial = drill.deadlines.get(code="initial")
    title, body = services.report_draft(drill, initial, now=now - dt.timedelta(minutes=25))
    services.report_file(
        actor=bcm,
        incident=drill,
        deadline=initial,
        title=title,
        body=body,
        now=now - dt.timedelta(minutes=24),
    )
    services.regrade(drill, now=now)

    generic = services.current_packs().get(code="generic")
    cnaps = Resource.objects.filter(code="CNAPS").first()
    past = services.incident_declare(
        actor=bcm,
        title="CNAPS 前置机故障",
        category="it",
        pack=generic,
        detected_at=now - dt.timedelta(days=20, minutes=95),
        resources=[cnaps] if cnaps else [],
        now=now - dt.timedelta(days=20, minutes=90),
    )
    for step, minutes in (("responding", 80), ("recovering", 40), ("resolved", 10)):
        services.status_set(
            actor=bcm, incident=past, status=step, now=now - dt.timedelta(days=20, minutes=minutes)
        )
    services.review_save(
        actor=bcm,
        incident=past,
        timeline="前置机主板故障；切换备用前置机后恢复。",
        downtime_minutes=85,
        causes="前置机硬件老化，备机切换需人工操作。",
        lessons="备用前置机改为热备，切换纳入季度演练。",
    )
    if head:
        services.action_add(
            actor=bcm,
            incident=past,
            title="CNAPS 前置机改为双机热备",
            owner=head,
            due_date=(now + dt.timedelta(days=40)).date(),
        )
    services.incident_close(actor=bcm, incident=past, now=now - dt.timedelta(days=19))

    # A reporting link for the primary data centre's poster, and a report waiting for triage.
    site = Site.objects.filter(code="DC-MAIN").first()
    link = intake.link_create(actor=bcm, label="主数据中心值班海报", site=site)
    intake.report(
        source="link",
        link=link,
        what="三层机房精密空调滴水，地板有积水。",
        location="三层网络机房A排",
        reporter_name="保安 王师傅",
        now=now,
        noticed_at=now - dt.timedelta(minutes=12),
    )
    return {"incidents": Incident.objects.count()}
