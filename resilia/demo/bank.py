"""The standard demo organisation: 江海银行, a fictional city commercial bank.

Structure and teams follow what the seed documents describe (shared/seeds): a steering
group (领导小组) chaired by the president, a BCM office, emergency response, crisis
management with crisis PR, IT and business recovery, logistics; a head office with an
IT department split into operations, development and security, and the business and
support departments a Chinese city bank has. Responsibilities are paraphrased.
"""

from __future__ import annotations

BANK_DOMAIN = "jianghai-bank.cn"
DEMO_SEED = 22301  # ISO 22301: a fixed seed keeps the demo identical on every machine

# code, name, English name, kind, parent code, head title, staff titles, people
UNITS = [
    ("HQ", "江海银行总行", "Jianghai Bank Head Office", "company", None,
     "行长", ["副行长", "副行长", "首席风险官", "首席信息官", "董事会秘书"], 6),
    ("IT", "信息科技部", "Information Technology Department", "department", "HQ",
     "总经理", ["副总经理", "架构师", "项目经理"], 4),
    ("IT-OPS", "运维中心", "IT Operations Centre", "team", "IT",
     "主任",
     ["副主任", "系统管理员", "数据库管理员", "网络工程师", "值班工程师", "存储工程师"], 14),
    ("IT-DEV", "开发中心", "Software Development Centre", "team", "IT",
     "主任", ["副主任", "开发工程师", "测试工程师", "需求分析师"], 14),
    ("IT-SEC", "安全管理科", "Information Security Section", "team", "IT",
     "科长", ["副科长", "安全工程师", "安全审计员"], 6),
    ("OPS", "运营管理部", "Operations Management Department", "department", "HQ",
     "总经理", ["副总经理", "清算主管", "柜面运营主管", "运营专员"], 12),
    ("RISK", "风险管理部", "Risk Management Department", "department", "HQ",
     "总经理", ["副总经理", "业务连续性经理", "操作风险经理", "风险分析师"], 8),
    ("RETAIL", "个人金融部", "Retail Banking Department", "department", "HQ",
     "总经理", ["产品经理", "客户经理", "理财经理"], 10),
    ("CORP", "公司金融部", "Corporate Banking Department", "department", "HQ",
     "总经理", ["副总经理", "客户经理", "授信审查员"], 10),
    ("OFFICE", "办公室", "General Office", "department", "HQ",
     "主任", ["副主任", "新闻发言人", "行政专员", "后勤主管"], 8),
    ("FIN", "财务会计部", "Finance and Accounting Department", "department", "HQ",
     "总经理", ["副总经理", "会计主管", "资金管理员"], 8),
    ("CHAN", "渠道管理部", "Channel Management Department", "department", "HQ",
     "总经理", ["电子银行经理", "网点管理经理", "自助设备管理员"], 8),
    ("COMP", "法律合规部", "Legal and Compliance Department", "department", "HQ",
     "总经理", ["副总经理", "合规经理", "法务专员"], 5),
    ("HR", "人力资源部", "Human Resources Department", "department", "HQ",
     "总经理", ["副总经理", "培训经理"], 4),
    ("SECURITY", "保卫部", "Security Department", "department", "HQ",
     "总经理", ["副总经理", "安保主管"], 3),
]  # fmt: skip

# Units whose head has no named deputy: the gap the demo shows on the key-person report.
HEADS_WITHOUT_DEPUTY = {"RETAIL", "CHAN"}

# Key people besides heads and deputies: operations staff a recovery cannot do without.
KEY_TITLES = {
    "数据库管理员",
    "网络工程师",
    "系统管理员",
    "清算主管",
    "业务连续性经理",
    "新闻发言人",
}

# code, name, English name, kind, address, seats, owning unit, notes
SITES = [
    ("HQ-BLDG", "总行办公楼", "Head office building", "office",
     "江海市滨江区金融大街88号", 900, "OFFICE", "总行各部门日常办公场所。"),
    ("DC-MAIN", "主数据中心", "Primary data centre", "data_centre",
     "江海市高新区云谷路16号", 40, "IT-OPS",
     "核心系统生产运行中心,双路市电,柴油发电机保障48小时。"),
    ("DC-DR-LOCAL", "同城灾备中心", "Metro DR data centre", "dr_site",
     "江海市东湖区科创路201号", 30, "IT-OPS", "与主数据中心同步复制,核心系统热备。"),
    ("DC-DR-REMOTE", "异地灾备中心", "Remote DR data centre", "dr_site",
     "西岭市经开区数据港大道9号", 20, "IT-OPS", "异步复制,应对区域性灾难。"),
    ("ALT-OFFICE", "备用办公场所", "Alternate work area", "alternate",
     "江海市东湖区科创路203号二层", 120, "OFFICE", "预置工位、电话和网络,2小时内可启用。"),
]  # fmt: skip

# Where each unit normally works.
UNIT_SITES = {"IT-OPS": "DC-MAIN"}

# code, name, English name, kind, unit, responsibilities,
#   [(unit code, staff index, role, responsibilities)]  staff index 0 = head, 1 = deputy
TEAMS = [
    ("BCM-STEER", "业务连续性管理领导小组", "BCM steering group", "steering", "HQ",
     "全行业务连续性管理的最高决策机构:审定业务连续性战略、目标和范围,批准业务连续性"
     "计划与重大应急预案,为体系运行提供人员、资金和资源保障,决定重大突发事件的应急"
     "启动与升级,并监督各项工作的落实。",
     [("HQ", 0, "leader", "担任组长,统一指挥重大突发事件处置,决定启动业务连续性计划。"),
      ("HQ", 1, "deputy", "担任副组长,组长不在时代行指挥;分管信息科技与运营的恢复工作。"),
      ("HQ", 3, "member", "把关风险评估与业务影响分析结论,评估事件对全行风险状况的影响。"),
      ("HQ", 4, "member", "统筹信息系统灾难恢复,向领导小组报告系统恢复进度。"),
      ("IT", 0, "member", "组织信息科技部落实灾难恢复预案。"),
      ("OPS", 0, "member", "组织运营条线的业务恢复与人工替代方案。"),
      ("OFFICE", 0, "member", "负责对内对外沟通协调与后勤保障的统筹。")]),
    ("BCM-OFFICE", "业务连续性管理办公室", "BCM office", "bcm_office", "RISK",
     "领导小组的日常办事机构:制定和维护业务连续性管理制度,组织年度业务影响分析与风险"
     "评估,汇总各部门业务连续性计划,编制年度演练与培训计划,跟踪演练发现问题的整改,"
     "向领导小组定期报告体系运行情况。",
     [("RISK", 0, "leader", "办公室负责人,组织制定年度业务连续性工作计划并推动落实。"),
      ("RISK", 2, "deputy", "负责业务影响分析、演练方案编制和整改跟踪。"),
      ("IT", 1, "member", "信息科技部联络员,协调灾难恢复预案与演练。"),
      ("OPS", 1, "member", "运营管理部联络员,维护运营条线应急预案。"),
      ("RETAIL", 1, "member", "个人金融部联络员。"),
      ("CORP", 1, "member", "公司金融部联络员。"),
      ("CHAN", 1, "member", "渠道管理部联络员。")]),
    ("ERT", "应急响应小组", "Emergency response team", "emergency", "IT-OPS",
     "7×24小时接收监控告警和事件报告,在接报后30分钟内启动初步处置,判断事件等级并按"
     "报告路径和时限逐级上报,执行应急预案中的先期处置措施,记录处置过程中的关键信息。",
     [("IT-OPS", 0, "leader", "组织先期处置,判断事件等级并向领导小组报告。"),
      ("IT-OPS", 1, "deputy", "组长不在时代行职责;协调各值班岗位。"),
      ("IT-OPS", 5, "member", "值班监控,第一时间确认告警并通知相关人员。"),
      ("IT-OPS", 4, "member", "网络故障定位与切换。"),
      ("IT-SEC", 2, "member", "网络攻击等安全事件的研判与遏制。"),
      ("SECURITY", 0, "member", "火灾、入侵等物理安全事件的现场处置。")]),
    ("CRISIS", "危机管理小组", "Crisis management and PR team", "crisis", "OFFICE",
     "在重大事件中统一对外口径:评估声誉影响,起草并发布对客户、监管机构和媒体的公告,"
     "监测舆情,与监管机构、公安、电信、电力等外部单位保持联络,协调危机公关。",
     [("OFFICE", 0, "leader", "统一对外发布信息,对接监管机构报告。"),
      ("OFFICE", 2, "deputy", "起草对外公告和媒体答问口径,监测舆情。"),
      ("COMP", 0, "member", "审核对外信息的合规性,评估法律责任与监管要求。"),
      ("RETAIL", 0, "member", "组织客户安抚与投诉处理。")]),
    ("IT-RECOVERY", "IT恢复小组", "IT recovery team", "recovery", "IT",
     "按照恢复优先级(依恢复时间目标和恢复点目标由小到大)在灾备中心恢复核心系统、数据"
     "和网络,验证数据完整性,在降级模式下保障关键业务运行,并组织迁回主数据中心。",
     [("IT", 0, "leader", "指挥系统切换与恢复,向领导小组报告恢复进度。"),
      ("IT-OPS", 0, "deputy", "执行灾备切换步骤,协调各技术岗位。"),
      ("IT-OPS", 3, "member", "数据库恢复与数据一致性校验。"),
      ("IT-OPS", 2, "member", "主机与操作系统恢复。"),
      ("IT-DEV", 0, "member", "应用系统恢复后的功能验证。"),
      ("IT-SEC", 0, "member", "恢复环境的安全加固与访问控制。")]),
    ("BIZ-RECOVERY", "业务恢复小组", "Business recovery team", "recovery", "OPS",
     "组织关键业务在备用办公场所或以人工替代方式恢复,确定业务恢复顺序,核对系统恢复后"
     "的账务和交易数据,处理积压业务,评估业务损失。",
     [("OPS", 0, "leader", "决定业务恢复顺序,组织人工替代方案。"),
      ("OPS", 1, "deputy", "组织备用场所的柜面与清算业务。"),
      ("OPS", 2, "member", "清算业务恢复与对账。"),
      ("FIN", 0, "member", "核对账务,评估财务损失。"),
      ("CHAN", 0, "member", "网点与电子渠道的服务恢复和客户引导。")]),
    ("LOGISTICS", "后勤保障小组", "Logistics support team", "working", "OFFICE",
     "保障应急期间的场地、电力、空调、通信、交通、餐饮和医疗等后勤需求,启用备用办公"
     "场所,协调供电、电信等外部服务商。",
     [("OFFICE", 4, "leader", "启用备用办公场所,调配车辆、物资。"),
      ("SECURITY", 1, "member", "现场秩序维护与人员安全。"),
      ("HR", 0, "member", "人员调配与员工安抚,核实人员到位情况。")]),
]  # fmt: skip

# username, role, unit code (scope), linked person (unit code, staff index)
USERS = [
    ("admin", "admin", None, None),
    ("bcm", "bcm_manager", None, ("RISK", 2)),
    ("coord_it", "coordinator", "IT", ("IT", 1)),
    ("coord_ops", "coordinator", "OPS", ("OPS", 1)),
    # The head of operations approves the department's BIA (the unit's approver).
    ("head_ops", "coordinator", "OPS", ("OPS", 0)),
    ("coord_retail", "coordinator", "RETAIL", ("RETAIL", 1)),
    ("contrib_itops", "contributor", "IT-OPS", ("IT-OPS", 3)),
    ("auditor", "auditor", None, None),
    ("executive", "executive", None, ("HQ", 0)),
]
