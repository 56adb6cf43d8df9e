"""The life of a plan: from a template, signed by 编制人 / 审核人 / 批准人, published,
superseded; the checks that refuse bad input (issue 11 items 3-5, "Bad input")."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from resilia.audit.models import AuditEvent
from resilia.plans import content as c
from resilia.plans import services
from resilia.plans.models import Plan, PlanVersion, Signature, Status
from resilia.plans.tests.conftest import PASSWORD, sign_off


def events(obj, action):
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


def test_it_writes_a_plan_from_the_template_with_its_critical_path(plan_setup):
    """The network template: detect 10 → report 5 → switch 20 ∥ notify 15 → verify 15 →
    declare 10 = 60 min best case (the seeds' 一个小时 RTO), preparation, the return to the
    normal site and the review left out of the time to recover."""
    v = plan_setup["version"]
    assert v.status == Status.DRAFT and v.number == 1
    content = v.content
    assert content["activation"]["criteria"][0].startswith("核心网络")
    assert [s["phase"] for s in content["steps"]][:2] == ["preparation", "response"]
    assert v.schedule["best"] == 60
    assert v.schedule["critical_path"] == ["S2", "S3", "S4", "S6", "S7"]
    assert v.schedule["activities"][str(plan_setup["pay"].pk)]["best"] == 60
    assert events(plan_setup["plan"], "create").count() == 1


def test_it_signs_reviews_approves_and_publishes_with_hashes(plan_setup, personas):
    v = sign_off(plan_setup, personas)
    assert v.status == Status.PUBLISHED and v.published_at
    sigs = list(v.signatures.order_by("signed_at"))
    assert [s.role for s in sigs] == ["author", "reviewer", "approver"]
    digest = c.sha256(services.canonical_text(v))
    assert {s.sha256 for s in sigs} == {digest} and v.content_sha256 == digest
    assert len({s.user_id for s in sigs}) == 3
    assert events(v, "sign").count() == 3
    assert events(v, "publish").count() == 1
    plan = Plan.objects.get(pk=v.plan_id)
    assert plan.status == Status.PUBLISHED
    assert plan.next_review == services.add_months(dt.date.today(), 12)


def test_it_refuses_a_wrong_password_and_signs_nothing(plan_setup, personas):
    v = plan_setup["version"]
    with pytest.raises(ValidationError) as exc:
        services.version_submit(actor=personas["coord_a"], version=v, password="wrong")
    assert "password" in exc.value.message_dict
    v.refresh_from_db()
    assert v.status == Status.DRAFT and not Signature.objects.exists()


def test_it_refuses_the_same_person_signing_twice(plan_setup, personas):
    """The author may not also review: manager writes the draft and submits it, then tries
    to review it."""
    v = plan_setup["version"]
    services.version_submit(actor=personas["manager"], version=v, password=PASSWORD)
    with pytest.raises(ValidationError) as exc:
        services.version_review(actor=personas["manager"], version=v, password=PASSWORD)
    assert exc.value.code == "same_signer"
    assert v.signatures.count() == 1


def test_it_refuses_signatures_without_the_role(plan_setup, personas):
    v = plan_setup["version"]
    services.version_submit(actor=personas["coord_a"], version=v, password=PASSWORD)
    with pytest.raises(PermissionDenied):  # a coordinator is not the BCM office
        services.version_review(actor=personas["coord_b"], version=v, password=PASSWORD)
    services.version_review(actor=personas["manager"], version=v, password=PASSWORD)
    with pytest.raises(PermissionDenied):  # the auditor is not the unit's head
        services.version_approve(actor=personas["auditor"], version=v, password=PASSWORD)
    assert v.signatures.count() == 2


def test_it_refuses_to_change_a_published_version(plan_setup, personas):
    v = sign_off(plan_setup, personas)
    with pytest.raises(ValidationError) as exc:
        services.version_update(actor=personas["manager"], version=v, content=c.empty())
    assert exc.value.code == "frozen"
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.filter(pk=v.pk).update(content={"purpose": "x"})


def test_it_refuses_a_cycle_and_an_unknown_placeholder(plan_setup, personas):
    v = plan_setup["version"]
    body = c.normalised(v.content)
    body["steps"][1]["after"] = ["S7"]  # S2 waits for S7, which waits for S6 ... for S2
    with pytest.raises(ValidationError) as exc:
        services.version_update(actor=personas["coord_a"], version=v, content=body)
    assert "S7 → S2 → S3" in exc.value.message_dict["steps"][0]  # the cycle, named
    body = c.normalised(v.content)
    body["steps"][1]["after"] = ["S2"]
    with pytest.raises(ValidationError) as exc:
        services.version_update(actor=personas["coord_a"], version=v, content=body)
    assert "S2" in exc.value.message_dict["steps"][0]
    body = c.normalised(v.content)
    body["communications"][0]["body"] += " {ceo_mobile}"
    with pytest.raises(ValidationError) as exc:
        services.version_update(actor=personas["coord_a"], version=v, content=body)
    assert "{ceo_mobile}" in exc.value.message_dict["communications"][0]
    v.refresh_from_db()
    assert v.content == plan_setup["version"].content


def test_it_recomputes_the_critical_path_on_change_and_marks_it_late(plan_setup, personas):
    """Switching to the backup line now takes 45 min: 10+5+45+15+10 = 85 min > RTO 60."""
    from resilia.plans import selectors

    v = plan_setup["version"]
    body = c.normalised(v.content)
    body["steps"][3]["minutes"] = 45
    services.version_update(actor=personas["coord_a"], version=v, content=body)
    v.refresh_from_db()
    assert v.schedule["best"] == 85
    [row] = selectors.activity_paths(v)
    assert row.late and row.best == 85 and row.rto == 60
    assert events(v, "update").exists()


def test_it_returns_for_changes_then_starts_a_new_version_after_publication(plan_setup, personas):
    v = plan_setup["version"]
    services.version_submit(actor=personas["coord_a"], version=v, password=PASSWORD)
    with pytest.raises(ValidationError):
        services.version_return(actor=personas["manager"], version=v, comment="")
    services.version_return(actor=personas["manager"], version=v, comment="补充报告路径")
    v.refresh_from_db()
    assert v.status == Status.DRAFT and not v.signatures.exists()
    # One audit event for the one return: the status change and the reviewer's comment.
    (returned,) = events(v, "return")
    assert returned.changes["status"] == [Status.IN_REVIEW, Status.DRAFT]
    assert returned.changes["comment"] == [None, "补充报告路径"]
    v = sign_off(plan_setup, personas)
    with pytest.raises(ValidationError):
        services.version_new(actor=personas["coord_a"], plan=v.plan, change_note=" ")
    v2 = services.version_new(actor=personas["coord_a"], plan=v.plan, change_note="年度修订")
    assert v2.number == 2 and v2.content == v.content
    assert list(v2.activities.all()) == [plan_setup["pay"]]
    with pytest.raises(ValidationError):
        services.version_new(actor=personas["coord_a"], plan=v.plan, change_note="again")
    services.version_submit(actor=personas["coord_a"], version=v2, password=PASSWORD)
    services.version_review(actor=personas["manager"], version=v2, password=PASSWORD)
    services.version_approve(actor=plan_setup["head_a"], version=v2, password=PASSWORD)
    services.version_publish(actor=personas["admin"], version=v2)
    v.refresh_from_db()
    assert v.status == Status.SUPERSEDED


def test_it_tracks_acknowledgements_of_the_distribution_list(plan_setup, personas, people):
    from resilia.plans import readiness

    v = sign_off(plan_setup, personas)
    plan = v.plan
    services.plan_update(actor=personas["manager"], plan=plan, distribution=[people["bob"]])
    r = readiness.readiness(plan)
    assert {line.code: line.ok for line in r.lines} == {
        "review": True,
        "contacts": False,
        "rto": True,
        "acks": False,
    }
    assert r.score == 50
    services.version_acknowledge(actor=personas["contrib_a"], version=v)  # bob's user
    services.plan_contacts_verify(actor=personas["coord_a"], plan=plan)
    plan.refresh_from_db()
    assert readiness.readiness(plan).score == 100
    with pytest.raises(ValidationError):  # coord_b is linked to nobody on the list
        services.version_acknowledge(actor=personas["coord_b"], version=v)
    assert events(v, "acknowledge").count() == 1
