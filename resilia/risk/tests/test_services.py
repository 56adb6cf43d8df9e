"""The risk register's services: scoring on the versioned matrix, re-scoring, acceptance,
measures and the signed-off assessments (issue 10 items 2-4)."""

import copy
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from resilia.audit.models import AuditEvent
from resilia.risk import services
from resilia.risk.models import AssessedRisk, Measure, Risk, Treatment
from resilia.risk.tests.conftest import bands_b


def test_it_scores_and_bands_risks_on_the_default_matrix(risk_setup):
    """standards.md §6 convention A: 4 × 3 = 12 → 较大 (orange), 1 × 3 = 3 → 低 (blue); the
    next review is the band's interval after the last review (较大: 90 days)."""
    dc, branch = risk_setup["dc"], risk_setup["branch"]
    assert (dc.inherent_score, dc.inherent_band, dc.band_colour) == (12, "major", "orange")
    assert dc.needs_treatment  # 较大 reaches the default appetite
    assert dc.next_review == dt.date(2026, 1, 10) + dt.timedelta(days=90)
    assert (branch.inherent_score, branch.band, branch.needs_treatment) == (3, "low", False)
    assert AuditEvent.objects.filter(action="create", object_type="risk.risk").count() == 2


def test_it_scores_the_residual_rating_and_judges_by_it(risk_setup, personas):
    """A residual 2 × 3 = 6 → 一般: the risk is then judged by its residual band."""
    dc = services.risk_update(
        actor=personas["manager"], risk=risk_setup["dc"], residual_likelihood=2, residual_impact=3
    )
    dc.refresh_from_db()
    assert (dc.residual_score, dc.residual_band, dc.band, dc.needs_treatment) == (
        6, "general", "general", False,
    )  # fmt: skip
    assert AuditEvent.objects.filter(object_id=str(dc.pk), action="update").exists()


@pytest.mark.parametrize(
    "ratings",
    [
        {"inherent_likelihood": 6, "inherent_impact": 1},
        {"inherent_likelihood": 0, "inherent_impact": 1},
        {"inherent_likelihood": 3, "inherent_impact": 9},
    ],
)
def test_it_refuses_a_rating_off_the_scale_and_saves_nothing(
    risk_setup, personas, org_tree, ratings
):
    with pytest.raises(ValidationError) as info:
        services.risk_create(
            actor=personas["manager"], code="R-BAD", title="x", threat=risk_setup["fire"],
            unit=org_tree["dept_a"], **ratings,
        )  # fmt: skip
    assert "须为 1 至 5 之间的等级" in str(info.value)
    assert not Risk.objects.filter(code="R-BAD").exists()


def test_a_new_matrix_never_rewrites_old_scores_and_lists_risks_pending(risk_setup, personas):
    """Changing the band table (to convention B, where 9 is 较大) saves a new version; the
    risks keep the version, score and band they were made with until re-scored."""
    old = services.current_matrix()
    m = services.current_matrix()
    new = services.matrix_save(
        actor=personas["manager"], likelihood=m.likelihood, impact=m.impact, bands=bands_b(),
        appetite="major",
    )  # fmt: skip
    assert new.number == old.number + 1
    dc = Risk.objects.get(code="R-001")
    assert (dc.matrix_id, dc.inherent_score, dc.band) == (old.pk, 12, "major")
    assert set(services.pending_rescore().values_list("code", flat=True)) == {"R-001", "R-002"}

    # A partial change of the ratings would carry old levels onto the new scales: refused.
    with pytest.raises(ValidationError):
        services.risk_update(actor=personas["manager"], risk=dc, inherent_impact=3)
    # Descriptive changes leave it pending and unscored.
    services.risk_update(actor=personas["manager"], risk=dc, cause="UPS 老化")
    dc.refresh_from_db()
    assert dc.matrix_id == old.pk

    # Re-scoring 3 × 3 = 9: 较大 under convention B, with B's 90-day review.
    services.risk_update(
        actor=personas["manager"], risk=dc, inherent_likelihood=3, inherent_impact=3
    )
    dc.refresh_from_db()
    assert (dc.matrix_id, dc.inherent_score, dc.band) == (new.pk, 9, "major")
    assert list(services.pending_rescore().values_list("code", flat=True)) == ["R-002"]
    assert AuditEvent.objects.filter(action="rescore", object_id=str(dc.pk)).count() == 1


def test_old_assessments_keep_their_bands_after_the_band_table_changes(risk_setup, personas):
    """The 'done when' of issue 10: an assessment signed off under convention A keeps 3 × 3 = 9
    as 一般 after the bands change to convention B and the risk is re-scored 较大."""
    services.risk_update(
        actor=personas["manager"], risk=risk_setup["dc"], inherent_likelihood=3, inherent_impact=3
    )
    last_year = services.assessment_create(
        actor=personas["manager"], code="RA-2025", name="2025年度风险评估", assessed_on="2025-12-01"
    )
    services.assessment_sign_off(actor=personas["manager"], assessment=last_year)
    m = services.current_matrix()
    services.matrix_save(
        actor=personas["manager"], likelihood=m.likelihood, impact=m.impact, bands=bands_b(),
        appetite="major",
    )  # fmt: skip
    dc = Risk.objects.get(code="R-001")
    services.risk_update(
        actor=personas["manager"], risk=dc, inherent_likelihood=3, inherent_impact=3
    )
    this_year = services.assessment_create(
        actor=personas["manager"], code="RA-2026", name="2026年度风险评估", assessed_on="2026-12-01"
    )
    services.assessment_sign_off(actor=personas["manager"], assessment=this_year)

    before = AssessedRisk.objects.get(assessment=last_year, code="R-001")
    after = AssessedRisk.objects.get(assessment=this_year, code="R-001")
    assert (before.inherent_score, before.inherent_band, before.band_name()) == (
        9,
        "general",
        "一般风险",
    )
    assert (after.inherent_score, after.inherent_band, after.band_name()) == (9, "major", "较大")
    assert before.matrix_id != after.matrix_id
    assert AuditEvent.objects.filter(action="sign_off").count() == 2


def test_only_the_bcm_manager_signs_off_and_a_signed_off_assessment_is_locked(risk_setup, personas):
    a = services.assessment_create(
        actor=personas["manager"], code="RA-1", name="评估", assessed_on="2026-06-01"
    )
    with pytest.raises(ValidationError):
        services.assessment_sign_off(actor=personas["coord_a"], assessment=a)
    assert not AssessedRisk.objects.exists()
    a = services.assessment_sign_off(actor=personas["manager"], assessment=a)
    assert a.entries.count() == 2 and a.signed_off_by == personas["manager"]
    with pytest.raises(ValidationError):
        services.assessment_update(actor=personas["manager"], assessment=a, summary="x")
    with pytest.raises(ValidationError):
        services.assessment_sign_off(actor=personas["manager"], assessment=a)
    assert a.entries.count() == 2


def test_an_assessment_over_a_unit_snapshots_its_subtree_only(risk_setup, personas, org_tree):
    a = services.assessment_create(
        actor=personas["manager"], code="RA-A", name="信息科技部", assessed_on="2026-06-01",
        units=[org_tree["dept_a"]],
    )  # fmt: skip
    services.assessment_sign_off(actor=personas["manager"], assessment=a)
    assert list(a.entries.values_list("code", flat=True)) == ["R-001"]


@pytest.mark.parametrize(
    ("approver", "reason", "days", "field"),
    [
        ("coord_a", "成本过高", 90, "accepted_by"),
        ("manager", "  ", 90, "acceptance_reason"),
        ("manager", "成本过高", None, "acceptance_expires"),
        ("manager", "成本过高", 0, "acceptance_expires"),
    ],
)
def test_it_refuses_an_acceptance_without_the_right_approver_reason_or_expiry(
    risk_setup, personas, approver, reason, days, field
):
    expires = None if days is None else timezone.localdate() + dt.timedelta(days=days)
    with pytest.raises(ValidationError) as info:
        services.risk_accept(
            actor=personas[approver], risk=risk_setup["dc"], reason=reason, expires=expires
        )
    assert field in info.value.message_dict
    dc = Risk.objects.get(code="R-001")
    assert dc.treatment == "" and dc.accepted_by is None
    assert not AuditEvent.objects.filter(action="accept").exists()


def test_an_acceptance_keeps_its_approver_and_reason_and_expires(risk_setup, personas):
    expires = timezone.localdate() + dt.timedelta(days=180)
    services.risk_accept(
        actor=personas["executive"],
        risk=risk_setup["dc"],
        reason="改造成本高于预期损失",
        expires=expires,
    )
    dc = Risk.objects.get(code="R-001")
    assert (dc.treatment, dc.accepted_by, dc.acceptance_expires) == (
        Treatment.ACCEPT, personas["executive"], expires,
    )  # fmt: skip
    assert not dc.acceptance_expired
    assert AuditEvent.objects.filter(action="accept", object_id=str(dc.pk)).count() == 1
    with pytest.raises(ValidationError):
        services.risk_update(actor=personas["manager"], risk=dc, treatment="accept")
    services.risk_update(actor=personas["manager"], risk=dc, treatment="mitigate")
    dc.refresh_from_db()
    assert dc.accepted_by is None and dc.acceptance_reason == ""


def test_a_measure_needs_an_owner_and_a_due_date_and_overdue_ones_are_listed(
    risk_setup, personas, people
):
    dc = risk_setup["dc"]
    with pytest.raises(ValidationError) as info:
        services.measure_create(actor=personas["manager"], risk=dc, title="更换UPS", owner=None,
                                due_date=dt.date(2026, 3, 1))  # fmt: skip
    assert "owner" in info.value.message_dict
    assert not Measure.objects.exists()
    late = services.measure_create(
        actor=personas["manager"], risk=dc, title="更换UPS", owner=people["bob"],
        due_date=timezone.localdate() - dt.timedelta(days=1),
    )  # fmt: skip
    services.measure_create(
        actor=personas["manager"], risk=dc, title="演练", owner=people["alice"],
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )  # fmt: skip
    assert list(services.overdue_measures()) == [late] and late.overdue
    services.measure_update(
        actor=personas["manager"], measure=late, status="done", evidence="验收单"
    )
    late.refresh_from_db()
    assert late.completed_on == timezone.localdate() and not services.overdue_measures().exists()
    assert AuditEvent.objects.filter(object_type="risk.measure").count() == 3


def test_it_refuses_a_matrix_whose_bands_overlap_or_leave_a_score_uncovered(personas):
    m = services.current_matrix()
    overlap = copy.deepcopy(m.bands)
    overlap[1]["max"] = 12
    gap = copy.deepcopy(m.bands)
    gap[2]["min"] = 11
    for bands, text in ((overlap, "重叠"), (gap, "风险值 10 不在任何风险等级内")):
        with pytest.raises(ValidationError) as info:
            services.matrix_save(actor=personas["manager"], likelihood=m.likelihood,
                                 impact=m.impact, bands=bands, appetite="major")  # fmt: skip
        assert text in str(info.value)
    assert services.current_matrix().number == 1


def test_it_loads_the_threat_catalogue_once(personas):
    assert services.threat_catalogue_load(actor=personas["manager"]) == 24
    assert services.threat_catalogue_load(actor=personas["manager"]) == 0
