"""The standard checklist templates a new installation starts from (editable afterwards):
fire protection, power supply, air conditioning and network rooms, in the words data-centre
and facilities teams use in their inspection forms (巡检记录表)."""

from __future__ import annotations

from django.db import transaction

TEMPLATES = [
    ("FIRE", "消防安全巡检", "Fire safety inspection", "fire", [
        ("灭火器压力指针在绿区,在有效期内,摆放位置无遮挡",
         "Extinguisher gauges in the green, within date, not obstructed"),
        ("气体灭火系统控制盘处于自动状态,无故障报警",
         "Gas suppression panel on automatic, no fault"),
        ("火灾自动报警系统运行正常,探测器无遮挡",
         "Fire alarm system normal, detectors unobstructed"),
        ("疏散通道、安全出口畅通,无堆放杂物", "Escape routes and exits clear"),
        ("应急照明和疏散指示标志完好", "Emergency lighting and exit signs working"),
        ("防火门常闭、闭门器完好", "Fire doors closed, closers working"),
        ("机房内无易燃物品堆放", "No combustible material stored in the room"),
    ]),
    ("POWER", "供配电系统巡检", "Power supply and distribution inspection", "power", [
        ("市电双路进线电压、电流正常", "Both utility feeds: voltage and current normal"),
        ("UPS运行正常,负载率不超过80%,无告警", "UPS normal, load at most 80 %, no alarm"),
        ("蓄电池组外观无鼓包、漏液,单体电压正常",
         "Batteries: no swelling or leaks, cell voltages normal"),
        ("柴油发电机处于自动备用状态,油量满足48小时运行",
         "Generator on automatic standby, fuel for 48 hours"),
        ("配电柜指示灯正常,无异味、异响,温度正常",
         "Switchboards: indicators normal, no smell, noise or heat"),
        ("ATS自动切换装置处于自动位置", "Automatic transfer switch set to automatic"),
        ("接地线连接牢固,无松动锈蚀", "Earthing connections tight, no corrosion"),
    ]),
    ("HVAC", "精密空调巡检", "Precision air-conditioning inspection", "hvac", [
        ("机房温度在18–27℃,湿度在40%–60%", "Room at 18–27 °C and 40–60 % humidity"),
        ("精密空调运行正常,无高低压告警", "Precision units running, no high/low pressure alarm"),
        ("冷凝水排水通畅,无漏水", "Condensate drains clear, no leaks"),
        ("漏水检测系统运行正常", "Water-leak detection working"),
        ("室外机周围无遮挡,散热良好", "Outdoor units unobstructed, cooling well"),
        ("过滤网清洁,无积尘", "Filters clean"),
    ]),
    ("NETWORK", "网络机房巡检", "Network room inspection", "network", [
        ("核心交换机、路由器指示灯正常,无告警",
         "Core switches and routers: indicators normal, no alarm"),
        ("运营商专线及互联网出口链路正常", "Carrier lines and Internet uplinks up"),
        ("防火墙、负载均衡主备状态正常", "Firewalls and load balancers: active/standby normal"),
        ("机柜门已关闭上锁,线缆标识清晰、整齐",
         "Racks closed and locked, cables labelled and tidy"),
        ("网络管理系统无未处理告警", "No unhandled alarm in network monitoring"),
        ("门禁和视频监控运行正常,出入登记完整",
         "Access control and CCTV working, visitor log complete"),
    ]),
]  # fmt: skip


@transaction.atomic
def templates_seed(*, actor) -> int:
    """Create the standard templates that do not exist yet (by code); returns how many."""
    from resilia.hazards.models import ChecklistTemplate
    from resilia.hazards.services import template_save

    created = 0
    for code, name, name_en, kind, items in TEMPLATES:
        if ChecklistTemplate.objects.filter(code=code).exists():
            continue
        template_save(actor=actor, code=code, name=name, name_en=name_en, kind=kind, items=items)
        created += 1
    return created
