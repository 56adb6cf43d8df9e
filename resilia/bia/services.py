"""State changes of the BIA: framework versions, campaigns, assessments and their workflow.

Views, the API, the command line and tasks call these; each change is validated, saved and
audited in one transaction. The arithmetic is resilia.engine.bia; the checks that name the
field or cell of a bad answer are in resilia.bia.validation.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.audit.actions import register_action
from resilia.bia import defaults, validation
from resilia.bia.models import (
    EDITABLE,
    Assessment,
    AssessmentEvent,
    AssessmentSnapshot,
    Campaign,
    CampaignStatus,
    FrameworkVersion,
    Status,
)
from resilia.core.services import UNSET, given, object_create, object_delete, object_update
from resilia.core.trail import record
from resilia.dependencies import services as dependencies
from resilia.dependencies.models import Activity
from resilia.engine import bia as engine

if TYPE_CHECKING:
    from resilia.accounts.models import User
    from resilia.org.models import Site, Unit

register_action("launch", gettext_lazy("Launch"))
register_action("return", gettext_lazy("Return with comments"))
register_action("review", gettext_lazy("Review"))

# The answers of an assessment: what a snapshot keeps and a comparison shows.
ANSWER_FIELDS = (
    "ratings",
    "peaks",
    "losses",
    "resources",
    "rto",
    "rto_all",
    "rpo",
    "mbco_level",
    "mbco",
    "workaround",
    "workaround_minutes",
    "alternate_site_id",
    "dependencies_confirmed",
    "customer_facing",
    "accounting",
    "time_critical",
    "severe_impact",
    "derived_mtpd",
    "mtpd_override",
    "override_reason",
)


# --- framework -------------------------------------------------------------------------------


def current_framework() -> FrameworkVersion:
    """The newest framework version; the default one (defaults.py) when none was saved yet."""
    latest = FrameworkVersion.objects.order_by("-number").first()
    if latest is not None:
        return latest
    with transaction.atomic():
        latest = FrameworkVersion.objects.select_for_update().order_by("-number").first()
        if latest is not None:
            return latest
        return object_create(
            actor=None,
            instance=FrameworkVersion(
                number=1,
                categories=copy.deepcopy(defaults.CATEGORIES),
                time_points=list(defaults.TIME_POINTS),
                tiers=copy.deepcopy(defaults.TIERS),
                peak_periods=copy.deepcopy(defaults.PEAK_PERIODS),
                resource_points=list(defaults.RESOURCE_POINTS),
                note=_("Default framework"),
            ),
        )


@transaction.atomic
def framework_save(
    *,
    actor: User | None,
    categories: list[dict],
    time_points: list[int],
    tiers: list[dict],
    peak_periods: list[dict] = UNSET,
    resource_points: list[int] = UNSET,
    note: str = "",
) -> FrameworkVersion:
    """Save a new version of the framework (versions never change once saved)."""
    base = current_framework()
    fields = {
        "categories": categories,
        "time_points": time_points,
        "tiers": tiers,
        "peak_periods": base.peak_periods if peak_periods is UNSET else peak_periods,
        "resource_points": base.resource_points if resource_points is UNSET else resource_points,
    }
    validation.check_framework(fields)
    number = (FrameworkVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    return object_create(
        actor=actor,
        instance=FrameworkVersion(number=number, note=note, created_by=actor, **fields),
    )


# --- campaigns -------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor: User | None,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    period_start: dt.date = UNSET,
    period_end: dt.date = UNSET,
    deadline: dt.date = UNSET,
    instructions: str = UNSET,
    units: list[Unit] = UNSET,
    activities: list[Activity] = UNSET,
) -> Campaign:
    """A draft campaign on the current framework; launching it creates the assessments."""
    campaign = object_create(
        actor=actor,
        instance=Campaign(
            framework=current_framework(),
            **given(
                code=code,
                name=name,
                name_en=name_en,
                period_start=period_start,
                period_end=period_end,
                deadline=deadline,
                instructions=instructions,
            ),
        ),
    )
    _set_scope(actor, campaign, units, activities)
    return campaign


def _set_scope(actor, campaign: Campaign, units, activities) -> None:
    changes = {}
    for name, value in (("units", units), ("activities", activities)):
        if value is UNSET:
            continue
        manager = getattr(campaign, name)
        before = sorted(manager.values_list("pk", flat=True))
        after = sorted(o.pk for o in value)
        if before != after:
            manager.set(value)
            changes[name] = [before, after]
    if changes:
        record(actor=actor, action="update", obj=campaign, changes=changes)


@transaction.atomic
def campaign_update(
    *,
    actor: User | None,
    campaign: Campaign,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    period_start: dt.date = UNSET,
    period_end: dt.date = UNSET,
    deadline: dt.date = UNSET,
    instructions: str = UNSET,
    units: list[Unit] = UNSET,
    activities: list[Activity] = UNSET,
) -> Campaign:
    """Change a campaign; its scope only while it is a draft."""
    if campaign.status != CampaignStatus.DRAFT and (units is not UNSET or activities is not UNSET):
        raise ValidationError(_("The scope of a launched campaign cannot change."))
    object_update(
        actor=actor,
        instance=campaign,
        data=given(
            code=code,
            name=name,
            name_en=name_en,
            period_start=period_start,
            period_end=period_end,
            deadline=deadline,
            instructions=instructions,
        ),
    )
    _set_scope(actor, campaign, units, activities)
    return campaign


@transaction.atomic
def campaign_delete(*, actor: User | None, campaign: Campaign) -> None:
    """Delete a draft campaign (a launched one keeps its assessments: close it instead)."""
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("A launched campaign cannot be deleted; close it instead."))
    object_delete(actor=actor, instance=campaign)


def scope_activities(campaign: Campaign):
    """The activities a campaign covers: those named, and those of its units' subtrees."""
    q = Q(pk__in=campaign.activities.values("pk"))
    for path in campaign.units.values_list("path", flat=True):
        q |= Q(unit__path__startswith=path)
    return Activity.objects.filter(q).distinct()


def _assignees(activities: list[Activity]) -> dict[int, int | None]:
    """Per activity, the user who fills its assessment: a coordinator (the department's BCM
    liaison, 联络员) of the activity's unit or the nearest unit above it, else the account of
    the activity's owner when it has an active one."""
    from resilia.accounts.models import User

    owners = dict(
        User.objects.filter(
            is_active=True, person_id__in={a.owner_id for a in activities if a.owner_id}
        ).values_list("person_id", "pk")
    )
    coordinators: dict[str, int] = {}
    for path, pk in (
        User.objects.filter(is_active=True, role="coordinator", unit__isnull=False)
        .exclude(person__headed_units__isnull=False)
        .order_by("pk")
        .values_list("unit__path", "pk")
    ):
        coordinators.setdefault(path, pk)
    result = {}
    for a in activities:
        user = None
        ids = [p for p in a.unit.path.split("/") if p]
        for i in range(len(ids), 0, -1):
            user = coordinators.get("/" + "/".join(ids[:i]) + "/")
            if user is not None:
                break
        result[a.pk] = user if user is not None else owners.get(a.owner_id)
    return result


def last_approved(activity_ids) -> dict[int, Assessment]:
    """The latest approved assessment of each activity (two queries, whatever their number)."""
    latest = (
        Assessment.objects.filter(activity_id__in=activity_ids, status=Status.APPROVED)
        .values("activity_id")
        .annotate(last=Max("approved_at"))
    )
    found: dict[int, Assessment] = {}
    q = Q()
    for row in latest:
        q |= Q(activity_id=row["activity_id"], approved_at=row["last"])
    if latest:
        for a in Assessment.objects.filter(q, status=Status.APPROVED).select_related("framework"):
            found[a.activity_id] = a
    return found


def prefill(target: FrameworkVersion, source: Assessment | None) -> dict[str, Any]:
    """Answers carried from an earlier approved assessment into `target`'s layout: ratings of
    categories and time points both frameworks have, the objectives and resources as they are."""
    if source is None:
        return {}
    old_points = source.framework.time_points
    index = {m: i for i, m in enumerate(old_points)}
    codes = {c["code"] for c in target.categories}

    def regrid(rows: dict) -> dict:
        out = {}
        for code, row in (rows or {}).items():
            if code in codes:
                out[code] = [
                    row[index[m]] if m in index and index[m] < len(row) else None
                    for m in target.time_points
                ]
        return out

    return {
        "ratings": regrid(source.ratings),
        "peaks": {
            p: regrid(r)
            for p, r in (source.peaks or {}).items()
            if p in {x["code"] for x in target.peak_periods}
        },
        "losses": [
            source.losses[index[m]] if m in index and index[m] < len(source.losses) else None
            for m in target.time_points
        ]
        if source.losses
        else [],
        "resources": copy.deepcopy(source.resources)
        if source.framework.resource_points == target.resource_points
        else [],
        **{
            name: getattr(source, name)
            for name in (
                "rto",
                "rto_all",
                "rpo",
                "mbco_level",
                "mbco",
                "workaround",
                "workaround_minutes",
                "alternate_site_id",
                "customer_facing",
                "accounting",
                "time_critical",
                "severe_impact",
            )
        },
    }


@transaction.atomic
def campaign_launch(*, actor: User | None, campaign: Campaign) -> int:
    """Create one assessment per activity in scope, assigned and pre-filled from the activity's
    last approved assessment; returns how many were created. Bulk: a constant number of
    queries whatever the campaign's size."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("This campaign was already launched."))
    activities = list(scope_activities(campaign).select_related("unit").order_by("code"))
    if not activities:
        raise ValidationError(_("The campaign's scope holds no activity: add units or activities."))
    assignees = _assignees(activities)
    previous = last_approved([a.pk for a in activities])
    framework = campaign.framework
    rows = []
    for a in activities:
        rows.append(
            derive_assessment(
                Assessment(
                    campaign=campaign,
                    activity=a,
                    framework=framework,
                    assignee_id=assignees[a.pk],
                    **prefill(framework, previous.get(a.pk)),
                )
            )
        )
    Assessment.objects.bulk_create(rows, batch_size=500)
    created = list(
        Assessment.objects.filter(campaign=campaign).values_list("pk", flat=True).order_by("pk")
    )
    AssessmentEvent.objects.bulk_create(
        [
            AssessmentEvent(
                assessment_id=pk, action=AssessmentEvent.Action.LAUNCHED, actor=actor, version=1
            )
            for pk in created
        ],
        batch_size=500,
    )
    campaign.status = CampaignStatus.LAUNCHED
    campaign.launched_at = timezone.now()
    campaign.save(update_fields=["status", "launched_at"])
    record(
        actor=actor,
        action="launch",
        obj=campaign,
        changes={
            "status": [CampaignStatus.DRAFT, CampaignStatus.LAUNCHED],
            "assessments": [0, len(created)],
            "prefilled": [0, len(previous)],
        },
    )
    return len(created)


@transaction.atomic
def campaign_close(*, actor: User | None, campaign: Campaign) -> Campaign:
    if campaign.status != CampaignStatus.LAUNCHED:
        raise ValidationError(_("Only a launched campaign can be closed."))
    return object_update(actor=actor, instance=campaign, data={"status": CampaignStatus.CLOSED})


# --- assessments -----------------------------------------------------------------------------


def derive_assessment(assessment: Assessment) -> Assessment:
    """Recompute the derived MTPD, its drivers and peak from the ratings (engine.bia)."""
    fw = assessment.framework
    peaks = [(code, rows) for code, rows in (assessment.peaks or {}).items() if rows]
    derivation, peak = engine.derive_with_peaks(
        fw.engine_categories(), fw.time_points, assessment.ratings or {}, peaks
    )
    assessment.derived_mtpd = derivation.mtpd
    assessment.derived_drivers = [
        {"category": r.category, "rating": r.rating, "threshold": r.threshold}
        for r in derivation.drivers
    ]
    assessment.derived_peak = peak or ""
    return assessment


def answers(assessment: Assessment) -> dict[str, Any]:
    return {name: copy.deepcopy(getattr(assessment, name)) for name in ANSWER_FIELDS}


@transaction.atomic
def assessment_save(
    *,
    actor: User | None,
    assessment: Assessment,
    ratings: dict = UNSET,
    peaks: dict = UNSET,
    losses: list = UNSET,
    resources: list = UNSET,
    rto: int | None = UNSET,
    rto_all: int | None = UNSET,
    rpo: int | None = UNSET,
    mbco_level: str = UNSET,
    mbco: str = UNSET,
    workaround: str = UNSET,
    workaround_minutes: int | None = UNSET,
    alternate_site: Site | None = UNSET,
    dependencies_confirmed: bool = UNSET,
    customer_facing: bool = UNSET,
    accounting: bool = UNSET,
    time_critical: bool = UNSET,
    severe_impact: bool = UNSET,
) -> Assessment:
    """Save answers of a draft or returned assessment; every bad answer is refused with the
    field or cell it concerns, and nothing is saved then."""
    if assessment.status not in EDITABLE:
        raise ValidationError(
            _("This assessment is %(status)s: its answers cannot change.")
            % {"status": assessment.get_status_display()}
        )
    data = given(
        ratings=ratings,
        peaks=peaks,
        losses=losses,
        resources=resources,
        rto=rto,
        rto_all=rto_all,
        rpo=rpo,
        mbco_level=mbco_level,
        mbco=mbco,
        workaround=workaround,
        workaround_minutes=workaround_minutes,
        alternate_site=alternate_site,
        dependencies_confirmed=dependencies_confirmed,
        customer_facing=customer_facing,
        accounting=accounting,
        time_critical=time_critical,
        severe_impact=severe_impact,
    )
    trial = copy.copy(assessment)
    for name, value in data.items():
        setattr(trial, name, value)
    derive_assessment(trial)
    validation.check_answers(trial)
    for name in ("derived_mtpd", "derived_drivers", "derived_peak"):
        data[name] = getattr(trial, name)
    return object_update(actor=actor, instance=assessment, data=data)


def _snapshot(assessment: Assessment) -> None:
    AssessmentSnapshot.objects.update_or_create(
        assessment=assessment, version=assessment.version, defaults={"data": answers(assessment)}
    )


def _step(
    actor, assessment, action: str, audit_action: str, status: str, comment: str = "", **extra
) -> Assessment:
    before = assessment.status
    data = {"status": status, **extra}
    object_update(actor=actor, instance=assessment, data=data, action=audit_action)
    AssessmentEvent.objects.create(
        assessment=assessment,
        action=action,
        actor=actor,
        version=assessment.version,
        comment=comment,
    )
    assert before != assessment.status
    return assessment


@transaction.atomic
def assessment_submit(*, actor: User | None, assessment: Assessment) -> Assessment:
    """Send a filled assessment to the BCM office; its answers are kept as this version."""
    if assessment.status not in EDITABLE:
        raise ValidationError(_("Only a draft or returned assessment can be submitted."))
    derive_assessment(assessment)
    validation.check_answers(assessment)
    validation.check_complete(assessment)
    _step(
        actor,
        assessment,
        "submitted",
        "submit",
        Status.SUBMITTED,
        submitted_at=timezone.now(),
        derived_mtpd=assessment.derived_mtpd,
    )
    _snapshot(assessment)
    return assessment


@transaction.atomic
def assessment_return(*, actor: User | None, assessment: Assessment, comment: str) -> Assessment:
    """Send a submitted assessment back to its coordinator with comments; it keeps its
    answers, and its next submission is the next version."""
    if assessment.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted assessment can be returned."))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what needs changing: a comment is required.")})
    _step(actor, assessment, "returned", "return", Status.RETURNED, comment.strip())
    assessment.version += 1
    Assessment.objects.filter(pk=assessment.pk).update(version=assessment.version)
    return assessment


@transaction.atomic
def assessment_review(
    *, actor: User | None, assessment: Assessment, comment: str = ""
) -> Assessment:
    """The BCM office found the answers consistent: the unit's approver may now approve."""
    if assessment.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted assessment can be reviewed."))
    return _step(actor, assessment, "reviewed", "review", Status.REVIEWED, comment.strip())


@transaction.atomic
def assessment_approve(
    *,
    actor: User | None,
    assessment: Assessment,
    mtpd_override: int | None = None,
    override_reason: str = "",
    comment: str = "",
) -> Assessment:
    """Approve a reviewed assessment: it is locked, and its objectives become the activity's
    (the MTPD — the approver's when given with a reason, else the derived one —, RTO, RPO and
    MBCO), which the engine then uses."""
    if assessment.status != Status.REVIEWED:
        raise ValidationError(_("Only a reviewed assessment can be approved."))
    reason = (override_reason or "").strip()
    if mtpd_override == assessment.derived_mtpd:
        mtpd_override = None
    if mtpd_override is not None and not reason:
        raise ValidationError(
            {"override_reason": _("An MTPD other than the derived one needs a written reason.")}
        )
    if mtpd_override is None:
        reason = ""
    mtpd = mtpd_override if mtpd_override is not None else assessment.derived_mtpd
    if not engine.rto_valid(assessment.rto, mtpd):
        raise ValidationError({"mtpd_override": validation.rto_message(assessment.rto, mtpd)})
    _step(
        actor,
        assessment,
        "approved",
        "approve",
        Status.APPROVED,
        comment.strip(),
        mtpd_override=mtpd_override,
        override_reason=reason,
        approved_at=timezone.now(),
        approved_by=actor,
    )
    _snapshot(assessment)
    mbco = " — ".join(x for x in (assessment.mbco_level.strip(), assessment.mbco.strip()) if x)
    dependencies.activity_update(
        actor=actor,
        activity=Activity.objects.select_for_update().get(pk=assessment.activity_id),
        mtpd=mtpd,
        rto=assessment.rto,
        rpo=assessment.rpo,
        mbco=mbco,
    )
    return assessment
