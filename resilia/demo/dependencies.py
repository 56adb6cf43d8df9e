"""The demo bank's dependency model: its critical activities, the resources they need and the
AND / OR links between them, with the objectives of its BIA and the capabilities its drills
showed (seed 000: 关键业务, RTO/RPO, 主备数据中心, 人员角色备份, 人工操作方案).

Built so that every analysis page has something to say: OR groups (the two data centres, the
two carriers, the two DBAs), a manual workaround (柜面业务 survives four hours without the core
system), gaps (the mobile-banking system recovers slower than the mobile-banking RTO), untested
capabilities, and single points of failure (the PBOC payment system, the only network engineer,
the systems that run in the primary data centre only).

Loaded through the services, idempotently: a second run changes nothing and writes no audit
event. Durations are minutes.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from resilia.dependencies import services as deps
from resilia.dependencies.models import Activity, Dependency, Resource
from resilia.org.models import Person, Site, Unit

H, D = 60, 24 * 60


def _r(  # fmt: skip
    code,
    name,
    name_en,
    kind,
    unit,
    *,
    owner=None,
    crit="high",
    site=None,
    person=None,
    rt=None,
    rp=None,
    tested=None,
    evidence="",
    redundancy="none",
    alternates=(),
    text="",
):
    return dict(
        code=code, name=name, name_en=name_en, kind=kind, unit=unit, owner=owner,
        criticality=crit, site=site, person=person, recovery_time=rt, recovery_point=rp,
        capability_tested_on=dt.date.fromisoformat(tested) if tested else None,
        capability_evidence=evidence, redundancy=redundancy, alternates=alternates,
        description=text,
    )  # fmt: skip


DR_DRILL = "2024年度同城灾备切换演练报告(DR-2024-02)"
BACKUP_TEST = "2024年第三季度备份恢复测试记录(BK-2024-Q3)"

# People are (unit code, staff index) as in bank.UNITS: 0 = head, 1 = deputy, then by title.
RESOURCES = [
    # Facilities at the bank's sites.
    _r("DC1", "主数据中心", "Primary data centre", "facility", "IT-OPS", owner=("IT-OPS", 0),
       crit="critical", site="DC-MAIN", rt=2 * D, redundancy="active_standby",
       alternates=("DC2",), text="核心系统生产运行中心;整体损毁时在同城灾备中心恢复。"),
    _r("DC2", "同城灾备中心", "Metro DR data centre", "facility", "IT-OPS", owner=("IT-OPS", 0),
       crit="critical", site="DC-DR-LOCAL", rt=2 * D, redundancy="active_standby",
       alternates=("DC1",), text="与主数据中心同步复制,核心系统热备。"),
    _r("DC3", "异地灾备中心", "Remote DR data centre", "facility", "IT-OPS",
       owner=("IT-OPS", 0), site="DC-DR-REMOTE", rt=3 * D, rp=15, redundancy="cold",
       text="异步复制,应对区域性灾难;切换需人工启动。"),
    _r("HQ-OFFICE", "总行办公楼", "Head office building", "facility", "OFFICE",
       owner=("OFFICE", 0), site="HQ-BLDG", rt=7 * D, alternates=("ALT-SITE",)),
    _r("ALT-SITE", "备用办公场所", "Alternate work area", "facility", "OFFICE",
       owner=("OFFICE", 4), site="ALT-OFFICE", rt=2 * H, tested="2024-09-21",
       evidence="2024年备用场所启用演练", text="预置工位120个,2小时内可启用。"),
    # Applications.
    _r("CORE", "核心业务系统", "Core banking system", "application", "IT-OPS",
       owner=("IT", 0), crit="critical", rt=90, rp=0, tested="2024-11-16", evidence=DR_DRILL,
       redundancy="active_standby", text="存贷款、账户、柜面交易的记账中枢。"),
    _r("PAY-FE", "支付系统前置", "Payment system gateway", "application", "IT-OPS",
       owner=("IT-OPS", 1), crit="critical", rt=60, rp=0, tested="2024-11-16",
       evidence=DR_DRILL, redundancy="active_standby", text="连接人行大小额支付系统和超级网银。"),
    _r("EBANK-SYS", "网上银行系统", "Internet banking system", "application", "IT-DEV",
       owner=("IT-DEV", 0), rt=120, rp=5, tested="2024-11-16", evidence=DR_DRILL,
       redundancy="active_standby"),
    _r("MBANK-SYS", "手机银行系统", "Mobile banking system", "application", "IT-DEV",
       owner=("IT-DEV", 0), crit="critical", rt=180, rp=5, tested="2024-11-16",
       evidence=DR_DRILL, redundancy="active_standby",
       text="演练中切换耗时3小时,超过手机银行2小时的恢复时间目标。"),
    _r("CARD-SYS", "银行卡前置与ATM系统", "Card and ATM switch", "application", "IT-OPS",
       owner=("IT-OPS", 1), rt=120, rp=5, tested="2024-11-16", evidence=DR_DRILL,
       redundancy="active_standby"),
    _r("CREDIT-SYS", "信贷管理系统", "Credit management system", "application", "IT-DEV",
       owner=("IT-DEV", 0), crit="medium", rt=8 * H, rp=H,
       text="仅部署在主数据中心,灾备环境尚未建设;恢复能力未经测试。"),
    _r("TREASURY-SYS", "资金交易系统", "Treasury dealing system", "application", "IT-DEV",
       owner=("IT-DEV", 0), rt=4 * H, rp=15, text="灾备切换方案编制中,尚未演练。"),
    _r("AML-SYS", "反洗钱监测系统", "AML monitoring system", "application", "IT-DEV",
       owner=("COMP", 0), crit="medium", rt=D, rp=D, tested="2024-06-15",
       evidence=BACKUP_TEST),
    _r("CALL-SYS", "呼叫中心系统", "Contact-centre system", "application", "IT-OPS",
       owner=("RETAIL", 0), rt=H, rp=H, tested="2024-11-16", evidence=DR_DRILL,
       redundancy="active_standby"),
    _r("ACCT-SYS", "会计核算系统", "Accounting system", "application", "IT-OPS",
       owner=("FIN", 0), crit="critical", rt=4 * H, rp=0, tested="2024-11-16",
       evidence=DR_DRILL, redundancy="active_standby"),
    _r("REG-SYS", "监管报送平台", "Regulatory reporting platform", "application", "IT-DEV",
       owner=("RISK", 0), crit="medium", rt=D, rp=D, text="EAST、1104报表报送。"),
    _r("DWH", "数据仓库", "Data warehouse", "application", "IT-DEV", owner=("IT-DEV", 0),
       crit="medium", rt=2 * D, rp=D, tested="2024-06-15", evidence=BACKUP_TEST),
    _r("SWIFT-SYS", "SWIFT系统", "SWIFT gateway", "application", "IT-OPS",
       owner=("IT-OPS", 1), rt=4 * H, rp=0),
    _r("HR-SYS", "人力资源系统", "HR and payroll system", "application", "IT-DEV",
       owner=("HR", 0), crit="low", rt=3 * D, rp=D),
    # Infrastructure and data.
    _r("DB-CLUSTER", "核心数据库集群", "Core database cluster", "infrastructure", "IT-OPS",
       owner=("IT-OPS", 3), crit="critical", rt=H, rp=0, tested="2024-11-16",
       evidence=DR_DRILL, redundancy="active_standby"),
    _r("STORAGE", "集中存储", "Central storage", "infrastructure", "IT-OPS",
       owner=("IT-OPS", 6), crit="critical", rt=2 * H, rp=0, tested="2024-11-16",
       evidence=DR_DRILL, redundancy="active_standby", text="主备中心间同步复制。"),
    _r("NET-CORE", "网络核心交换", "Core network switching", "infrastructure", "IT-OPS",
       owner=("IT-OPS", 4), crit="critical", rt=30, tested="2024-11-16", evidence=DR_DRILL,
       redundancy="active_active"),
    _r("INTERNET", "互联网出口", "Internet access", "infrastructure", "IT-OPS",
       owner=("IT-OPS", 4), rt=H, redundancy="active_active"),
    _r("DATA-CUST", "客户与账户数据", "Customer and account data", "data", "IT-OPS",
       owner=("IT-OPS", 3), crit="critical", rt=2 * H, rp=0, tested="2024-06-15",
       evidence=BACKUP_TEST),
    # Suppliers and utilities.
    _r("CNAPS", "人行大额/小额支付系统", "PBOC HVPS/BEPS payment system", "supplier", "OPS",
       owner=("OPS", 2), crit="critical", text="人民银行现代化支付系统;本行无法替代。"),
    _r("UNIONPAY", "中国银联", "China UnionPay", "supplier", "CHAN", owner=("CHAN", 0),
       crit="critical", rt=H),
    _r("SMS", "短信平台服务商", "SMS gateway provider", "supplier", "CHAN",
       owner=("CHAN", 1), rt=4 * H, text="动账通知和手机银行验证码;单一服务商。"),
    _r("GRID", "市电供电", "Mains power", "utility", "OFFICE", owner=("OFFICE", 4),
       crit="critical", rt=4 * H),
    _r("TEL-CT", "中国电信专线", "China Telecom lines", "utility", "IT-OPS",
       owner=("IT-OPS", 4), rt=4 * H, alternates=("TEL-CU",)),
    _r("TEL-CU", "中国联通专线", "China Unicom lines", "utility", "IT-OPS",
       owner=("IT-OPS", 4), rt=4 * H, alternates=("TEL-CT",)),
    _r("UPS", "UPS不间断电源", "UPS", "equipment", "OFFICE", owner=("OFFICE", 4), rt=4 * H,
       tested="2024-08-10", evidence="2024年数据中心供电切换测试"),
    _r("GENSET", "柴油发电机", "Diesel generator", "equipment", "OFFICE",
       owner=("OFFICE", 4), crit="critical", rt=15, tested="2024-08-10",
       evidence="2024年数据中心供电切换测试", text="满负荷保障48小时。"),
    # Key people and roles (人员角色备份).
    _r("KP-DBA-A", "核心系统DBA(A角)", "Core system DBA (primary)", "key_person", "IT-OPS",
       owner=("IT-OPS", 0), crit="critical", person=("IT-OPS", 3), alternates=("KP-DBA-B",)),
    _r("KP-DBA-B", "核心系统DBA(B角)", "Core system DBA (backup)", "key_person", "IT-OPS",
       owner=("IT-OPS", 0), crit="critical", person=("IT-OPS", 9), alternates=("KP-DBA-A",)),
    _r("KP-NET", "网络工程师", "Network engineer", "key_person", "IT-OPS",
       owner=("IT-OPS", 0), person=("IT-OPS", 4), text="无B角,网络变更和故障处置依赖一人。"),
    _r("KP-CLEAR-A", "清算主管(A角)", "Clearing supervisor (primary)", "key_person", "OPS",
       owner=("OPS", 0), person=("OPS", 2), alternates=("KP-CLEAR-B",)),
    _r("KP-CLEAR-B", "清算主管(B角)", "Clearing supervisor (backup)", "key_person", "OPS",
       owner=("OPS", 0), person=("OPS", 6), alternates=("KP-CLEAR-A",)),
    _r("KP-DEALER", "首席交易员", "Chief dealer", "key_person", "FIN", owner=("FIN", 0),
       person=("FIN", 3)),
    _r("KP-SPOKES", "新闻发言人", "Spokesperson", "key_person", "OFFICE", owner=("OFFICE", 0),
       person=("OFFICE", 2)),
]  # fmt: skip

# code, name, English name, unit, owner, products, MTPD, RTO, RPO, MBCO
ACTIVITIES = [
    ("PAY", "支付清算", "Payments and clearing", "OPS", ("OPS", 0),
     "大额/小额支付、超级网银、同城清算", 4 * H, 2 * H, 0, "大额支付和跨行清算恢复;小额批量可延后"),
    ("COUNTER", "柜面业务", "Branch counter services", "OPS", ("OPS", 0),
     "存取款、开户、转账", 8 * H, 4 * H, 15, "各网点可办理限额取款和紧急转账"),
    ("EBANK", "网上银行", "Internet banking", "CHAN", ("CHAN", 0),
     "个人和企业网银", 8 * H, 4 * H, 15, "查询和转账功能可用"),
    ("MBANK", "手机银行", "Mobile banking", "CHAN", ("CHAN", 0),
     "手机银行App", 8 * H, 2 * H, 15, "登录、查询、转账可用"),
    ("CARD", "银行卡/ATM", "Cards and ATMs", "CHAN", ("CHAN", 0),
     "借记卡、ATM取款、POS收单", 8 * H, 4 * H, 15, "本行ATM取款和银联交易可用"),
    ("LOAN", "信贷审批", "Credit approval", "CORP", ("CORP", 0),
     "公司和个人贷款审批、放款", 3 * D, D, 4 * H, "紧急放款可人工审批"),
    ("TREASURY", "资金交易", "Treasury dealing", "FIN", ("FIN", 0),
     "同业拆借、债券交易", 4 * H, 2 * H, 15, "当日到期交易完成交割"),
    ("LIQUIDITY", "流动性管理", "Liquidity management", "FIN", ("FIN", 0),
     "头寸管理、备付金调拨", 4 * H, 2 * H, 15, "日间头寸可监控和调拨"),
    ("AML", "反洗钱监测", "AML monitoring", "COMP", ("COMP", 0),
     "大额和可疑交易监测与报告", 3 * D, D, D, "大额交易报告按时报送"),
    ("CALL", "客户服务热线95xxx", "Customer service hotline 95xxx", "RETAIL", ("RETAIL", 0),
     "电话银行、挂失、投诉", 4 * H, H, H, "人工坐席接听挂失和投诉"),
    ("EOD", "会计核算/日终批处理", "Accounting and end-of-day batch", "FIN", ("FIN", 0),
     "日终批处理、总账、对账", 12 * H, 6 * H, 0, "当日账务轧平"),
    ("REGREP", "监管报送", "Regulatory reporting", "RISK", ("RISK", 0),
     "EAST、1104、大额报告", 3 * D, D, D, "按监管时限报送"),
    ("CORP-SETTLE", "对公结算", "Corporate settlement", "CORP", ("CORP", 0),
     "对公转账、票据、代收代付", 8 * H, 4 * H, 15, "大额对公转账可办理"),
    ("PAYROLL", "代发工资", "Payroll disbursement", "CORP", ("CORP", 0),
     "企业代发工资", D, 12 * H, 15, "当日代发批次完成入账"),
    ("FX", "国际结算", "International settlement", "CORP", ("CORP", 0),
     "汇款、信用证", 8 * H, 4 * H, 15, "当日汇出汇款完成"),
    ("WEALTH", "理财销售", "Wealth product sales", "RETAIL", ("RETAIL", 0),
     "理财产品销售和赎回", 2 * D, D, H, "赎回到账"),
    ("CRISIS-COMM", "对外沟通与舆情应对", "Crisis communication", "OFFICE", ("OFFICE", 0),
     "对客户、监管和媒体的公告", 4 * H, H, None, "对外公告按时发布"),
    ("ITSM", "IT服务台", "IT service desk", "IT-OPS", ("IT-OPS", 0),
     "故障受理、变更协调", 8 * H, 2 * H, None, "故障受理可用"),
    ("STAFF-PAY", "员工薪酬发放", "Staff payroll", "HR", ("HR", 0),
     "工资和社保", 5 * D, 3 * D, D, "当月工资按时发放"),
    ("BRANCH-CASH", "现金调拨", "Cash logistics", "OPS", ("OPS", 0),
     "网点和ATM现金调拨、押运", D, 8 * H, 60, "重点网点现金供应"),
]  # fmt: skip

_DC = ("r:DC1", "r:DC2")
_CARRIERS = ("r:TEL-CT", "r:TEL-CU")
_PLACE = ("r:HQ-OFFICE", "r:ALT-SITE")
MANUAL = "人工操作方案:核心系统中断时柜面启用手工登记、限额取款和事后补录,最长维持4小时。"

# dependent, [dependency | (group, members)], tolerance, note; "a:" activity, "r:" resource
LINKS = [
    ("a:PAY", ["r:CORE", "r:PAY-FE", ("clearing", ("r:KP-CLEAR-A", "r:KP-CLEAR-B"))], 0, ""),
    ("a:COUNTER", ["r:CORE"], 4 * H, MANUAL),
    ("a:COUNTER", ["r:NET-CORE"], 0, ""),
    ("a:EBANK", ["r:EBANK-SYS", "r:CORE", "r:INTERNET"], 0, ""),
    ("a:MBANK", ["r:MBANK-SYS", "r:CORE", "r:INTERNET"], 0, ""),
    ("a:MBANK", ["r:SMS"], 30, "验证码短信中断时可改用设备绑定认证,最长30分钟。"),
    ("a:CARD", ["r:CARD-SYS", "r:CORE", "r:UNIONPAY"], 0, ""),
    ("a:LOAN", ["r:CREDIT-SYS"], 0, ""),
    ("a:LOAN", ["r:CORE"], D, "放款可在核心系统恢复后补记。"),
    ("a:TREASURY", ["r:TREASURY-SYS", "r:KP-DEALER"], 0, ""),
    ("a:TREASURY", ["a:PAY"], H, "资金交割经大额支付系统;一小时内可等待。"),
    ("a:LIQUIDITY", ["r:CORE", "a:PAY"], 0, ""),
    ("a:LIQUIDITY", ["r:TREASURY-SYS"], 2 * H, "头寸可用电子表格临时测算。"),
    ("a:AML", ["r:AML-SYS"], 0, ""),
    ("a:CALL", ["r:CALL-SYS", ("carrier", _CARRIERS), ("place", _PLACE)], 0, ""),
    ("a:CALL", ["r:CORE"], 2 * H, "核心系统中断时坐席仅受理挂失登记。"),
    ("a:EOD", ["r:ACCT-SYS", "r:CORE", ("dba", ("r:KP-DBA-A", "r:KP-DBA-B"))], 0, ""),
    ("a:REGREP", ["r:REG-SYS"], 0, ""),
    ("a:REGREP", ["a:EOD"], D, "报送使用前一日数据。"),
    ("a:CORP-SETTLE", ["r:CORE", "a:PAY"], 0, ""),
    ("a:CORP-SETTLE", ["r:EBANK-SYS"], 2 * H, "企业客户可到柜面提交纸质凭证。"),
    ("a:PAYROLL", ["r:CORE", "r:EBANK-SYS"], 0, ""),
    ("a:FX", ["r:SWIFT-SYS", "r:CORE"], 0, ""),
    ("a:WEALTH", ["r:CORE", "r:MBANK-SYS"], 0, ""),
    ("a:CRISIS-COMM", ["r:KP-SPOKES", ("place", _PLACE)], 0, ""),
    ("a:ITSM", ["r:NET-CORE", ("place", _PLACE)], 0, ""),
    ("a:STAFF-PAY", ["r:HR-SYS", "a:PAYROLL"], 0, ""),
    ("a:BRANCH-CASH", ["r:CORE"], 4 * H, "现金调拨可凭纸质调拨单执行。"),
    ("r:CORE", ["r:DB-CLUSTER", "r:NET-CORE", "r:DATA-CUST", ("dc", _DC)], 0, ""),
    ("r:PAY-FE", ["r:CNAPS", "r:NET-CORE", ("dc", _DC), ("carrier", _CARRIERS)], 0, ""),
    ("r:EBANK-SYS", ["r:DB-CLUSTER", ("dc", _DC)], 0, ""),
    ("r:MBANK-SYS", ["r:DB-CLUSTER", ("dc", _DC)], 0, ""),
    ("r:CARD-SYS", ["r:NET-CORE", ("dc", _DC), ("carrier", _CARRIERS)], 0, ""),
    ("r:CALL-SYS", [("dc", _DC)], 0, ""),
    ("r:ACCT-SYS", ["r:DB-CLUSTER", ("dc", _DC)], 0, ""),
    ("r:CREDIT-SYS", ["r:DC1"], 0, "仅部署在主数据中心。"),
    ("r:TREASURY-SYS", ["r:DC1"], 0, "仅部署在主数据中心。"),
    ("r:AML-SYS", ["r:DWH"], 0, ""),
    ("r:REG-SYS", ["r:DWH"], 0, ""),
    ("r:DWH", ["r:DC1"], 0, ""),
    ("r:SWIFT-SYS", ["r:DC1", ("carrier", _CARRIERS)], 0, ""),
    ("r:HR-SYS", ["r:DC1"], 0, ""),
    ("r:DB-CLUSTER", ["r:STORAGE", ("dc", _DC), ("dba", ("r:KP-DBA-A", "r:KP-DBA-B"))], 0, ""),
    ("r:DATA-CUST", ["r:STORAGE"], 0, ""),
    ("r:STORAGE", [("dc", _DC)], 0, ""),
    ("r:NET-CORE", ["r:KP-NET"], 4 * H, "网络设备无人值守可运行,变更和故障需网络工程师。"),
    ("r:NET-CORE", [("carrier", _CARRIERS)], 0, ""),
    ("r:INTERNET", [("carrier", _CARRIERS)], 0, ""),
    ("r:DC1", [("power", ("r:GRID", "r:GENSET"))], 0, ""),
    ("r:DC1", ["r:UPS"], 8 * H, "UPS故障时市电直供,切换无保护;8小时内须修复或租用移动UPS。"),
    ("r:DC2", ["r:GRID"], D, "同城灾备中心自备发电机保障24小时。"),
    ("r:HQ-OFFICE", ["r:GRID"], 4 * H, "大楼应急照明和UPS保障4小时。"),
]  # fmt: skip


def _person(ref) -> Person | None:
    if ref is None:
        return None
    unit, index = ref
    return Person.objects.filter(unit__code=unit).order_by("employee_no")[index]


def _changed(obj, fields: dict) -> dict:
    out = {}
    for name, value in fields.items():
        field = obj._meta.get_field(name)
        current = getattr(obj, field.attname)
        wanted = value.pk if field.is_relation and value is not None else value
        if current != wanted:
            out[name] = value
    return out


def _resources() -> dict[str, Resource]:
    units = {u.code: u for u in Unit.objects.all()}
    sites = {s.code: s for s in Site.objects.all()}
    out: dict[str, Resource] = {}
    for spec in RESOURCES:
        fields = {k: v for k, v in spec.items() if k not in ("code", "alternates")}
        fields.update(
            unit=units[spec["unit"]],
            site=sites[spec["site"]] if spec["site"] else None,
            owner=_person(spec["owner"]),
            person=_person(spec["person"]),
        )
        obj = Resource.objects.filter(code=spec["code"]).first()
        if obj is None:
            obj = deps.resource_create(actor=None, code=spec["code"], **fields)
        elif changed := _changed(obj, fields):
            deps.resource_update(actor=None, resource=obj, **changed)
        out[spec["code"]] = obj
    for spec in RESOURCES:
        obj = out[spec["code"]]
        wanted = {out[code].pk for code in spec["alternates"]}
        if set(obj.alternates.values_list("pk", flat=True)) != wanted:
            alternates = [out[code] for code in spec["alternates"]]
            deps.resource_update(actor=None, resource=obj, alternates=alternates)
    return out


def _activities() -> dict[str, Activity]:
    units = {u.code: u for u in Unit.objects.all()}
    out = {}
    for code, name, name_en, unit, owner, products, mtpd, rto, rpo, mbco in ACTIVITIES:
        fields = dict(
            name=name, name_en=name_en, unit=units[unit], owner=_person(owner),
            products=products, mtpd=mtpd, rto=rto, rpo=rpo, mbco=mbco,
        )  # fmt: skip
        obj = Activity.objects.filter(code=code).first()
        if obj is None:
            obj = deps.activity_create(actor=None, code=code, **fields)
        elif changed := _changed(obj, fields):
            deps.activity_update(actor=None, activity=obj, **changed)
        out[code] = obj
    return out


def _links(resources, activities) -> int:
    def node(ref: str):
        kind, code = ref.split(":", 1)
        return activities[code] if kind == "a" else resources[code]

    wanted = []
    for dependent, needs, tolerance, note in LINKS:
        for need in needs:
            group, members = need if isinstance(need, tuple) else ("", (need,))
            wanted += [(node(dependent), node(m), group, tolerance, note) for m in members]
    count = 0
    for dependent, dependency, group, tolerance, note in wanted:
        kind_a = "activity" if isinstance(dependent, Activity) else "resource"
        kind_b = "activity" if isinstance(dependency, Activity) else "resource"
        link = Dependency.objects.filter(
            **{f"dependent_{kind_a}": dependent, f"dependency_{kind_b}": dependency}
        ).first()
        fields = {"group": group, "tolerance": tolerance, "note": note}
        if link is None:
            deps.dependency_create(actor=None, dependent=dependent, dependency=dependency, **fields)
        elif changed := {k: v for k, v in fields.items() if getattr(link, k) != v}:
            deps.dependency_update(actor=None, dependency=link, **changed)
        count += 1
    return count


@transaction.atomic
def load_dependencies() -> dict[str, int]:
    """Create or refresh the demo bank's dependency model (needs the demo organisation)."""
    resources = _resources()
    activities = _activities()
    links = _links(resources, activities)
    return {"resources": len(resources), "activities": len(activities), "links": links}
