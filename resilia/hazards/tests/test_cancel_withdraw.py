"""Cancelling and deleting inspection rounds, withdrawing a hazard recorded by mistake:
through the services and the pages, the reason kept, audited, refused when the record has
moved on (answers recorded, rectification started), buttons only for those allowed. The
messages are asserted as users read them by default, in Chinese."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from resilia.audit.models import AuditEvent
from resilia.hazards import selectors, services
from resilia.hazards.models import Hazard, HazardStatus, InspectionRound, Result, RoundStatus
from resilia.hazards.tests.conftest import issue

pytestmark = pytest.mark.django_db


def events(action, obj):
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )


@pytest.fixture
def found(hz):
    return services.hazard_report(
        actor=hz["inspector"], round=hz["round"], grade="general", title="机柜门未锁",
        description="3号机柜门未上锁", location="机房A区",
    )  # fmt: skip


# Rounds ----------------------------------------------------------------------------------


def test_it_cancels_a_round_with_its_reason_kept_and_no_longer_due(hz, personas):
    round_ = hz["round"]
    assert selectors.overview(hz["inspector"])["due_today"]  # due today before
    services.round_cancel(actor=personas["coord_a"], round=round_, reason="机房改造停用")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CANCELLED
    assert round_.cancel_reason == "机房改造停用" and round_.cancelled_at is not None
    event = events("inspect_cancel", round_).get()
    assert event.changes["status"] == ["planned", "cancelled"]
    assert event.changes["cancel_reason"] == ["", "机房改造停用"]
    # Not due, not overdue, and its checklist is closed.
    assert list(selectors.overview(hz["inspector"])["due_today"]) == []
    with pytest.raises(ValidationError, match="该巡检已取消"):
        services.round_answer(
            actor=hz["inspector"], round=round_,
            answers={round_.items.first().pk: (Result.PASS, "")},
        )  # fmt: skip


def test_a_cancellation_needs_a_reason_and_a_completed_round_stays(hz, personas):
    round_ = hz["round"]
    with pytest.raises(ValidationError) as exc:
        services.round_cancel(actor=personas["coord_a"], round=round_, reason="  ")
    assert "reason" in exc.value.message_dict
    assert InspectionRound.objects.get(pk=round_.pk).status == RoundStatus.PLANNED
    services.round_answer(
        actor=hz["inspector"], round=round_,
        answers={i.pk: (Result.PASS, "") for i in round_.items.all()},
    )  # fmt: skip
    services.round_complete(actor=hz["inspector"], round=round_)
    with pytest.raises(ValidationError, match="巡检已完成"):
        services.round_cancel(actor=personas["coord_a"], round=round_, reason="x")
    assert not events("inspect_cancel", round_).exists()


def test_it_deletes_a_round_only_while_nothing_is_recorded(hz, personas, found):
    round_ = hz["round"]
    with pytest.raises(ValidationError, match="请取消它，而不是删除"):
        services.round_delete(actor=personas["coord_a"], round=round_)
    assert InspectionRound.objects.filter(pk=round_.pk).exists()
    empty = services.round_create(
        actor=personas["manager"], template=hz["network"], site=hz["site"],
        inspector=hz["inspector"], due_date=timezone.localdate(),
    )  # fmt: skip
    services.round_delete(actor=personas["coord_a"], round=empty)
    assert not InspectionRound.objects.filter(pk=empty.pk).exists()
    event = AuditEvent.objects.get(
        action="delete", object_type="hazards.inspectionround", object_id=str(empty.pk)
    )
    assert event.actor_id == personas["coord_a"].pk


def test_the_round_page_offers_cancel_and_delete_to_planners_only(hz, client_for):
    url = hz["round"].get_absolute_url()
    inspector_page = client_for("contrib_a").get(url).content.decode()
    assert 'data-testid="cancel-submit"' not in inspector_page
    assert 'data-testid="delete-round"' not in inspector_page
    page = client_for("coord_a").get(url).content.decode()
    assert 'data-testid="cancel-submit"' in page and 'data-testid="delete-round"' in page
    cancel = reverse("hazards:round_cancel", args=[hz["round"].pk])
    assert client_for("contrib_a").post(cancel, {"cancel-reason": "x"}).status_code == 403
    assert client_for("coord_b").post(cancel, {"reason": "x"}).status_code == 404
    delete = reverse("hazards:round_delete", args=[hz["round"].pk])
    assert client_for("contrib_a").post(delete).status_code == 403


def test_cancelling_through_the_page_without_a_reason_is_a_400(hz, client_for):
    coord = client_for("coord_a")
    cancel = reverse("hazards:round_cancel", args=[hz["round"].pk])
    response = coord.post(cancel, {"reason": ""})
    assert response.status_code == 400
    assert "请说明取消该巡检的原因" in response.content.decode()
    assert InspectionRound.objects.get(pk=hz["round"].pk).status == RoundStatus.PLANNED
    assert coord.post(cancel, {"reason": "设备已拆除"}).status_code == 302
    page = coord.get(hz["round"].get_absolute_url()).content.decode()
    assert "设备已拆除" in page and 'data-testid="cancel-submit"' not in page


def test_deleting_a_round_with_answers_through_the_page_is_refused(hz, client_for, found):
    coord = client_for("coord_a")
    page = coord.get(hz["round"].get_absolute_url()).content.decode()
    assert 'data-testid="delete-round"' not in page  # a hazard is recorded on it
    response = coord.post(reverse("hazards:round_delete", args=[hz["round"].pk]), follow=True)
    assert "请取消它，而不是删除" in response.content.decode()
    assert InspectionRound.objects.filter(pk=hz["round"].pk).exists()


# Hazards ---------------------------------------------------------------------------------


def test_it_withdraws_a_hazard_recorded_by_mistake(hz, found):
    services.hazard_withdraw(actor=hz["inspector"], hazard=found, reason="重复登记")
    found.refresh_from_db()
    assert found.status == HazardStatus.WITHDRAWN and not found.is_open
    assert found.withdraw_reason == "重复登记" and found.withdrawn_at is not None
    event = events("hazard_withdraw", found).get()
    assert event.changes["status"] == ["open", "withdrawn"]
    assert Hazard.objects.filter(pk=found.pk).exists()  # kept, not deleted
    assert selectors.overview(hz["inspector"])["open_total"] == 0


def test_a_withdrawal_needs_a_reason(hz, found):
    with pytest.raises(ValidationError) as exc:
        services.hazard_withdraw(actor=hz["inspector"], hazard=found, reason="")
    assert "reason" in exc.value.message_dict
    assert Hazard.objects.get(pk=found.pk).status == HazardStatus.OPEN


def test_a_hazard_under_rectification_cannot_be_withdrawn(hz, personas, people, found):
    issue(found, personas["coord_a"], people["bob"])
    with pytest.raises(ValidationError, match="该隐患已开始整改"):
        services.hazard_withdraw(actor=personas["coord_a"], hazard=found, reason="误报")
    assert Hazard.objects.get(pk=found.pk).status == HazardStatus.RECTIFYING
    assert not events("hazard_withdraw", found).exists()


def test_the_withdraw_button_and_its_refusal_on_the_page(hz, client_for, personas, people, found):
    url = found.get_absolute_url()
    withdraw = reverse("hazards:hazard_withdraw", args=[found.pk])
    assert 'data-testid="withdraw-submit"' in client_for("contrib_a").get(url).content.decode()
    assert client_for("auditor").post(withdraw, {"reason": "x"}).status_code == 403
    assert 'data-testid="withdraw-submit"' not in client_for("auditor").get(url).content.decode()
    issue(found, personas["coord_a"], people["bob"])
    coord = client_for("coord_a")
    assert 'data-testid="withdraw-submit"' not in coord.get(url).content.decode()
    response = coord.post(withdraw, {"reason": "误报"})
    assert response.status_code == 400
    assert "不能再撤销" in response.content.decode()
    assert Hazard.objects.get(pk=found.pk).status == HazardStatus.RECTIFYING


def test_withdrawing_through_the_page_shows_the_reason(hz, client_for, found):
    client = client_for("contrib_a")
    withdraw = reverse("hazards:hazard_withdraw", args=[found.pk])
    response = client.post(withdraw, {"reason": ""})
    assert response.status_code == 400 and "请说明撤销该隐患的原因" in response.content.decode()
    assert client.post(withdraw, {"reason": "误报,门已锁好"}).status_code == 302
    page = client.get(found.get_absolute_url()).content.decode()
    assert 'data-testid="withdrawn"' in page and "误报,门已锁好" in page
