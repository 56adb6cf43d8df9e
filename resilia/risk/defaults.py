# ruff: noqa: E501  (the catalogue reads best one entry a line)
"""The default threat catalogue and risk matrix (issue 10 items 1-2; DOMAIN.md §2;
reference/standards.md §6).

The matrix's bands, appetite, anchors and review intervals are [M] conventions: an
organisation edits them, and a change saves a new matrix version. Names are stored in both
languages: `name` in Chinese, `name_en` in English.
"""

H = 60
D = 24 * H

# standards.md §6, example likelihood anchors (zgmkw).
LIKELIHOOD = [
    {"name": "极少", "name_en": "Rare", "anchor": "50年以上一次", "anchor_en": "Once in over 50 years"},
    {"name": "不太可能", "name_en": "Unlikely", "anchor": "10年以上一次", "anchor_en": "Once in over 10 years"},
    {"name": "可能", "name_en": "Possible", "anchor": "10年内一次", "anchor_en": "Once within 10 years"},
    {"name": "较可能", "name_en": "Likely", "anchor": "5年内一次", "anchor_en": "Once within 5 years"},
    {"name": "很可能", "name_en": "Almost certain", "anchor": "每年一次", "anchor_en": "Once a year"},
]  # fmt: skip

# Tied to the BIA framework's 1-5 rating scale (bia.defaults.LEVELS): impact level n is
# rating n in the worst-hit category.
IMPACT = [
    {"name": "轻微", "name_en": "Negligible", "bia_level": 1},
    {"name": "较小", "name_en": "Minor", "bia_level": 2},
    {"name": "中等", "name_en": "Moderate", "bia_level": 3},
    {"name": "严重", "name_en": "Major", "bia_level": 4},
    {"name": "灾难性", "name_en": "Severe", "bia_level": 5},
]

# standards.md §6 convention A (红橙黄蓝), with the review intervals per band.
BANDS = [
    {"code": "low", "name": "低风险", "name_en": "Low", "colour": "blue", "min": 1, "max": 3,
     "review_days": 360},
    {"code": "general", "name": "一般风险", "name_en": "Moderate", "colour": "yellow", "min": 4,
     "max": 9, "review_days": 180},
    {"code": "major", "name": "较大风险", "name_en": "High", "colour": "orange", "min": 10,
     "max": 16, "review_days": 90},
    {"code": "critical", "name": "重大风险", "name_en": "Critical", "colour": "red", "min": 20,
     "max": 25, "review_days": 90},
]  # fmt: skip

APPETITE = "major"

# (code, class, group, name, name_en, typical duration in minutes, resource kinds, description)
THREATS = [
    ("NAT-EQ", "natural", "natural", "地震", "Earthquake", 3 * D, ["facility", "infrastructure", "utility"], "建筑物损毁、人员伤亡、机房与电力中断"),
    ("NAT-FLOOD", "natural", "natural", "洪水", "Flood", 2 * D, ["facility", "utility", "equipment"], "暴雨内涝导致场所进水、交通中断"),
    ("NAT-TYPHOON", "natural", "natural", "台风", "Typhoon", 1 * D, ["facility", "utility"], "强风暴雨导致停电、通信中断、人员无法到岗"),
    ("NAT-SNOW", "natural", "natural", "雪灾", "Snowstorm", 1 * D, ["utility", "facility"], "冰雪导致输电线路故障、交通受阻"),
    ("NAT-FIRE", "accident", "natural", "火灾", "Fire", 2 * D, ["facility", "equipment", "infrastructure"], "机房或办公场所火灾"),
    ("HUM-ERROR", "accident", "human", "操作失误", "Operator error", 4 * H, ["application", "data", "infrastructure"], "误操作导致系统停机或数据错误"),
    ("HUM-ATTACK", "social_security", "human", "恶意攻击", "Malicious attack", 8 * H, ["application", "data", "infrastructure"], "黑客入侵、勒索软件、拒绝服务攻击"),
    ("HUM-TERROR", "social_security", "human", "恐怖袭击", "Terrorist attack", 3 * D, ["facility", "key_person"], "针对场所或人员的暴力袭击"),
    ("HUM-STRIKE", "social_security", "human", "罢工", "Strike", 2 * D, ["key_person", "supplier"], "人员集体停工"),
    ("TEC-HW", "accident", "technical", "硬件故障", "Hardware failure", 4 * H, ["infrastructure", "equipment"], "服务器、存储、网络设备故障"),
    ("TEC-VULN", "accident", "technical", "软件漏洞", "Software vulnerability", 8 * H, ["application"], "软件缺陷或漏洞导致服务中断"),
    ("TEC-POWER", "accident", "technical", "电力中断", "Power outage", 4 * H, ["utility", "facility", "infrastructure"], "市电中断、UPS或柴油发电机失效"),
    ("TEC-NET", "accident", "technical", "网络中断", "Network outage", 4 * H, ["infrastructure", "supplier"], "运营商线路或核心网络中断"),
    ("TEC-DATA", "accident", "technical", "数据丢失", "Data loss", 8 * H, ["data", "application"], "数据损坏、误删除或备份失效"),
    ("SUP-SUPPLY", "accident", "supply_chain", "供应商无法供货", "Supplier cannot deliver", 7 * D, ["supplier"], "关键供应商停产、破产或服务终止"),
    ("SUP-LOGISTICS", "accident", "supply_chain", "物流受阻", "Logistics disrupted", 3 * D, ["supplier", "equipment"], "运输中断导致物资无法送达"),
    ("PPL-LEAVE", "social_security", "people", "关键人员离职", "Key person leaves", 30 * D, ["key_person"], "掌握关键技能的人员离职或无法履职"),
    ("PPL-EPIDEMIC", "public_health", "people", "传染疫病", "Epidemic", 14 * D, ["key_person", "facility"], "传染病流行导致大量人员无法到岗"),
    ("CRI-FRAUD", "social_security", "crisis", "内外部欺诈", "Internal or external fraud", 1 * D, ["application", "data"], "内部人员或外部人员的欺诈行为"),
    ("CRI-ASSET", "accident", "crisis", "实体资产损坏", "Physical asset damage", 3 * D, ["facility", "equipment"], "厂房、设备等实体资产损坏"),
    ("CRI-IT", "accident", "crisis", "IT系统", "IT system crisis", 8 * H, ["application", "infrastructure", "data"], "信息系统大面积故障"),
    ("CRI-OPS", "accident", "crisis", "运营危机", "Operational crisis", 1 * D, ["supplier", "facility"], "生产运营中断或严重受阻"),
    ("CRI-PEOPLE", "social_security", "crisis", "人员危机", "Personnel crisis", 7 * D, ["key_person"], "人员伤亡、群体性事件"),
    ("CRI-LIQUIDITY", "social_security", "crisis", "流动性危机", "Liquidity crisis", 3 * D, [], "资金链紧张、无法按期支付"),
]  # fmt: skip
