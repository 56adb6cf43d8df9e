"""The pages: the inspector fills the checklist and records a hazard with a photo, the
coordinator issues the order, the fix is reported and verified; registers with their
filters, exports and query-count guards; the ledger as DOCX and PDF; bad input refused."""

import datetime as dt
import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document as Docx

from resilia.audit.models import AuditEvent
from resilia.hazards import services
from resilia.hazards.models import Hazard, HazardStatus, Rectification, Result, RoundStatus
from resilia.hazards.tests.conftest import issue, photo

pytestmark = pytest.mark.django_db


def test_the_inspector_fills_the_checklist_and_records_a_hazard(hz, client_for):
    client = client_for("contrib_a")
    round_ = hz["round"]
    url = round_.get_absolute_url()
    page = client.get(url)
    assert page.status_code == 200 and 'name="result_' in page.content.decode()
    items = list(round_.items.all())
    data = {f"result_{i.pk}": "pass" for i in items}
    data[f"result_{items[2].pk}"] = "fail"
    data[f"remark_{items[2].pk}"] = "备机心跳线松动"
    assert client.post(url, data).status_code == 302
    assert round_.items.filter(result=Result.FAIL).get().remark == "备机心跳线松动"
    response = client.post(
        reverse("hazards:hazard_create", args=[round_.pk]),
        {
            "item": items[2].pk,
            "grade": "major",
            "title": "防火墙主备切换异常",
            "description": "备机心跳线松动",
            "location": "三层网络机房A排5号机柜",
            "photos": [photo(), photo("second.png", "PNG")],
        },
    )
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.item == items[2] and hazard.grade == "major"
    assert AuditEvent.objects.filter(action="upload", object_id=str(hazard.pk)).count() == 2
    assert client.post(reverse("hazards:round_complete", args=[round_.pk])).status_code == 302
    round_.refresh_from_db()
    assert round_.status == RoundStatus.COMPLETED
    detail = client.get(hazard.get_absolute_url())
    assert detail.status_code == 200 and "hazard-photos" in detail.content.decode()


def test_an_answer_for_a_check_not_on_the_round_is_a_400_and_saves_nothing(hz, client_for):
    client = client_for("contrib_a")
    round_ = hz["round"]
    mine = round_.items.first()
    response = client.post(
        round_.get_absolute_url(), {f"result_{mine.pk}": "pass", "result_999999": "pass"}
    )
    assert response.status_code == 400
    assert "999999" in response.content.decode()
    mine.refresh_from_db()
    assert mine.result == Result.PENDING
    assert not AuditEvent.objects.filter(action="inspect_answer").exists()


def test_a_round_of_another_unit_is_out_of_reach(hz, client_for):
    url = hz["round"].get_absolute_url()
    assert client_for("coord_b").get(url).status_code == 404
    assert client_for("auditor").get(url).status_code == 200
    assert client_for("auditor").post(url, {}).status_code == 403
    assert client_for("executive").get(url).status_code == 403


@pytest.fixture
def reported(hz):
    return services.hazard_report(
        actor=hz["inspector"], round=hz["round"], grade="general", title="UPS蓄电池鼓包",
        description="2号电池组第7节外壳鼓包", location="一层配电室", photos=[photo()],
    )  # fmt: skip


def test_the_order_needs_its_five_items(hz, client_for, people, reported):
    client = client_for("coord_a")
    url = reverse("hazards:rectification_issue", args=[reported.pk])
    response = client.post(url, {"responsible": people["alice"].pk, "measures": "更换电池"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Set the rectification deadline." in text or "请设定整改期限" in text
    assert not Rectification.objects.exists()
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(url, {
        "responsible": people["bob"].pk, "measures": "更换2号电池组", "funding_amount": "12000",
        "funding_source": "运维预算", "deadline": deadline, "contingency": "每日巡查,发电机待命",
    })  # fmt: skip
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.status == HazardStatus.RECTIFYING


def test_the_fix_is_reported_and_verified_through_the_pages(hz, client_for, people, reported):
    issue(reported, hz["verifier"], people["bob"])
    inspector = client_for("contrib_a")  # 李娜, the responsible person
    fixed = reverse("hazards:rectification_report", args=[reported.pk])
    assert inspector.post(fixed, {"note": "已更换", "photos": [photo()]}).status_code == 302
    # The responsible person sees no sign-off form and may not post one.
    verify = reverse("hazards:hazard_verify", args=[reported.pk])
    assert inspector.post(verify, {"passed": "1", "note": "ok"}).status_code == 403
    coord = client_for("coord_a")
    assert coord.post(verify, {"passed": "1", "note": ""}).status_code == 400
    assert coord.post(verify, {"passed": "1", "note": "复查合格"}).status_code == 302
    reported.refresh_from_db()
    assert reported.status == HazardStatus.CLOSED


def test_the_hazard_page_has_one_element_for_each_id(hz, client_for, people, reported):
    """The coordinator sees "Add photos" next to the fix (and later the sign-off) form: each
    photos field has its own id, so each label opens its own file picker."""
    issue(reported, hz["verifier"], people["bob"])
    coord = client_for("coord_a")
    for status in (HazardStatus.RECTIFYING, HazardStatus.VERIFYING):
        Hazard.objects.filter(pk=reported.pk).update(status=status)
        text = coord.get(reported.get_absolute_url()).content.decode()
        ids = re.findall(r' id="([^"]+)"', text)
        assert "id_add_photos" in ids and "id_photos" in ids
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_date_pickers_show_the_stored_date_in_chinese(hz, client_for, people, reported):
    """An edit page in Chinese shows the stored dates: a date input takes ISO 8601 only
    (the Chinese input format 2026/12/02 left the picker empty and the save refused)."""
    rect = issue(reported, hz["verifier"], people["bob"])
    coord = client_for("coord_a")
    text = coord.get(reported.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'name="deadline" value="{rect.deadline.isoformat()}"' in text
    due = hz["round"].due_date
    schedule = services.schedule_create(actor=hz["verifier"], template=hz["round"].template,
                                        site=hz["round"].site, resource=None, frequency="weekly",
                                        inspector=hz["round"].inspector, next_due=due,
                                        is_active=True)  # fmt: skip
    url = reverse("hazards:schedule_edit", args=[schedule.pk])
    text = coord.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "编辑" in text and f'value="{due.isoformat()}"' in text


def test_editing_a_schedule_saves_and_audits_the_change(hz, client_for):
    """The schedule's edit page changes its frequency (it silently saved nothing: the model
    form had already written the posted values onto the instance the service compared)."""
    round_ = hz["round"]
    schedule = services.schedule_create(
        actor=hz["verifier"], template=round_.template, site=round_.site, frequency="weekly",
        inspector=round_.inspector, next_due=round_.due_date,
    )  # fmt: skip
    url = reverse("hazards:schedule_edit", args=[schedule.pk])
    response = client_for("coord_a").post(url, {
        "template": round_.template.pk, "site": round_.site.pk, "frequency": "monthly",
        "inspector": round_.inspector.pk, "next_due": round_.due_date.isoformat(),
        "is_active": "on",
    })  # fmt: skip
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.frequency == "monthly"
    event = AuditEvent.objects.get(action="update", object_id=str(schedule.pk),
                                   object_type="hazards.schedule")  # fmt: skip
    assert "frequency" in event.changes


def test_registers_filter_export_and_stay_cheap(hz, client_for, people, reported,
                                                 django_assert_max_num_queries):  # fmt: skip
    issue(reported, hz["verifier"], people["bob"])
    Rectification.objects.update(deadline=timezone.localdate() - dt.timedelta(days=3))
    client = client_for("manager")
    for name in ("hazard_list", "major_list", "overdue_list", "round_list", "schedule_list",
                 "template_list", "overview"):  # fmt: skip
        with django_assert_max_num_queries(20):
            assert client.get(reverse(f"hazards:{name}")).status_code == 200
    overdue = client.get(reverse("hazards:overdue_list")).content.decode()
    assert reported.number in overdue
    assert reported.number not in client.get(reverse("hazards:major_list")).content.decode()
    with django_assert_max_num_queries(20):
        export = client.get(reverse("hazards:hazard_list") + "?grade=general&export=xlsx")
    assert export.status_code == 200
    assert AuditEvent.objects.filter(action="export", object_type="hazards.hazard").exists()
    assert client.get(reverse("hazards:hazard_list") + "?age=bogus").status_code == 200


def test_the_ledger_opens_as_word_and_pdf(hz, client_for, people, reported):
    issue(reported, hz["verifier"], people["bob"])
    client = client_for("manager")
    docx = client.get(reverse("hazards:ledger", args=["docx"]))
    assert docx.status_code == 200
    text = "\n".join(
        cell.text for t in Docx(io.BytesIO(docx.content)).tables for r in t.rows for cell in r.cells
    )
    assert reported.number in text and "更换故障电源模块" in text
    pdf = client.get(reverse("hazards:ledger", args=["pdf"]) + "?grade=general")
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    flat = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert reported.number in flat  # (narrow columns wrap it)
    assert client.get(reverse("hazards:ledger", args=["exe"])).status_code == 404
    assert client.get(reverse("hazards:ledger", args=["pdf"]) + "?grade=bogus").status_code == 400
    assert AuditEvent.objects.filter(action="export", changes__report="ledger").count() == 2
    # A dept-B coordinator's ledger names none of dept A's hazards.
    other = client_for("coord_b").get(reverse("hazards:ledger", args=["docx"]))
    assert reported.number not in "\n".join(
        c.text for t in Docx(io.BytesIO(other.content)).tables for r in t.rows for c in r.cells
    )


def test_photos_are_served_only_to_readers(hz, client_for, reported):
    from resilia.evidence.services import attachments_for

    [attachment] = attachments_for(reported)
    url = reverse("hazards:photo", args=[attachment.pk])
    response = client_for("coord_a").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client_for("coord_b").get(url).status_code == 404
    assert client_for("coord_a").get(reverse("hazards:photo", args=["x"])).status_code == 404
