"""The demo's plans: the operations department's network-interruption 应急预案, written from
the seeds' template, signed by its author (coord_ops), the BCM office (bcm) and the head of
operations (head_ops) and published, with its distribution list partly acknowledged; and the
payments business continuity plan, submitted and waiting in review."""

from __future__ import annotations

from django.db import transaction

from resilia.accounts.models import User
from resilia.dependencies.models import Activity, Resource
from resilia.org.models import Person, Site, Team, Unit
from resilia.plans import content as c
from resilia.plans import services
from resilia.plans.models import Plan


def _roles(body: dict) -> None:
    teams = {
        t.code: t
        for t in Team.objects.filter(code__in=["ERT", "IT-RECOVERY", "BIZ-RECOVERY", "LOGISTICS"])
    }
    for role, code in zip(
        body["roles"], ["ERT", "IT-RECOVERY", "BIZ-RECOVERY", "LOGISTICS"], strict=False
    ):
        team = teams.get(code)
        role["team"] = team.pk if team else None
        lead = team.memberships.filter(role="leader").first() if team else None
        role["person"] = lead.person_id if lead else None
        deputy = team.memberships.filter(role="deputy").first() if team else None
        role["deputy"] = deputy.person_id if deputy else None


@transaction.atomic
def load_plans(password: str) -> dict:
    users = {
        u.username: u for u in User.objects.filter(username__in=["coord_ops", "bcm", "head_ops"])
    }
    ops = Unit.objects.filter(code="OPS").first()
    if ops is None or len(users) < 3 or Plan.objects.filter(code="EP-NET").exists():
        return {"plans": Plan.objects.count()}
    author, bcm, head = users["coord_ops"], users["bcm"], users["head_ops"]
    acts = {a.code: a for a in Activity.objects.filter(code__in=["PAY", "EBANK", "COUNTER"])}
    res = {r.code: r for r in Resource.objects.filter(code__in=["PAY-FE", "CORE", "EBANK-SYS"])}
    sites = {
        s.code: s for s in Site.objects.filter(code__in=["DC-MAIN", "DC-DR-LOCAL", "ALT-OFFICE"])
    }
    plan = services.plan_create(
        actor=author,
        code="EP-NET",
        name="网络中断应急预案",
        name_en="Network interruption emergency plan",
        kind="emergency",
        unit=ops,
        blueprint="network",
        activity=acts.get("PAY"),
        owner=Person.objects.filter(unit=ops).order_by("employee_no").first(),
        language="zh-hans",
    )
    v = plan.versions.get()
    body = c.normalised(v.content)
    _roles(body)
    pay = acts.get("PAY")
    for step in body["steps"]:
        if step["key"] in ("S4", "S6") and pay:
            step["activities"] = [pay.pk]
    # The BCM office fills in the response teams, which lie outside the department.
    services.version_update(
        actor=bcm,
        version=v,
        content=body,
        change_note="依据网络中断恢复演练结果编制",
        activities=[a for k, a in acts.items() if k in ("PAY", "EBANK")],
        resources=[r for k, r in res.items() if k in ("PAY-FE", "EBANK-SYS")],
        sites=[s for k, s in sites.items() if k == "DC-MAIN"],
        alternate_site=sites.get("DC-DR-LOCAL"),
    )
    services.version_submit(actor=author, version=v, password=password)
    services.version_review(
        actor=bcm, version=v, password=password, comment="报告路径与演练记录一致"
    )
    services.version_approve(actor=head, version=v, password=password)
    services.version_publish(actor=bcm, version=v)
    holders = list(Person.objects.filter(unit=ops).order_by("employee_no")[:5])
    services.plan_update(actor=bcm, plan=plan, distribution=holders)
    services.plan_contacts_verify(actor=author, plan=plan)
    for user in (author, head):
        if user.person_id in {p.pk for p in holders}:
            services.version_acknowledge(actor=user, version=v)
    bcp = services.plan_create(
        actor=author,
        code="BCP-PAY",
        name="支付清算业务连续性计划",
        name_en="Payments business continuity plan",
        kind="bcp",
        unit=ops,
        blueprint="datacentre",
        activity=pay,
        language="zh-hans",
    )
    bv = bcp.versions.get()
    body = c.normalised(bv.content)
    body["purpose"] = (
        "支付清算业务中断时，在恢复时间目标（2小时）内恢复大额支付和跨行清算；小额批量可延后。"
    )
    _roles(body)
    services.version_update(
        actor=bcm,
        version=bv,
        content=body,
        change_note="2026年度编制",
        resources=[r for k, r in res.items() if k in ("PAY-FE", "CORE")],
        sites=[s for k, s in sites.items() if k == "DC-MAIN"],
        alternate_site=sites.get("ALT-OFFICE"),
    )
    services.version_submit(actor=author, version=bv, password=password)
    return {"plans": Plan.objects.count()}
