"""The demo's business impact analysis: the 2026 campaign over the head office, launched, with
one assessment approved (payments), one submitted (counter services) and one returned with
the BCM office's comments (internet banking); the rest are drafts waiting for their
department. The approved one derives the MTPD the dependency model already holds, so the
demo's other figures do not move."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from resilia.accounts.models import User
from resilia.bia import services as bia
from resilia.bia.models import Assessment, Campaign
from resilia.dependencies.models import Activity
from resilia.org.models import Site, Unit

H = 60
CODE = "BIA-2026"


def _ratings(framework, rows: dict[str, list[int]]) -> dict[str, list[int]]:
    n = len(framework.time_points)
    return {c["code"]: rows.get(c["code"], [1] * n) for c in framework.categories}


@transaction.atomic
def load_bia() -> dict:
    campaign = Campaign.objects.filter(code=CODE).first()
    if campaign is None:
        bcm = User.objects.filter(username="bcm").first()
        campaign = bia.campaign_create(
            actor=bcm,
            code=CODE,
            name="2026年度业务影响分析",
            name_en="Business impact analysis 2026",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            deadline=dt.date(2026, 12, 20),
            instructions="请各部门联络员于截止日期前完成本部门业务活动的影响评估，并确认依赖关系。",
            units=list(Unit.objects.filter(code="HQ")),
        )
        bia.campaign_launch(actor=bcm, campaign=campaign)
        _fill(campaign, bcm)
    return {
        "campaign": campaign.code,
        "assessments": Assessment.objects.filter(campaign=campaign).count(),
    }


def _fill(campaign: Campaign, bcm) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["coord_ops", "head_ops"])}
    coord, head = users.get("coord_ops"), users.get("head_ops")
    fw = campaign.framework
    rows = {
        a.activity.code: a
        for a in Assessment.objects.filter(
            campaign=campaign, activity__code__in=["PAY", "COUNTER", "EBANK"]
        ).select_related("activity", "framework")
    }
    # 1h 2h 4h 8h 1d 2d 3d 1w 2w 1m: customer service reaches its threshold 4 at 4 h.
    pay = rows.get("PAY")
    if pay is not None:
        bia.assessment_save(
            actor=coord,
            assessment=pay,
            ratings=_ratings(
                fw,
                {
                    "financial": [2, 2, 3, 3, 4, 4, 5, 5, 5, 5],
                    "customer": [2, 3, 4, 4, 5, 5, 5, 5, 5, 5],
                    "reputational": [1, 2, 3, 4, 4, 5, 5, 5, 5, 5],
                    "legal": [1, 2, 3, 4, 4, 5, 5, 5, 5, 5],
                },
            ),
            losses=[
                50_000,
                200_000,
                1_000_000,
                3_000_000,
                10_000_000,
                30_000_000,
                50_000_000,
                100_000_000,
                200_000_000,
                500_000_000,
            ],
            rto=2 * H,
            rpo=0,
            rto_all=8 * H,
            mbco=Activity.objects.get(code="PAY").mbco,
            workaround="大额支付可经人民银行前置机手工录入，维持约4小时。",
            workaround_minutes=4 * H,
            customer_facing=True,
            accounting=True,
            time_critical=True,
            severe_impact=True,
            dependencies_confirmed=True,
            alternate_site=Site.objects.filter(code="ALT-OFFICE").first(),
            resources=[
                {"kind": "staff", "description": "清算岗", "quantities": [6, 6, 4, 4, 4]},
                {"kind": "seats", "description": "备用场地席位", "quantities": [6, 6, 4, 4, 4]},
            ],
        )
        bia.assessment_submit(actor=coord, assessment=pay)
        bia.assessment_review(actor=bcm, assessment=pay, comment="与监管要求一致。")
        bia.assessment_approve(actor=head, assessment=pay, comment="同意。")
    counter = rows.get("COUNTER")
    if counter is not None:
        bia.assessment_save(
            actor=coord,
            assessment=counter,
            ratings=_ratings(
                fw,
                {
                    "customer": [1, 2, 3, 4, 5, 5, 5, 5, 5, 5],
                    "reputational": [1, 1, 2, 3, 4, 5, 5, 5, 5, 5],
                },
            ),
            rto=4 * H,
            rpo=15,
            mbco="各网点可办理限额取款和紧急转账",
        )
        bia.assessment_submit(actor=coord, assessment=counter)
    ebank = rows.get("EBANK")
    if ebank is not None:
        bia.assessment_save(
            actor=bcm,
            assessment=ebank,
            ratings=_ratings(fw, {"customer": [2, 3, 3, 4, 5, 5, 5, 5, 5, 5]}),
            rto=4 * H,
            rpo=60,
        )
        bia.assessment_submit(actor=bcm, assessment=ebank)
        bia.assessment_return(
            actor=bcm,
            assessment=ebank,
            comment="恢复点目标60分钟与系统的数据复制能力不符，请与信息科技部核实后重新填报。",
        )
