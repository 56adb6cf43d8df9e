"""The demo's hazard inspection (隐患排查治理) at the bank's primary data centre: the standard
checklists; a weekly power round and a daily network-room round scheduled for the operations
centre's engineer; a completed power round whose 一般隐患 (a swollen UPS battery) was fixed,
verified and closed; and a network-room round whose 重大隐患 (a core switch on one power
supply) has its order issued and is now overdue, so the major-hazards page, the overdue list
and the escalation show something; that hazard is also promoted to a risk of the register."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from resilia.accounts.models import User
from resilia.hazards import services
from resilia.hazards.defaults import templates_seed
from resilia.hazards.models import (
    ChecklistTemplate,
    Hazard,
    InspectionRound,
    Rectification,
    Verification,
)
from resilia.org.models import Person, Site


def _photo(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 480), (60, 64, 72))
    draw = ImageDraw.Draw(image)
    draw.rectangle((180, 120, 460, 380), fill=colour, outline=(255, 255, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _back_date(hazard: Hazard, days: int, *, closed_after: int | None = None) -> None:
    """The demo's history: the hazard found `days` ago, its order issued the next day with a
    deadline a fortnight on; closed `closed_after` days after it was found."""
    found = timezone.now() - dt.timedelta(days=days)
    Hazard.objects.filter(pk=hazard.pk).update(found_at=found)
    rect = Rectification.objects.filter(hazard=hazard)
    rect.update(issued_at=found + dt.timedelta(days=1),
                deadline=(found + dt.timedelta(days=15)).date())  # fmt: skip
    if closed_after is not None:
        closed = found + dt.timedelta(days=closed_after)
        rect.update(completed_at=closed - dt.timedelta(days=1))
        Hazard.objects.filter(pk=hazard.pk).update(closed_at=closed)
        Verification.objects.filter(hazard=hazard).update(verified_at=closed)


@transaction.atomic
def load_hazards() -> dict:
    site = Site.objects.get(code="DC-MAIN")
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["bcm", "coord_it", "contrib_itops"])
    }
    bcm, coord, engineer = users["bcm"], users["coord_it"], users["contrib_itops"]
    templates_seed(actor=bcm)
    if InspectionRound.objects.filter(site=site).exists():
        return _counts()
    power = ChecklistTemplate.objects.get(code="POWER")
    network = ChecklistTemplate.objects.get(code="NETWORK")
    today = timezone.localdate()
    for template, frequency in ((power, "weekly"), (network, "daily")):
        services.schedule_create(
            actor=bcm,
            template=template,
            site=site,
            frequency=frequency,
            inspector=engineer,
            next_due=today,
        )
    network_engineer = Person.objects.filter(unit__code="IT-OPS", title="网络工程师").first()
    duty = Person.objects.filter(unit__code="IT-OPS", title="值班工程师").first()

    # The power round three weeks ago: a general hazard, fixed, verified and closed.
    first = services.round_create(
        actor=bcm,
        template=power,
        site=site,
        inspector=engineer,
        due_date=today - dt.timedelta(days=21),
    )
    battery = first.items.get(position=3)
    answers = {i.pk: ("pass", "") for i in first.items.all() if i.pk != battery.pk}
    services.round_answer(actor=engineer, round=first, answers=answers)
    general = services.hazard_report(
        actor=engineer,
        round=first,
        item=battery,
        grade="general",
        title="UPS 2号电池组第7节电池鼓包",
        description="2号电池组第7节外壳明显鼓包,单体电压偏低0.3V。",
        location="一层配电室UPS间",
        photos=[_photo("电池鼓包.jpg", (230, 160, 40))],
    )
    services.round_complete(actor=engineer, round=first)
    services.rectification_issue(
        actor=coord,
        hazard=general,
        responsible=duty,
        measures="更换2号电池组第7节电池,并对整组做核对性放电测试。",
        funding_amount="1800.00",
        funding_source="运维中心年度维保预算",
        deadline=today + dt.timedelta(days=1),
        contingency="整改完成前UPS保持旁路可切换状态,值班人员每4小时检查一次电池温度。",
    )
    services.rectification_report(
        actor=engineer,
        hazard=general,
        note="已更换电池并完成放电测试,电压正常。",
        photos=[_photo("更换后.jpg", (60, 170, 90))],
    )
    services.hazard_verify(
        actor=coord,
        hazard=general,
        passed=True,
        note="现场复查:新电池安装牢固,整组电压正常,同意销号。",
    )
    _back_date(general, 21, closed_after=9)

    # The network-room round twelve days ago: a major hazard, its order overdue.
    second = services.round_create(
        actor=bcm,
        template=network,
        site=site,
        inspector=engineer,
        due_date=today - dt.timedelta(days=20),
    )
    core = second.items.get(position=1)
    answers = {i.pk: ("pass", "") for i in second.items.all() if i.pk != core.pk}
    answers[core.pk] = ("fail", "B路电源模块告警")
    services.round_answer(actor=engineer, round=second, answers=answers)
    major = services.hazard_report(
        actor=engineer,
        round=second,
        item=core,
        grade="major",
        title="核心交换机单电源运行",
        description="核心交换机CS-01的B路电源模块故障,设备仅靠A路电源运行,存在单点故障。",
        location="三层网络机房A排5号机柜",
        photos=[_photo("电源模块告警.jpg", (210, 50, 50))],
    )
    services.round_complete(actor=engineer, round=second)
    services.rectification_issue(
        actor=coord,
        hazard=major,
        responsible=network_engineer,
        measures="联系厂商更换B路电源模块,更换后做双电源切换测试。",
        funding_amount="26000.00",
        funding_source="信息科技部专项维修资金",
        deadline=today + dt.timedelta(days=1),
        contingency="启用《网络中断应急预案》;备用核心交换机CS-02保持热备,值班人员每2小时巡检一次。",
    )
    # The BCM office promotes it to a risk of the register (网络中断, rated high, 4 × 4).
    services.hazard_promote(actor=bcm, hazard=major, likelihood=4, impact=4)
    # Found 20 days ago, the order was due five days ago (back-dated after the fact).
    _back_date(major, 20)
    services.rounds_schedule(today)  # today's rounds on the engineer's list
    return _counts()


def _counts() -> dict:
    return {"rounds": InspectionRound.objects.count(), "hazards": Hazard.objects.count()}
