"""The demo bank's continuity strategies (seed 000 §业务连续性策略: preventive, monitoring and
external cooperation), so that the strategies pages have something to compare:

- the mobile-banking system (its drill took 3 h, beyond mobile banking's 2 h RTO): three
  options, the automated failover chosen by the BCM manager as the cheapest that meets the
  objectives, the status quo rejected; not yet tested, so the gap stays until a drill shows it;
- the credit system (primary data centre only): a DR environment and, for credit approval
  itself, a manual workaround (紧急放款人工审批), both proposed;
- the core database's active/standby failover: chosen and tested in the 2024 DR drill (the
  test is the capability the dependency model already holds, so no other figure moves);
- the Internet access: external cooperation with two carriers; core monitoring proposed.

Loaded through the services, idempotently: an option already there (same subject and name)
is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from resilia.accounts.models import User
from resilia.dependencies.models import Activity, Resource
from resilia.strategies import services
from resilia.strategies.models import Option

H = 60
DR_DRILL = "2024年度同城灾备切换演练报告(DR-2024-02)"

# subject ("a:" activity, "r:" resource), fields, decision ("choose"/"reject", reason), test
OPTIONS = [
    ("r:MBANK-SYS", dict(
        name="手机银行系统同城双活改造", name_en="Active/active mobile banking",
        kind="redundancy", recovery_time=30, recovery_point=0,
        cost_once=3_600_000, cost_yearly=480_000, residual_risk="low",
        people_needed=4, equipment_needed="同城机房应用服务器8台、全局负载均衡",
        data_needed="手机银行数据库双向实时同步",
        description="两个数据中心同时对外服务，单中心故障时流量自动切换。"), None, None),
    ("r:MBANK-SYS", dict(
        name="自动化切换脚本与切换演练优化", name_en="Automated failover runbook",
        kind="preventive", recovery_time=100, recovery_point=5,
        cost_once=300_000, cost_yearly=50_000, residual_risk="medium",
        people_needed=2, data_needed="切换脚本、配置基线",
        description="将主备切换步骤脚本化，切换时间由3小时压缩至2小时以内。"),
     ("choose", "满足手机银行2小时恢复时间目标，三年成本最低；双活改造列入明年预算再议。"), None),
    ("r:MBANK-SYS", dict(
        name="维持现状（主备切换约3小时）", name_en="Status quo",
        kind="redundancy", recovery_time=180, recovery_point=5, residual_risk="high"),
     ("reject", "不满足手机银行2小时恢复时间目标。"), None),
    ("r:CREDIT-SYS", dict(
        name="信贷系统同城灾备环境建设", name_en="Credit system DR environment",
        kind="alternate_site", recovery_time=4 * H, recovery_point=15,
        cost_once=1_200_000, cost_yearly=150_000, residual_risk="low",
        people_needed=2, equipment_needed="同城灾备中心虚拟化资源",
        data_needed="信贷数据库异步复制"), None, None),
    ("a:LOAN", dict(
        name="紧急放款人工审批", name_en="Manual emergency loan approval",
        kind="manual_workaround", recovery_time=2 * H, recovery_point=None,
        cost_yearly=30_000, residual_risk="medium", people_needed=6, seats_needed=6,
        equipment_needed="纸质审批单、审批专用章", data_needed="客户授信台账（每日日终导出）",
        description="信贷系统中断时，紧急放款由授信审批部按纸质流程审批，系统恢复后补录。"),
     None, None),
    ("r:DB-CLUSTER", dict(
        name="核心数据库主备切换", name_en="Core database active/standby failover",
        kind="redundancy", recovery_time=H, recovery_point=0,
        cost_yearly=200_000, residual_risk="low", people_needed=2,
        data_needed="同城灾备中心数据库实时同步"),
     ("choose", "已建成并通过年度切换演练。"), (dt.date(2024, 11, 16), H, 0, DR_DRILL)),
    ("r:INTERNET", dict(
        name="电信、联通双线路应急保障协议", name_en="Two-carrier emergency agreement",
        kind="external_cooperation", recovery_time=2 * H, recovery_point=None,
        cost_yearly=80_000, residual_risk="medium",
        description="与两家运营商签订应急保障协议，故障时4小时内到场、2小时内恢复线路。"),
     None, None),
    ("r:NET-CORE", dict(
        name="网络与核心系统7×24集中监控与自动告警", name_en="24x7 monitoring and alarms",
        kind="monitoring", recovery_time=None, recovery_point=None,
        cost_once=500_000, cost_yearly=120_000, residual_risk="medium", people_needed=5,
        seats_needed=5, equipment_needed="监控大屏、告警短信平台"), None, None),
]  # fmt: skip


def _subject(ref: str):
    kind, code = ref.split(":", 1)
    if kind == "a":
        return "activity", Activity.objects.filter(code=code).first()
    return "resource", Resource.objects.filter(code=code).first()


@transaction.atomic
def load_strategies() -> dict:
    bcm = User.objects.filter(username="bcm").first()
    coordinator = User.objects.filter(username="coord_it").first()
    for ref, fields, decision, test in OPTIONS:
        key, subject = _subject(ref)
        if subject is None or Option.objects.filter(**{key: subject}, name=fields["name"]).exists():
            continue
        option = services.option_create(actor=coordinator, **{key: subject}, **fields)
        if decision:
            step = services.option_choose if decision[0] == "choose" else services.option_reject
            option = step(actor=bcm, option=option, reason=decision[1])
        if test:
            tested_on, rt, rp, evidence = test
            services.option_record_test(
                actor=coordinator, option=option, tested_on=tested_on,
                tested_recovery_time=rt, tested_recovery_point=rp, test_evidence=evidence,
            )  # fmt: skip
    return {"strategy_options": Option.objects.count()}
