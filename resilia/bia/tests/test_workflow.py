"""The BIA workflow through its services: launch, fill, submit, return, fix, review, approve.

Rules: standards.md §2 rule 4 (MTPD derivation), §1.10 (RTO strictly less than MTPD), issue 9
items 2 and 4 (approved is locked; approval writes the objectives; an override needs a reason).
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from resilia.audit.models import AuditEvent
from resilia.bia import access
from resilia.bia import services as bia
from resilia.bia.models import Assessment, AssessmentSnapshot
from resilia.bia.tests.conftest import H, full_ratings
from resilia.core.context import request_context

# Default time points: 1h 2h 4h 8h 1d 2d 3d 1w 2w 1m. Legal reaches its threshold 4 at 8 h.
LEGAL = [1, 1, 3, 4, 4, 4, 5, 5, 5, 5]


@pytest.fixture
def launched(bia_setup, personas):
    with request_context(source="test"):
        n = bia.campaign_launch(actor=personas["manager"], campaign=bia_setup["campaign"])
    return n


def _pay(bia_setup):
    return Assessment.objects.get(campaign=bia_setup["campaign"], activity=bia_setup["pay"])


def test_launch_creates_one_assessment_per_activity_in_scope(bia_setup, launched, personas):
    """Scope DEPT-A: PAY (DEPT-A) and LOAN (its team), not BR (DEPT-B); the coordinator of
    DEPT-A is assigned where the activity's owner has no account."""
    assert launched == 2
    rows = Assessment.objects.filter(campaign=bia_setup["campaign"])
    assert {a.activity.code for a in rows} == {"PAY", "LOAN"}
    assert {a.assignee.username for a in rows} == {"coord_a"}
    assert AuditEvent.objects.filter(action="launch").count() == 1
    with pytest.raises(ValidationError):
        bia.campaign_launch(actor=personas["manager"], campaign=bia_setup["campaign"])


def test_the_whole_cycle_writes_the_approved_objectives(bia_setup, launched, personas):
    fw = bia_setup["framework"]
    a = _pay(bia_setup)
    coord, manager, head = personas["coord_a"], personas["manager"], bia_setup["head_a"]
    assert access.may_fill(coord, a) and not access.may_fill(personas["coord_b"], a)
    with request_context(source="test"):
        bia.assessment_save(
            actor=coord, assessment=a, ratings=full_ratings(fw, legal=LEGAL), rto=4 * H, rpo=15
        )
        assert a.derived_mtpd == 8 * H
        assert a.derived_drivers == [{"category": "legal", "rating": 4, "threshold": 4}]
        bia.assessment_submit(actor=coord, assessment=a)
        assert not access.may_fill(coord, a) and access.may_review(manager, a)
        with pytest.raises(ValidationError) as err:
            bia.assessment_return(actor=manager, assessment=a, comment="  ")
        assert "comment" in err.value.message_dict
        bia.assessment_return(actor=manager, assessment=a, comment="RPO 太长，请核实。")
        a.refresh_from_db()
        assert a.status == "returned" and a.rpo == 15 and a.version == 2  # answers kept
        bia.assessment_save(actor=coord, assessment=a, rpo=5)
        bia.assessment_submit(actor=coord, assessment=a)
        bia.assessment_review(actor=manager, assessment=a)
        assert not access.may_approve(manager, a) and access.may_approve(head, a)
        with pytest.raises(ValidationError) as err:
            bia.assessment_approve(actor=head, assessment=a, mtpd_override=6 * H)
        assert "override_reason" in err.value.message_dict
        bia.assessment_approve(
            actor=head, assessment=a, mtpd_override=6 * H, override_reason="监管要求当日恢复。"
        )
    a.refresh_from_db()
    pay = bia_setup["pay"]
    pay.refresh_from_db()
    assert (pay.mtpd, pay.rto, pay.rpo) == (6 * H, 4 * H, 5)
    assert a.derived_mtpd == 8 * H and a.mtpd_override == 6 * H  # both kept
    assert list(
        AssessmentSnapshot.objects.filter(assessment=a).values_list("version", flat=True)
    ) == [1, 2]
    with pytest.raises(ValidationError):
        bia.assessment_save(actor=coord, assessment=a, rpo=1)  # approved is locked
    assert not access.may_fill(personas["admin"], a)


def test_rto_equal_to_the_mtpd_is_refused(bia_setup, launched, personas):
    """§1.10: an RTO equal to the MTPD is refused; nothing is saved."""
    a = _pay(bia_setup)
    with pytest.raises(ValidationError) as err, request_context(source="test"):
        bia.assessment_save(
            actor=personas["coord_a"],
            assessment=a,
            ratings=full_ratings(bia_setup["framework"], legal=LEGAL),
            rto=8 * H,
        )
    assert "rto" in err.value.message_dict
    a.refresh_from_db()
    assert a.ratings == {} and a.rto is None


def test_an_override_may_not_make_the_rto_invalid(bia_setup, launched, personas):
    a = _pay(bia_setup)
    coord, manager, head = personas["coord_a"], personas["manager"], bia_setup["head_a"]
    with request_context(source="test"):
        bia.assessment_save(
            actor=coord,
            assessment=a,
            ratings=full_ratings(bia_setup["framework"], legal=LEGAL),
            rto=4 * H,
            rpo=15,
        )
        bia.assessment_submit(actor=coord, assessment=a)
        bia.assessment_review(actor=manager, assessment=a)
        with pytest.raises(ValidationError) as err:
            bia.assessment_approve(
                actor=head, assessment=a, mtpd_override=4 * H, override_reason="x"
            )
    assert "mtpd_override" in err.value.message_dict


@pytest.mark.parametrize(
    "lang,falls,off",
    [
        (
            "en",
            "Legal and regulatory, 4 h: the rating falls",
            "Legal and regulatory, 30 d: 9 is off",
        ),
        ("zh-hans", "法律与监管影响，4 小时：评级降为", "法律与监管影响，30 天：9 超出"),
    ],
)
def test_falling_and_off_scale_ratings_are_refused_naming_the_cell(
    bia_setup, launched, personas, lang, falls, off
):
    """§2 rule 2: a rating may not fall as time goes on; the message names the cell."""
    a = _pay(bia_setup)
    fw = bia_setup["framework"]
    with pytest.raises(ValidationError) as err, request_context(source="test"), override(lang):
        bia.assessment_save(
            actor=personas["coord_a"],
            assessment=a,
            ratings=full_ratings(fw, legal=[1, 3, 2, 4, 4, 4, 5, 5, 5, 9]),
        )
    text = " ".join(err.value.message_dict["ratings"])
    assert falls in text and off in text


def test_submission_needs_every_rating_and_the_objectives(bia_setup, launched, personas):
    a = _pay(bia_setup)
    with request_context(source="test"):
        bia.assessment_save(actor=personas["coord_a"], assessment=a, ratings={"legal": LEGAL})
        with pytest.raises(ValidationError) as err:
            bia.assessment_submit(actor=personas["coord_a"], assessment=a)
    assert {"ratings", "rto", "rpo"} <= set(err.value.message_dict)
    a.refresh_from_db()
    assert a.status == "draft"


def test_a_new_campaign_is_prefilled_from_the_last_approved(bia_setup, launched, personas):
    a = _pay(bia_setup)
    coord, manager, head = personas["coord_a"], personas["manager"], bia_setup["head_a"]
    fw = bia_setup["framework"]
    with request_context(source="test"):
        bia.assessment_save(
            actor=coord,
            assessment=a,
            ratings=full_ratings(fw, legal=LEGAL),
            rto=4 * H,
            rpo=15,
            mbco="50% of payments",
        )
        bia.assessment_submit(actor=coord, assessment=a)
        bia.assessment_review(actor=manager, assessment=a)
        bia.assessment_approve(actor=head, assessment=a)
        nxt = bia.campaign_create(
            actor=manager,
            code="BIA-2027",
            name="2027",
            period_start="2027-01-01",
            period_end="2027-12-31",
            deadline="2027-12-01",
            activities=[bia_setup["pay"]],
        )
        bia.campaign_launch(actor=manager, campaign=nxt)
    b = Assessment.objects.get(campaign=nxt)
    assert b.ratings["legal"] == LEGAL and b.rto == 4 * H and b.derived_mtpd == 8 * H
    assert b.status == "draft"


def test_a_framework_change_makes_a_new_version(bia_setup, launched, personas):
    fw = bia_setup["framework"]
    cats = [dict(c) for c in fw.categories]
    cats[0]["threshold"] = 3
    with request_context(source="test"):
        new = bia.framework_save(
            actor=personas["manager"], categories=cats, time_points=fw.time_points, tiers=fw.tiers
        )
        with pytest.raises(ValidationError) as err:
            bia.framework_save(
                actor=personas["manager"],
                categories=cats,
                time_points=[60, 240, 120],
                tiers=fw.tiers,
            )
    assert new.number == fw.number + 1
    assert "time_points" in err.value.message_dict
    assert _pay(bia_setup).framework_id == fw.pk  # assessments keep their version
