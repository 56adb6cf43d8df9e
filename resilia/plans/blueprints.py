"""The seeded templates (范本) a new plan starts from, bilingual, written from the seeds:
the software company's 业务持续性管理计划 (RTO one hour, fall back to the emergency plan),
the power-industry six-part scheme (识别 / 报告 / 评估 / 处置 / 恢复与改进 / 培训与演练, two
levels: 突发应急管理 escalating to 业务连续性管理 once operations are affected), the payment
company's rules and the network-interruption drill (网络中断恢复演练).

Each text is a (Chinese, English) pair; `instantiate()` writes the plan in one language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language


@dataclass(frozen=True)
class Blueprint:
    code: str
    kind: str
    name: tuple[str, str]
    purpose: tuple[str, str]
    triggers: list[tuple[str, str]]
    steps: list[tuple]  # (phase, who, what, where, how, minutes, after keys)
    resources: list[tuple[str, str]] = field(default_factory=list)
    vital_records: list[tuple[str, str]] = field(default_factory=list)
    backlog: list[tuple[str, str]] = field(default_factory=list)


WHO_ACTIVATES = (
    "应急领导小组组长；组长不在时由副组长（关键人员备份和紧急授权）",
    "The head of the emergency steering group; in their absence the deputy head "
    "(key-person backup and emergency authorisation)",
)
# Each level: name, criteria, who activates and decides, response, when it escalates to the
# next level, to whom it is reported and within how many minutes (seed 000's 分级管理).
LEVELS = [
    (
        ("突发应急管理（小规模故障）", "Emergency handling (small-scale failure)"),
        (
            "单一系统或部门受影响，业务运营未中断",
            "One system or department hit, operations continue",
        ),
        ("值班经理", "The duty manager"),
        (
            "应急处置组现场处置，值班经理跟进",
            "The response team handles it; the duty manager follows",
        ),
        (
            "业务运营受影响，或预计无法在恢复时间目标内恢复",
            "Operations are affected, or recovery within the RTO is in doubt",
        ),
        ("应急领导小组", "The emergency steering group"),
        15,
    ),
    (
        ("业务连续性管理（大规模故障）", "Business continuity (large-scale failure)"),
        (
            "关键业务中断或预计超过恢复时间目标",
            "A critical activity stops or is expected to exceed its RTO",
        ),
        ("业务连续性领导小组组长", "The head of the business continuity steering group"),
        (
            "启动业务连续性计划，领导小组决策切换至灾备",
            "The plan is activated; the steering group decides the failover",
        ),
        ("", ""),
        ("监管机构（经批准）", "The regulator (once approved)"),
        120,
    ),
]
ESCALATION = (
    "突发事件影响业务运营时，由突发应急管理升级为业务连续性管理，二者使用同一报告路径。",
    "An emergency escalates to business continuity management as soon as business operations "
    "are affected; both use the same reporting path.",
)
REPORTING = [
    (("值班经理", "Duty manager"), 15, ("电话", "Phone"), ("现象、影响范围", "Symptoms, scope")),
    (
        ("应急领导小组", "Emergency steering group"),
        30,
        ("电话，随后书面报告", "Phone, then in writing"),
        ("影响评估、预计恢复时间", "Impact assessment, expected recovery"),
    ),
    (
        ("监管机构", "Regulator"),
        120,
        ("书面报告（经批准）", "Written report (approved)"),
        ("事件概况、影响、处置措施", "Summary, impact, measures taken"),
    ),
]
ROLES = [
    (("应急总指挥", "Incident commander"), ("宣布启动、决定升级", "Declares, decides escalation")),
    (("技术恢复组", "Technical recovery team"), ("系统与网络恢复", "Restores systems and network")),
    (("业务组", "Business team"), ("业务验证与手工替代", "Validates business, manual workaround")),
    (("综合保障组", "Support team"), ("后勤、通讯、对外沟通", "Logistics, communication")),
]
COMMUNICATIONS = [
    (
        "staff",
        ("【{organisation}】{plan}已启动", "[{organisation}] {plan} activated"),
        (
            "各位同事：{time}发生{incident}，已启动{plan}（{level}）。请按职责到位，联系人：{contact}。",
            "Colleagues: at {time} {incident} occurred and {plan} is activated ({level}). "
            "Report to your role; contact: {contact}.",
        ),
    ),
    (
        "customers",
        ("服务公告", "Service notice"),
        (
            "尊敬的客户：受{incident}影响，{impact}暂时不可用，预计{eta}恢复。咨询电话{phone}。",
            "Dear customer: because of {incident}, {impact} is unavailable; we expect it back by "
            "{eta}. Hotline {phone}.",
        ),
    ),
    (
        "regulator",
        ("{organisation}业务中断事件报告", "{organisation} operational disruption report"),
        (
            "{time}发生{incident}，影响{impact}，响应级别{level}，预计{eta}恢复。联系人{contact}。",
            "At {time} {incident} occurred, affecting {impact}; response level {level}; "
            "expected recovery {eta}. Contact {contact}.",
        ),
    ),
    (
        "media",
        ("{organisation}关于服务中断的说明", "{organisation} statement on the disruption"),
        (
            "{time}，{organisation}{impact}受{incident}影响，我们正在全力恢复，预计{eta}恢复。",
            "At {time}, {impact} of {organisation} was affected by {incident}. We are restoring "
            "it and expect it back by {eta}.",
        ),
    ),
]
REVIEW_STEPS = [
    (
        "return",
        ("技术恢复组", "Technical recovery team"),
        ("迁回固定场地，恢复正常运行", "Move back to the normal site and resume normal running"),
        ("生产机房", "Primary data centre"),
        ("按回切方案，业务低峰执行", "Per the fallback runbook, off-peak"),
        120,
        (),
    ),
    (
        "review",
        ("应急总指挥", "Incident commander"),
        ("事后总结与评审，更新预案", "Post-incident review; update the plan"),
        ("会议室", "Meeting room"),
        ("五个工作日内提交总结报告", "Report within five working days"),
        60,
        (),
    ),
]


def _s(phase, who, what, where, how, minutes, after=()):
    return (phase, who, what, where, how, minutes, after)


PREP = _s(
    "preparation",
    ("综合保障组", "Support team"),
    ("核对通讯录与备用资源", "Check the contact list and standby resources"),
    ("办公室", "Office"),
    ("每季度核对一次", "Quarterly"),
    30,
)

BLUEPRINTS = [
    Blueprint(
        "network",
        "emergency",
        ("网络中断应急预案", "Network interruption emergency plan"),
        (
            "网络中断时迅速切换备用线路，恢复业务访问，恢复时间目标一小时，恢复失败启用业务连续性计划。",
            "Restore business access over the backup line when the network fails; RTO one hour; "
            "if recovery fails, activate the business continuity plan.",
        ),
        [
            ("核心网络或互联网出口中断超过5分钟", "Core network or internet link down > 5 minutes"),
            ("两个以上营业网点无法联网", "Two or more branches offline"),
        ],
        [
            PREP,
            _s(
                "response",
                ("值班工程师", "Duty engineer"),
                ("确认故障现象与范围", "Confirm the failure and its scope"),
                ("网络监控室", "Network operations room"),
                ("查看监控告警，ping/traceroute", "Alarms, ping/traceroute"),
                10,
            ),
            _s(
                "response",
                ("值班经理", "Duty manager"),
                ("报告应急领导小组", "Report to the steering group"),
                ("—", "—"),
                ("电话", "Phone"),
                5,
                ("S2",),
            ),
            _s(
                "recovery",
                ("技术恢复组", "Technical recovery team"),
                ("切换至备用线路", "Switch to the backup line"),
                ("生产机房", "Primary data centre"),
                ("按切换手册执行路由切换", "Routing failover runbook"),
                20,
                ("S3",),
            ),
            _s(
                "recovery",
                ("综合保障组", "Support team"),
                ("通知各网点与客户服务中心", "Inform branches and the service centre"),
                ("—", "—"),
                ("短信与电话", "SMS and phone"),
                15,
                ("S3",),
            ),
            _s(
                "validation",
                ("业务组", "Business team"),
                ("验证业务交易正常", "Verify transactions go through"),
                ("业务部门", "Business units"),
                ("测试交易", "Test transactions"),
                15,
                ("S4", "S5"),
            ),
            _s(
                "resumption",
                ("应急总指挥", "Incident commander"),
                ("宣布恢复，处理积压交易", "Declare recovery; clear the backlog"),
                ("—", "—"),
                ("—", "—"),
                10,
                ("S6",),
            ),
        ],
        [("备用线路", "Backup line"), ("应急笔记本与4G路由器", "Laptops and 4G routers")],
        [("网络拓扑图与配置备份", "Network diagrams and configuration backups")],
        [("中断期间未上送的交易", "Transactions not sent during the outage")],
    ),
    Blueprint(
        "power",
        "emergency",
        ("电力中断应急预案", "Power failure emergency plan"),
        (
            "市电中断时保障关键设备供电，有序恢复。",
            "Keep critical equipment powered when mains power fails.",
        ),
        [
            ("市电中断", "Mains power lost"),
            ("UPS后备时间不足30分钟", "Less than 30 minutes of UPS left"),
        ],
        [
            PREP,
            _s(
                "response",
                ("机房值班员", "Data-centre operator"),
                ("确认断电范围，启动柴油发电机", "Confirm the outage; start the generator"),
                ("配电室", "Switch room"),
                ("按发电机操作规程", "Generator procedure"),
                15,
            ),
            _s(
                "response",
                ("值班经理", "Duty manager"),
                ("报告并联系供电公司", "Report; call the utility"),
                ("—", "—"),
                ("电话", "Phone"),
                10,
                ("S2",),
            ),
            _s(
                "recovery",
                ("技术恢复组", "Technical recovery team"),
                ("关闭非关键设备，保障核心系统", "Shed non-critical load"),
                ("生产机房", "Primary data centre"),
                ("按负载清单", "Load list"),
                20,
                ("S2",),
            ),
            _s(
                "validation",
                ("业务组", "Business team"),
                ("验证核心业务", "Verify critical business"),
                ("业务部门", "Business units"),
                ("测试交易", "Test transactions"),
                15,
                ("S4",),
            ),
            _s(
                "resumption",
                ("应急总指挥", "Incident commander"),
                ("市电恢复后切回", "Switch back to mains"),
                ("配电室", "Switch room"),
                ("—", "—"),
                20,
                ("S3", "S5"),
            ),
        ],
        [("柴油发电机与燃油", "Generator and fuel"), ("UPS", "UPS")],
        [("配电系统图", "Power distribution diagram")],
    ),
    Blueprint(
        "fire",
        "emergency",
        ("火灾应急预案", "Fire emergency plan"),
        (
            "保障人员安全，控制火情，转移关键业务。",
            "Keep people safe, contain the fire, move critical work.",
        ),
        [
            ("火灾报警确认", "Fire alarm confirmed"),
            ("烟感或气体灭火系统启动", "Smoke detection or gas suppression triggered"),
        ],
        [
            PREP,
            _s(
                "response",
                ("楼层安全员", "Floor warden"),
                ("组织人员疏散并拨打119", "Evacuate; call 119"),
                ("办公楼", "Office building"),
                ("按疏散路线", "Evacuation routes"),
                10,
            ),
            _s(
                "response",
                ("值班经理", "Duty manager"),
                ("清点人数并报告", "Roll call and report"),
                ("集合点", "Assembly point"),
                ("—", "—"),
                10,
                ("S2",),
            ),
            _s(
                "recovery",
                ("业务组", "Business team"),
                ("启用备用办公场地", "Open the alternate work site"),
                ("备用场地", "Alternate site"),
                ("按座位分配表", "Seat plan"),
                60,
                ("S3",),
            ),
            _s(
                "validation",
                ("业务组", "Business team"),
                ("验证关键业务可办理", "Verify critical work can be done"),
                ("备用场地", "Alternate site"),
                ("—", "—"),
                30,
                ("S4",),
            ),
            _s(
                "resumption",
                ("应急总指挥", "Incident commander"),
                ("宣布在备用场地恢复运营", "Declare operations resumed"),
                ("—", "—"),
                ("—", "—"),
                10,
                ("S5",),
            ),
        ],
        [("备用办公场地座位", "Seats at the alternate site")],
        [("纸质重要凭证", "Vital paper records")],
    ),
    Blueprint(
        "equipment",
        "emergency",
        ("设备故障应急预案", "Equipment failure emergency plan"),
        (
            "关键设备故障时切换备用设备。",
            "Switch to standby equipment when critical equipment fails.",
        ),
        [("关键服务器、存储或网络设备故障", "A critical server, storage or network device fails")],
        [
            PREP,
            _s(
                "response",
                ("值班工程师", "Duty engineer"),
                ("定位故障设备", "Locate the failed device"),
                ("生产机房", "Primary data centre"),
                ("监控与日志", "Monitoring and logs"),
                15,
            ),
            _s(
                "recovery",
                ("技术恢复组", "Technical recovery team"),
                ("切换备机或更换备件", "Fail over or swap the spare"),
                ("生产机房", "Primary data centre"),
                ("厂商支持", "Vendor support"),
                45,
                ("S2",),
            ),
            _s(
                "validation",
                ("业务组", "Business team"),
                ("验证业务", "Verify the business"),
                ("业务部门", "Business units"),
                ("测试交易", "Test transactions"),
                15,
                ("S3",),
            ),
        ],
        [("备品备件", "Spare parts"), ("厂商维保合同", "Vendor maintenance contract")],
    ),
    Blueprint(
        "datacentre",
        "drp",
        ("数据中心灾难恢复计划", "Data-centre loss disaster recovery plan"),
        (
            "生产数据中心不可用时切换至灾备中心。",
            "Fail over to the disaster recovery centre when the primary data centre is lost.",
        ),
        [
            ("生产中心整体不可用", "The primary data centre is unavailable"),
            ("预计恢复超过RTO", "Recovery expected beyond the RTO"),
        ],
        [
            PREP,
            _s(
                "response",
                ("应急总指挥", "Incident commander"),
                ("决策切换灾备", "Decide the failover"),
                ("指挥中心", "Command room"),
                ("领导小组会议", "Steering group call"),
                30,
            ),
            _s(
                "recovery",
                ("技术恢复组", "Technical recovery team"),
                ("数据库切换", "Fail over the databases"),
                ("灾备中心", "DR centre"),
                ("数据级→数据库级→应用级", "Data → database → application"),
                60,
                ("S2",),
            ),
            _s(
                "recovery",
                ("技术恢复组", "Technical recovery team"),
                ("应用启动与网络切换", "Start applications; switch the network"),
                ("灾备中心", "DR centre"),
                ("切换手册", "Runbook"),
                45,
                ("S3",),
            ),
            _s(
                "validation",
                ("业务组", "Business team"),
                ("验证数据完整与交易", "Verify data and transactions"),
                ("业务部门", "Business units"),
                ("对账", "Reconciliation"),
                30,
                ("S4",),
            ),
            _s(
                "resumption",
                ("应急总指挥", "Incident commander"),
                ("宣布在灾备中心恢复运营", "Declare operations resumed"),
                ("—", "—"),
                ("—", "—"),
                10,
                ("S5",),
            ),
        ],
        [("灾备中心", "DR centre"), ("灾备网络", "DR network")],
        [("数据备份与恢复手册", "Backups and restore runbooks")],
        [("切换期间的在途交易", "Transactions in flight during the failover")],
    ),
    Blueprint(
        "supplier",
        "bcp",
        ("关键供应商失效业务连续性计划", "Key supplier failure continuity plan"),
        (
            "关键供应商无法供货或服务时启用替代方案。",
            "Use the alternative when a key supplier cannot deliver.",
        ),
        [
            (
                "供应商无法供货或服务中断超过约定时间",
                "A supplier cannot deliver or its service is down beyond the agreed time",
            )
        ],
        [
            PREP,
            _s(
                "response",
                ("采购负责人", "Procurement lead"),
                ("确认供应商状况", "Confirm the supplier's situation"),
                ("—", "—"),
                ("电话与合同条款", "Phone and contract terms"),
                60,
            ),
            _s(
                "recovery",
                ("业务组", "Business team"),
                (
                    "启用备选供应商或人工操作方案",
                    "Switch to the alternate supplier or the manual workaround",
                ),
                ("—", "—"),
                ("备选供应商协议", "Standby agreement"),
                240,
                ("S2",),
            ),
            _s(
                "validation",
                ("业务组", "Business team"),
                ("验证服务质量", "Verify the service"),
                ("—", "—"),
                ("—", "—"),
                60,
                ("S3",),
            ),
        ],
        [("备选供应商名单", "Alternate supplier list")],
    ),
    Blueprint(
        "ransomware",
        "drp",
        ("勒索软件灾难恢复计划", "Ransomware disaster recovery plan"),
        ("隔离感染，自离线备份恢复。", "Isolate the infection and restore from offline backups."),
        [("发现勒索信息或大量文件被加密", "A ransom note or mass encryption is found")],
        [
            PREP,
            _s(
                "response",
                ("安全组", "Security team"),
                ("隔离受感染主机与网段", "Isolate infected hosts and segments"),
                ("安全运营中心", "Security operations centre"),
                ("断网、封禁账号", "Cut links, disable accounts"),
                30,
            ),
            _s(
                "response",
                ("值班经理", "Duty manager"),
                ("报告并保全证据", "Report and preserve evidence"),
                ("—", "—"),
                ("—", "—"),
                30,
                ("S2",),
            ),
            _s(
                "recovery",
                ("技术恢复组", "Technical recovery team"),
                ("自离线备份恢复系统", "Restore from offline backups"),
                ("灾备中心", "DR centre"),
                ("恢复手册，先核验备份", "Runbook; check the backup first"),
                240,
                ("S2",),
            ),
            _s(
                "validation",
                ("安全组", "Security team"),
                ("确认无残留后重新上线", "Confirm clean before going live"),
                ("—", "—"),
                ("扫描", "Scans"),
                60,
                ("S4",),
            ),
        ],
        [("离线备份", "Offline backups")],
        [("系统镜像与密钥", "System images and keys")],
    ),
    Blueprint(
        "pandemic",
        "bcp",
        ("传染疫病业务连续性计划", "Pandemic continuity plan"),
        (
            "大量人员无法到岗时维持关键业务。",
            "Keep critical work going when many staff cannot come in.",
        ),
        [("关键岗位缺勤率超过30%", "More than 30% of key roles absent")],
        [
            PREP,
            _s(
                "response",
                ("人力资源部", "Human resources"),
                ("统计到岗情况", "Count who is available"),
                ("—", "—"),
                ("—", "—"),
                60,
            ),
            _s(
                "recovery",
                ("业务组", "Business team"),
                ("启用AB岗与远程办公", "Activate role backups and remote work"),
                ("—", "—"),
                ("人员角色备份", "Personnel role backup"),
                120,
                ("S2",),
            ),
            _s(
                "validation",
                ("业务组", "Business team"),
                ("验证关键业务运行", "Verify critical work runs"),
                ("—", "—"),
                ("—", "—"),
                60,
                ("S3",),
            ),
        ],
        [("远程办公设备", "Remote-work equipment"), ("防护物资", "Protective supplies")],
    ),
]
BY_CODE = {b.code: b for b in BLUEPRINTS}


def pick(pair, lang: str | None = None) -> str:
    lang = lang or get_language() or "zh-hans"
    return pair[1] if lang.startswith("en") else pair[0]


def name(code: str) -> str:
    return pick(BY_CODE[code].name)


def instantiate(code: str, lang: str | None = None) -> dict:
    """The content of a new plan from blueprint `code`, in `lang` (the writer's language)."""
    b = BY_CODE[code]

    def p(pair):
        return pick(pair, lang)

    steps = []
    for i, (phase, who, what, where, how, minutes, after) in enumerate(
        [*b.steps, *REVIEW_STEPS], start=1
    ):
        steps.append(
            {
                "key": f"S{i}",
                "phase": phase,
                "who": p(who),
                "what": p(what),
                "where": p(where),
                "how": p(how),
                "minutes": minutes,
                "after": list(after),
                "activities": [],
            }
        )
    # The return and the review follow the last step of the scenario.
    last = f"S{len(b.steps)}"
    steps[-2]["after"] = [last]
    steps[-1]["after"] = [steps[-2]["key"]]
    return {
        "purpose": p(b.purpose),
        "activation": {"criteria": [p(t) for t in b.triggers], "who": p(WHO_ACTIVATES)},
        "levels": [
            {
                "name": p(n),
                "criteria": p(c),
                "decides": p(d),
                "response": p(r),
                "escalate": p(e),
                "report_to": p(to),
                "report_within": within,
            }
            for n, c, d, r, e, to, within in LEVELS
        ],
        "escalation": p(ESCALATION),
        "reporting": [
            {"to": p(to), "within": w, "path": p(path), "content": p(c)}
            for to, w, path, c in REPORTING
        ],
        "roles": [
            {"role": p(r), "team": None, "person": None, "deputy": None, "authority": p(a)}
            for r, a in ROLES
        ],
        "steps": steps,
        "resources": [p(x) for x in b.resources],
        "vital_records": [p(x) for x in b.vital_records],
        "backlog": [p(x) for x in b.backlog],
        "communications": [
            {"audience": aud, "subject": p(subj), "body": p(body)}
            for aud, subj, body in COMMUNICATIONS
        ],
    }
