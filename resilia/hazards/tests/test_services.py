"""The closed loop through the services: checklist, answers, hazard with photo, the order
with its 五落实, verification and closing, reopening; database state and audit rows."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.evidence.models import Attachment
from resilia.evidence.services import attachments_for
from resilia.hazards import services
from resilia.hazards.models import (
    Hazard,
    HazardStatus,
    InspectionRound,
    Rectification,
    Result,
    RoundStatus,
    Verification,
)
from resilia.hazards.tests.conftest import issue, photo, stored_files

pytestmark = pytest.mark.django_db


def events(action, obj=None):
    rows = AuditEvent.objects.filter(action=action)
    if obj is not None:
        rows = rows.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return rows


def answer_all(round_, actor, result=Result.PASS):
    answers = {i.pk: (result, "") for i in round_.items.all()}
    return services.round_answer(actor=actor, round=round_, answers=answers)


def test_it_copies_the_checklist_and_keeps_it_when_the_template_changes(hz, personas):
    """Copy-on-edit: a finished round keeps the checks it was made with."""
    round_ = hz["round"]
    before = [i.text for i in round_.items.all()]
    assert len(before) == hz["network"].items.count() == 6
    answer_all(round_, hz["inspector"])
    services.round_complete(actor=hz["inspector"], round=round_)
    services.template_save(
        actor=personas["manager"], template=hz["network"], items=[("只检查一项", "One check")]
    )
    hz["network"].refresh_from_db()
    assert hz["network"].version == 2 and hz["network"].items.count() == 1
    assert [i.text for i in round_.items.all()] == before
    assert InspectionRound.objects.get(pk=round_.pk).template_version == 1
    assert events("update", hz["network"]).filter(changes__has_key="items").exists()


def test_it_refuses_an_answer_for_an_item_not_on_the_round(hz, personas):
    """Bad input (issue 10): a checklist answer for an item that is not on it; nothing saved."""
    other = services.round_create(
        actor=personas["manager"],
        template=hz["network"],
        site=hz["site"],
        inspector=hz["inspector"],
        due_date=hz["today"],
    )
    round_ = hz["round"]
    foreign = other.items.first()
    mine = round_.items.first()
    with pytest.raises(ValidationError) as exc:
        services.round_answer(
            actor=hz["inspector"],
            round=round_,
            answers={mine.pk: (Result.PASS, ""), foreign.pk: (Result.PASS, "")},
        )
    assert "不在本次巡检" in str(exc.value)  # the translated message
    mine.refresh_from_db()
    assert mine.result == Result.PENDING  # nothing half-saved
    assert not events("inspect_answer").exists()
    with pytest.raises(ValidationError):
        services.round_answer(actor=hz["inspector"], round=round_, answers={"x": ("pass", "")})
    with pytest.raises(ValidationError):
        services.round_answer(actor=hz["inspector"], round=round_, answers={mine.pk: ("ok", "")})


def test_it_completes_a_round_only_when_every_check_is_answered(hz):
    round_ = hz["round"]
    first = round_.items.first()
    services.round_answer(actor=hz["inspector"], round=round_, answers={first.pk: ("na", "")})
    round_.refresh_from_db()
    assert round_.status == RoundStatus.IN_PROGRESS and round_.started_at
    with pytest.raises(ValidationError, match="还剩 5 项"):
        services.round_complete(actor=hz["inspector"], round=round_)
    answer_all(round_, hz["inspector"])
    services.round_complete(actor=hz["inspector"], round=round_)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.COMPLETED
    assert events("inspect_complete", round_).count() == 1
    with pytest.raises(ValidationError, match="已完成"):
        answer_all(round_, hz["inspector"], Result.FAIL)


def test_it_records_a_hazard_with_a_photo_stripped_of_its_metadata(hz):
    round_ = hz["round"]
    item = round_.items.get(position=3)
    with request_context(source="test"):
        hazard = services.hazard_report(
            actor=hz["inspector"],
            round=round_,
            item=item,
            grade="major",
            title="防火墙主备切换失败",
            description="备机心跳线松动,主备状态异常",
            location="三层网络机房A排5号机柜",
            photos=[photo()],
        )
    assert hazard.site == hz["site"] and hazard.status == HazardStatus.OPEN
    item.refresh_from_db()
    assert item.result == Result.FAIL
    [attachment] = attachments_for(hazard)
    assert attachment.mime_type == "image/jpeg"
    with storages["evidence"].open(attachment.stored_name) as stored:
        image = Image.open(stored)
        assert 0x0110 not in image.getexif()  # the camera model is gone
    assert events("hazard_report", hazard).count() == 1
    assert events("upload", hazard).count() == 1
    assert hazard.number.startswith("YH")


def test_it_refuses_a_file_that_is_not_a_photo_and_saves_nothing(hz, evidence_dir):
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    fake = SimpleUploadedFile("fake.jpg", b"MZ\x90\x00not a jpeg", content_type="image/jpeg")
    for bad in (pdf, fake):
        with pytest.raises(ValidationError):
            services.hazard_report(
                actor=hz["inspector"],
                round=hz["round"],
                grade="general",
                title="t",
                description="d",
                location="l",
                photos=[bad],
            )
    assert not Hazard.objects.exists() and not Attachment.objects.exists()
    assert stored_files(evidence_dir) == []


def test_it_refuses_a_hazard_for_a_check_of_another_round(hz, personas):
    other = services.round_create(
        actor=personas["manager"],
        template=hz["network"],
        site=hz["site"],
        inspector=hz["inspector"],
        due_date=hz["today"],
    )
    with pytest.raises(ValidationError, match="不在本次巡检"):
        services.hazard_report(
            actor=hz["inspector"], round=hz["round"], item=other.items.first(),
            grade="general", title="t", description="d", location="l",
        )  # fmt: skip
    assert not Hazard.objects.exists()


@pytest.fixture
def hazard(hz):
    return services.hazard_report(
        actor=hz["inspector"],
        round=hz["round"],
        grade="general",
        title="UPS蓄电池鼓包",
        description="2号电池组第7节外壳鼓包",
        location="一层配电室",
        photos=[photo()],
    )


@pytest.mark.parametrize(
    "missing",
    ["responsible", "measures", "funding_amount", "funding_source", "deadline", "contingency"],
)
def test_it_refuses_an_order_missing_any_of_the_five(hz, personas, people, hazard, missing):
    """五落实: responsible person, measures, funding, deadline and contingency plan are all
    required before the order is issued (issue 10: a rectification without a deadline)."""
    blank = None if missing in ("responsible", "funding_amount", "deadline") else "  "
    with pytest.raises(ValidationError) as exc:
        issue(hazard, personas["coord_a"], people["alice"], **{missing: blank})
    assert missing in exc.value.message_dict
    assert not Rectification.objects.exists()
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.OPEN


def test_it_refuses_a_deadline_in_the_past(hz, personas, people, hazard):
    with pytest.raises(ValidationError) as exc:
        issue(hazard, personas["coord_a"], people["alice"], deadline=hz["today"] - dt.timedelta(1))
    assert "deadline" in exc.value.message_dict
    assert not Rectification.objects.exists()


def test_the_loop_issue_report_verify_close(hz, personas, people, hazard):
    coord = personas["coord_a"]
    rect = issue(hazard, coord, people["bob"])  # 李娜 is the inspector's own person
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING and rect.issued_by == coord
    assert events("rectify_issue", rect).count() == 1
    services.rectification_report(
        actor=hz["inspector"],
        hazard=hazard,
        note="已更换电池组",
        photos=[photo("fixed.png", "PNG")],
    )
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.VERIFYING
    assert events("rectify_report", rect).count() == 1
    # The responsible person cannot sign their own fix off.
    with pytest.raises(ValidationError, match="不能是整改责任人"):
        services.hazard_verify(actor=hz["inspector"], hazard=hazard, passed=True, note="ok")
    verification = services.hazard_verify(
        actor=hz["verifier"], hazard=hazard, passed=True, note="现场复查,电池组电压正常"
    )
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED and hazard.closed_at == verification.verified_at
    assert events("rectify_accept", verification).count() == 1
    with pytest.raises(ValidationError):
        services.hazard_update(actor=coord, hazard=hazard, title="x")


def test_a_rejected_fix_reopens_the_hazard(hz, personas, people, hazard):
    issue(hazard, personas["coord_a"], people["bob"])
    services.rectification_report(actor=hz["inspector"], hazard=hazard, note="已处理")
    with pytest.raises(ValidationError) as exc:  # accepting needs a photo of the fix
        services.hazard_verify(actor=hz["verifier"], hazard=hazard, passed=True, note="ok")
    assert "photos" in exc.value.message_dict
    services.hazard_verify(actor=hz["verifier"], hazard=hazard, passed=False, note="仍有鼓包")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.rectification.completed_at is None
    assert Verification.objects.filter(hazard=hazard, passed=False).count() == 1
    assert events("rectify_reject").count() == 1
    # A revised order (new deadline) keeps the same order row.
    issue(hazard, personas["coord_a"], people["bob"], deadline=hz["today"] + dt.timedelta(30))
    assert Rectification.objects.count() == 1


def test_promotion_data_names_what_a_risk_needs(hz, hazard):
    data = services.hazard_promotion_data(hazard)
    assert data["title"] == "UPS蓄电池鼓包" and data["site"] == hz["site"]
    assert data["threat_name"] == "网络中断" and data["grade"] == "general"
    assert set(data) >= {"description", "cause", "resource", "threat_name_en"}


def test_it_refuses_negative_funding(hz, personas, people, hazard):
    with pytest.raises(ValidationError) as exc:
        issue(hazard, personas["coord_a"], people["alice"], funding_amount="-1")
    assert "funding_amount" in exc.value.message_dict
    assert not Rectification.objects.exists()
