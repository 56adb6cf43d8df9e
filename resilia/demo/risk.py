# ruff: noqa: E501  (the demo data reads best one entry a line)
"""The demo's risk assessment (风险评估): the default threat catalogue and matrix, the bank's
risks from the seeds (data-centre fire, power outage, ransomware, supplier failure, key-person
loss, epidemic ...) with their owners, controls, measures and treatments, last year's signed-off
assessment and this year's draft, and the scenario of the data-centre fire through the engine.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from resilia.accounts.models import User
from resilia.dependencies.models import Activity, Resource
from resilia.org.models import Person, Site, Unit
from resilia.risk import scenarios, services
from resilia.risk.models import Risk, RiskAssessment, Threat

H = 60
D = 24 * H

# code, title, title_en, threat, unit, owner unit, L, I, residual L, I, treatment, cause,
# controls, sites, resources, activities
RISKS = [
    ("R-2026-001", "主数据中心火灾", "Fire at the primary data centre", "NAT-FIRE", "IT-OPS",
     "IT-OPS", 2, 5, 1, 4, "mitigate", "机房电气线路老化、UPS电池过热", "气体灭火系统、烟感报警、同城灾备中心热备",
     ["DC-MAIN"], ["DC1"], []),
    ("R-2026-002", "市电中断", "Mains power outage", "TEC-POWER", "OFFICE", "OFFICE", 4, 3, 2, 3,
     "mitigate", "供电局线路检修或故障、迎峰度夏限电", "双路市电、UPS、柴油发电机保障48小时",
     [], ["GRID"], []),
    ("R-2026-003", "勒索软件攻击核心系统", "Ransomware on the core system", "HUM-ATTACK", "IT-SEC",
     "IT-SEC", 3, 5, 2, 5, "mitigate", "钓鱼邮件、未修补漏洞", "终端防护、网络隔离、离线备份",
     [], ["CORE", "DB-CLUSTER"], []),
    ("R-2026-004", "人行支付系统中断", "PBOC payment system outage", "SUP-SUPPLY", "OPS", "OPS",
     2, 5, None, None, "accept", "外部系统故障，本行无法控制", "应急预案、与人民银行的联系机制",
     [], ["CNAPS"], ["PAY"]),
    ("R-2026-005", "短信平台服务商无法供货", "SMS provider fails", "SUP-SUPPLY", "CHAN", "CHAN",
     3, 3, 2, 2, "transfer", "单一服务商", "合同服务水平条款", [], ["SMS"], []),
    ("R-2026-006", "核心运维人员离职", "Key operations staff leave", "PPL-LEAVE", "IT-OPS", "IT-OPS",
     3, 3, 2, 2, "mitigate", "关键技能集中于少数人员", "AB角、操作手册", [], [], []),
    ("R-2026-007", "传染疫病导致人员无法到岗", "Epidemic keeps staff away", "PPL-EPIDEMIC", "HR",
     "HR", 2, 4, 2, 3, "mitigate", "大规模传染病流行", "远程办公方案、备用办公场所",
     [], [], []),
    ("R-2026-008", "台风导致总行办公楼停用", "Typhoon closes the head office", "NAT-TYPHOON",
     "OFFICE", "OFFICE", 3, 2, None, None, "", "沿海地区夏秋季台风", "防汛物资、备用办公场所",
     ["HQ-BLDG"], [], []),
    ("R-2026-009", "网络核心交换故障", "Core network switch failure", "TEC-HW", "IT-OPS", "IT-OPS",
     2, 4, 1, 3, "mitigate", "设备老化", "双机热备、备品备件", [], ["NET-CORE"], []),
    ("R-2026-010", "柜面操作失误", "Counter operator error", "HUM-ERROR", "OPS", "OPS", 4, 2, 3, 1,
     "mitigate", "业务高峰期人员疲劳", "复核制度、系统校验", [], [], []),
]  # fmt: skip

# risk code, title, owner unit, days from today (negative: overdue), status
MEASURES = [
    ("R-2026-001", "更换主机房UPS蓄电池组", "IT-OPS", -10, "in_progress"),
    ("R-2026-001", "开展主数据中心整体切换演练", "IT-OPS", 60, "planned"),
    ("R-2026-002", "柴油发电机带载测试", "OFFICE", 30, "planned"),
    ("R-2026-003", "核心系统离线备份恢复演练", "IT-SEC", -3, "planned"),
    ("R-2026-003", "全员钓鱼邮件演练", "IT-SEC", -40, "done"),
    ("R-2026-006", "编制运维关键岗位AB角清单", "IT-OPS", 20, "in_progress"),
    ("R-2026-009", "采购核心交换机备件", "IT-OPS", 45, "planned"),
]


def _person(unit_code: str):
    return Person.objects.filter(unit__code=unit_code).order_by("employee_no", "pk").first()


@transaction.atomic
def load_risk() -> dict:
    bcm = User.objects.filter(username="bcm").first()
    services.threat_catalogue_load(actor=bcm)
    if not Risk.objects.filter(code=RISKS[0][0]).exists():
        _risks(bcm)
        _assessments(bcm)
    return {"risks": Risk.objects.count(), "threats": Threat.objects.count()}


def _risks(bcm) -> None:
    threats = {t.code: t for t in Threat.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}
    today = timezone.localdate()
    for (code, title, title_en, threat, unit, owner, lk, im, rlk, rim, treatment, cause,
         controls, sites, resources, activities) in RISKS:  # fmt: skip
        if unit not in units:
            continue
        risk = services.risk_create(
            actor=bcm, code=code, title=title, title_en=title_en, threat=threats[threat],
            unit=units[unit], owner=_person(owner), cause=cause, existing_controls=controls,
            inherent_likelihood=lk, inherent_impact=im, residual_likelihood=rlk,
            residual_impact=rim, treatment="" if treatment == "accept" else treatment,
            reviewed_on=today - dt.timedelta(days=30),
            sites=list(Site.objects.filter(code__in=sites)),
            resources=list(Resource.objects.filter(code__in=resources)),
            activities=list(Activity.objects.filter(code__in=activities)),
        )  # fmt: skip
        if treatment == "accept":
            executive = User.objects.filter(username="executive").first() or bcm
            services.risk_accept(
                actor=executive, risk=risk, reason="外部系统由人民银行运营，本行已制定应急预案，风险可接受。",
                expires=today + dt.timedelta(days=365),
            )  # fmt: skip
    for code, title, unit, days, status in MEASURES:
        risk = Risk.objects.filter(code=code).first()
        owner = _person(unit)
        if risk is None or owner is None:
            continue
        services.measure_create(
            actor=bcm, risk=risk, title=title, owner=owner,
            due_date=today + dt.timedelta(days=days), status=status,
            evidence="演练报告" if status == "done" else "",
        )  # fmt: skip
    fire = Risk.objects.filter(code="R-2026-001").first()
    if fire is not None:
        try:
            scenarios.scenario_run(actor=bcm, risk=fire)
        except Exception:  # noqa: BLE001  (a demo without the dependency model still loads)
            pass


def _assessments(bcm) -> None:
    if RiskAssessment.objects.filter(code="RA-2025").exists():
        return
    last = services.assessment_create(
        actor=bcm, code="RA-2025", name="2025年度风险评估", name_en="Risk assessment 2025",
        assessed_on=dt.date(2025, 12, 15),
        summary="全行开展年度风险评估，识别业务中断风险10项，其中较大及以上风险4项。",
    )  # fmt: skip
    services.assessment_sign_off(actor=bcm, assessment=last)
    # This year: the ransomware risk rose after the industry's incidents.
    ransomware = Risk.objects.filter(code="R-2026-003").first()
    if ransomware is not None:
        services.risk_update(actor=bcm, risk=ransomware, inherent_likelihood=4, inherent_impact=5)
    services.assessment_create(
        actor=bcm, code="RA-2026", name="2026年度风险评估", name_en="Risk assessment 2026",
        assessed_on=timezone.localdate(),
        summary="按2026年度业务连续性管理计划开展风险评估。",
    )  # fmt: skip
