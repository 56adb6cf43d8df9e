"""State changes of the risk app: the threat catalogue, matrix versions, risks, their
treatment and measures, and the periodic assessments.

Views, the API, the importer, the command line and tasks call these; each change is validated,
saved and audited in one transaction. The arithmetic is resilia.engine.risk; the translated
messages for a bad matrix or rating are in resilia.risk.validation.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.audit.actions import register_action
from resilia.core.access import role_of
from resilia.core.services import UNSET, given, object_create, object_delete, object_update
from resilia.core.trail import record
from resilia.engine import risk as engine
from resilia.risk import defaults, validation
from resilia.risk.access import ACCEPTING_ROLES
from resilia.risk.models import (
    OPEN_MEASURE,
    AssessedRisk,
    AssessmentStatus,
    MatrixVersion,
    Measure,
    MeasureStatus,
    Risk,
    RiskAssessment,
    RiskStatus,
    Threat,
    Treatment,
)

if TYPE_CHECKING:
    from resilia.accounts.models import User
    from resilia.dependencies.models import Activity, Resource
    from resilia.org.models import Person, Site, Unit

register_action("accept", gettext_lazy("Accept the risk"))
register_action("rescore", gettext_lazy("Re-score on the current matrix"))
register_action("sign_off", gettext_lazy("Sign off"))
register_action("scenario", gettext_lazy("Run a scenario"))

# --- threat catalogue ------------------------------------------------------------------------


def threat_create(*, actor: User | None, **fields) -> Threat:
    """Add a threat to the catalogue."""
    return object_create(actor=actor, instance=Threat(**_threat_fields(fields)))


def threat_update(*, actor: User | None, threat: Threat, **fields) -> Threat:
    """Change a threat of the catalogue."""
    return object_update(actor=actor, instance=threat, data=_threat_fields(fields))


def threat_delete(*, actor: User | None, threat: Threat) -> None:
    """Remove a threat no risk names (PROTECT otherwise)."""
    object_delete(actor=actor, instance=threat)


THREAT_FIELDS = (
    "code",
    "name",
    "name_en",
    "threat_class",
    "group",
    "description",
    "resource_kinds",
    "typical_duration",
    "active",
)


def _threat_fields(fields: dict) -> dict:
    unknown = set(fields) - set(THREAT_FIELDS)
    if unknown:
        raise TypeError(f"unknown threat fields: {sorted(unknown)}")
    validation.check_resource_kinds(fields.get("resource_kinds", []))
    return given(**fields)


@transaction.atomic
def threat_catalogue_load(*, actor: User | None) -> int:
    """Add the default threats (defaults.THREATS) the catalogue lacks; how many were added."""
    existing = set(Threat.objects.values_list("code", flat=True))
    added = 0
    for code, klass, group, name, name_en, minutes, kinds, description in defaults.THREATS:
        if code in existing:
            continue
        threat_create(
            actor=actor,
            code=code,
            threat_class=klass,
            group=group,
            name=name,
            name_en=name_en,
            typical_duration=minutes,
            resource_kinds=list(kinds),
            description=description,
        )
        added += 1
    return added


# --- matrix ----------------------------------------------------------------------------------


def _default_matrix() -> MatrixVersion:
    return MatrixVersion(
        number=1,
        likelihood=copy.deepcopy(defaults.LIKELIHOOD),
        impact=copy.deepcopy(defaults.IMPACT),
        method="product",
        bands=copy.deepcopy(defaults.BANDS),
        appetite=defaults.APPETITE,
        note=_("Default matrix"),
    )


def latest_matrix() -> MatrixVersion:
    """The matrix to read with: the newest version, or the default one unsaved (pk None)
    when none was saved yet. Pages, filters and exports use it, so that a read never writes."""
    return MatrixVersion.objects.order_by("-number").first() or _default_matrix()


def current_matrix() -> MatrixVersion:
    """The newest matrix version, saving the default one (defaults.py) when none was saved
    yet: what a write scores on."""
    latest = MatrixVersion.objects.order_by("-number").first()
    if latest is not None:
        return latest
    with transaction.atomic():
        latest = MatrixVersion.objects.select_for_update().order_by("-number").first()
        if latest is not None:
            return latest
        return object_create(actor=None, instance=_default_matrix())


@transaction.atomic
def matrix_save(
    *,
    actor: User | None,
    likelihood: list[dict],
    impact: list[dict],
    bands: list[dict],
    appetite: str,
    method: str = "product",
    table: list[list[int]] | None = None,
    note: str = "",
) -> MatrixVersion:
    """Save a new version of the matrix (versions never change once saved).

    Risks stay on the version they were scored on until they are re-scored (pending_rescore):
    nothing is clamped onto the new scales or bands.
    """
    pack = {
        "likelihood": likelihood,
        "impact": impact,
        "method": method,
        "table": table if method == "table" else None,
        "bands": bands,
        "appetite": appetite,
    }
    validation.check_matrix(pack)
    from resilia.bia.services import current_framework

    number = (MatrixVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    return object_create(
        actor=actor,
        instance=MatrixVersion(
            number=number,
            note=note,
            created_by=actor,
            bia_framework=current_framework(),
            **pack,
        ),
    )


def pending_rescore(queryset=None):
    """Open risks still scored on an older matrix version than the current one."""
    queryset = Risk.objects.all() if queryset is None else queryset
    latest = latest_matrix()
    if latest.pk is None:  # nothing was scored yet
        return queryset.none()
    return queryset.filter(status=RiskStatus.OPEN).exclude(matrix=latest)


# --- risks -----------------------------------------------------------------------------------

RATINGS = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")


DERIVED = (
    "matrix",
    "inherent_score",
    "inherent_band",
    "residual_score",
    "residual_band",
    "band",
    "score",
    "needs_treatment",
    "next_review",
    "reviewed_on",
)


def _score(risk: Risk, matrix: MatrixVersion) -> None:
    """Score and band the risk's ratings on `matrix`; set the next review from the band."""
    m = matrix.engine
    validation.check_rating(m, risk.inherent_likelihood, risk.inherent_impact, _("inherent"))
    risk.matrix = matrix
    risk.inherent_score, band = engine.assess(m, risk.inherent_likelihood, risk.inherent_impact)
    risk.inherent_band = band.code
    if risk.residual_likelihood is None and risk.residual_impact is None:
        risk.residual_score, risk.residual_band = None, ""
    else:
        validation.check_rating(m, risk.residual_likelihood, risk.residual_impact, _("residual"))
        risk.residual_score, band = engine.assess(m, risk.residual_likelihood, risk.residual_impact)
        risk.residual_band = band.code
    risk.band, risk.score = (
        band.code,
        (risk.inherent_score if risk.residual_score is None else risk.residual_score),
    )
    risk.needs_treatment = engine.needs_treatment(m, band)
    if isinstance(risk.reviewed_on, str):
        risk.reviewed_on = parse_date(risk.reviewed_on)
    risk.reviewed_on = risk.reviewed_on or timezone.localdate()
    risk.next_review = engine.next_review(m, band, risk.reviewed_on)


def _check_treatment(treatment) -> None:
    if treatment == Treatment.ACCEPT:
        raise ValidationError(
            {"treatment": _("A risk is accepted through its approver's acceptance, with a reason.")}
        )


def _set_scope(actor, risk: Risk, scope: dict) -> None:
    changes = {}
    for name, value in scope.items():
        if value is UNSET:
            continue
        manager = getattr(risk, name)
        before = sorted(manager.values_list("pk", flat=True))
        after = sorted(o.pk for o in value)
        if before != after:
            manager.set(value)
            changes[name] = [before, after]
    if changes:
        record(actor=actor, action="update", obj=risk, changes=changes)


@transaction.atomic
def risk_create(
    *,
    actor: User | None,
    code: str = UNSET,
    title: str = UNSET,
    title_en: str = UNSET,
    threat: Threat = UNSET,
    unit: Unit = UNSET,
    owner: Person | None = UNSET,
    cause: str = UNSET,
    description: str = UNSET,
    existing_controls: str = UNSET,
    typical_duration: int | None = UNSET,
    inherent_likelihood: int = UNSET,
    inherent_impact: int = UNSET,
    residual_likelihood: int | None = UNSET,
    residual_impact: int | None = UNSET,
    treatment: str = UNSET,
    reviewed_on: dt.date = UNSET,
    units: list[Unit] = UNSET,
    sites: list[Site] = UNSET,
    resources: list[Resource] = UNSET,
    activities: list[Activity] = UNSET,
) -> Risk:
    """A risk on the current matrix, scored and banded, its next review set from the band.

    The public entry point for whatever creates risks (the register, the importer, the API,
    a hazard promoted to a risk).
    """
    _check_treatment(treatment)
    risk = Risk(
        **given(
            code=code,
            title=title,
            title_en=title_en,
            threat=threat,
            unit=unit,
            owner=owner,
            cause=cause,
            description=description,
            existing_controls=existing_controls,
            typical_duration=typical_duration,
            inherent_likelihood=inherent_likelihood,
            inherent_impact=inherent_impact,
            residual_likelihood=residual_likelihood,
            residual_impact=residual_impact,
            treatment=treatment,
            reviewed_on=reviewed_on,
        )
    )
    if risk.typical_duration is None and threat not in (UNSET, None):
        risk.typical_duration = threat.typical_duration
    validation.check_required_ratings(risk)
    _score(risk, current_matrix())
    object_create(actor=actor, instance=risk)
    _set_scope(
        actor,
        risk,
        {"units": units, "sites": sites, "resources": resources, "activities": activities},
    )
    return risk


@transaction.atomic
def risk_update(
    *,
    actor: User | None,
    risk: Risk,
    code: str = UNSET,
    title: str = UNSET,
    title_en: str = UNSET,
    threat: Threat = UNSET,
    unit: Unit = UNSET,
    owner: Person | None = UNSET,
    cause: str = UNSET,
    description: str = UNSET,
    existing_controls: str = UNSET,
    typical_duration: int | None = UNSET,
    inherent_likelihood: int = UNSET,
    inherent_impact: int = UNSET,
    residual_likelihood: int | None = UNSET,
    residual_impact: int | None = UNSET,
    treatment: str = UNSET,
    reviewed_on: dt.date = UNSET,
    status: str = UNSET,
    units: list[Unit] = UNSET,
    sites: list[Site] = UNSET,
    resources: list[Resource] = UNSET,
    activities: list[Activity] = UNSET,
) -> Risk:
    """Change a risk. Ratings are always scored on the current matrix: a risk still on an older
    version is re-scored only when given both inherent ratings (and its residual ones, or
    none), never by carrying its old levels onto the new scales."""
    _check_treatment(treatment)
    ratings = given(
        inherent_likelihood=inherent_likelihood,
        inherent_impact=inherent_impact,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
    )
    data = given(
        code=code,
        title=title,
        title_en=title_en,
        threat=threat,
        unit=unit,
        owner=owner,
        cause=cause,
        description=description,
        existing_controls=existing_controls,
        typical_duration=typical_duration,
        treatment=treatment,
        reviewed_on=reviewed_on,
        status=status,
        **ratings,
    )
    matrix = current_matrix()
    moving = risk.matrix_id != matrix.pk
    if moving and ratings:
        missing = [name for name in RATINGS[:2] if name not in ratings]
        if missing:
            raise ValidationError(
                _(
                    "This risk was scored on an older matrix: "
                    "re-score it with both inherent ratings."
                )
            )
        data.setdefault("residual_likelihood", None)
        data.setdefault("residual_impact", None)
    if risk.treatment == Treatment.ACCEPT and data.get("treatment", Treatment.ACCEPT) != "accept":
        data.update(
            acceptance_reason="", accepted_by=None, accepted_at=None, acceptance_expires=None
        )
    probe = copy.copy(risk)
    for name, value in data.items():
        setattr(probe, name, value)
    if ratings or not moving:
        _score(probe, matrix)
        for name in DERIVED:
            data[name] = getattr(probe, name)
    elif "reviewed_on" in data:
        # Still pending re-score: its next review follows its own (old) band.
        m = risk.matrix.engine
        data["next_review"] = engine.next_review(
            m, engine.band_of(m, risk.score), probe.reviewed_on
        )
    action = "rescore" if moving and ratings else "update"
    object_update(actor=actor, instance=risk, data=data, action=action)
    _set_scope(
        actor,
        risk,
        {"units": units, "sites": sites, "resources": resources, "activities": activities},
    )
    return risk


@transaction.atomic
def risk_delete(*, actor: User | None, risk: Risk) -> None:
    """Delete a risk with its measures and scenarios; assessment snapshots keep its rows."""
    object_delete(actor=actor, instance=risk)


@transaction.atomic
def risk_accept(
    *,
    actor: User | None,
    risk: Risk,
    reason: str,
    expires: dt.date | None,
    approver: User | None = None,
) -> Risk:
    """Accept a risk (风险接受): an approver of an accepting role, a written reason and an
    expiry date after today; the acceptance lapses on that date (listed for review)."""
    approver = approver or actor
    errors = {}
    if approver is None or role_of(approver) not in ACCEPTING_ROLES:
        errors["accepted_by"] = _(
            "Only an administrator, a BCM manager or an executive may accept a risk."
        )
    if not (reason or "").strip():
        errors["acceptance_reason"] = _("Give the reason for accepting the risk.")
    if expires is None:
        errors["acceptance_expires"] = _("Give the date the acceptance expires.")
    elif expires <= timezone.localdate():
        errors["acceptance_expires"] = _("The acceptance must expire after today.")
    if errors:
        raise ValidationError(errors)
    return object_update(
        actor=actor,
        instance=risk,
        action="accept",
        data={
            "treatment": Treatment.ACCEPT,
            "acceptance_reason": reason.strip(),
            "accepted_by": approver,
            "accepted_at": timezone.now(),
            "acceptance_expires": expires,
        },
    )


# --- measures --------------------------------------------------------------------------------


def _measure_checks(measure: Measure) -> None:
    if measure.owner_id is None:
        raise ValidationError({"owner": _("A measure needs an owner.")})
    if measure.due_date is None:
        raise ValidationError({"due_date": _("A measure needs a due date.")})
    if measure.status == MeasureStatus.DONE and measure.completed_on is None:
        measure.completed_on = timezone.localdate()
    elif measure.status != MeasureStatus.DONE:
        measure.completed_on = None


@transaction.atomic
def measure_create(
    *,
    actor: User | None,
    risk: Risk,
    title: str = UNSET,
    owner: Person | None = UNSET,
    due_date: dt.date | None = UNSET,
    status: str = UNSET,
    evidence: str = UNSET,
) -> Measure:
    """Add a treatment measure with its owner and due date to a risk."""
    measure = Measure(
        risk=risk,
        **given(title=title, owner=owner, due_date=due_date, status=status, evidence=evidence),
    )
    _measure_checks(measure)
    return object_create(actor=actor, instance=measure)


@transaction.atomic
def measure_update(
    *,
    actor: User | None,
    measure: Measure,
    risk: Risk = UNSET,
    title: str = UNSET,
    owner: Person | None = UNSET,
    due_date: dt.date | None = UNSET,
    status: str = UNSET,
    evidence: str = UNSET,
) -> Measure:
    """Change a measure; marking it done records the day. It stays on its risk."""
    if risk is not UNSET and risk.pk != measure.risk_id:
        raise ValidationError({"risk": _("A measure stays on the risk it was added to.")})
    data = given(title=title, owner=owner, due_date=due_date, status=status, evidence=evidence)
    probe = copy.copy(measure)
    for name, value in data.items():
        setattr(probe, name, value)
    _measure_checks(probe)
    data["completed_on"] = probe.completed_on
    return object_update(actor=actor, instance=measure, data=data)


@transaction.atomic
def measure_delete(*, actor: User | None, measure: Measure) -> None:
    object_delete(actor=actor, instance=measure)


def overdue_measures(queryset=None):
    """Open measures past their due date."""
    queryset = Measure.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=OPEN_MEASURE, due_date__lt=timezone.localdate())


# --- periodic assessments --------------------------------------------------------------------


@transaction.atomic
def assessment_create(
    *,
    actor: User | None,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    assessed_on: dt.date = UNSET,
    summary: str = UNSET,
    units: list[Unit] = UNSET,
) -> RiskAssessment:
    """A draft assessment over a scope (no units: the whole organisation)."""
    assessment = object_create(
        actor=actor,
        instance=RiskAssessment(
            **given(code=code, name=name, name_en=name_en, assessed_on=assessed_on, summary=summary)
        ),
    )
    if units is not UNSET:
        assessment.units.set(units)
        record(actor=actor, action="update", obj=assessment,
               changes={"units": [[], sorted(u.pk for u in units)]})  # fmt: skip
    return assessment


@transaction.atomic
def assessment_update(
    *,
    actor: User | None,
    assessment: RiskAssessment,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    assessed_on: dt.date = UNSET,
    summary: str = UNSET,
    units: list[Unit] = UNSET,
) -> RiskAssessment:
    """Change a draft assessment (a signed-off one is the record: it does not change)."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(_("A signed-off assessment cannot change."))
    object_update(
        actor=actor,
        instance=assessment,
        data=given(code=code, name=name, name_en=name_en, assessed_on=assessed_on, summary=summary),
    )
    if units is not UNSET:
        before = sorted(assessment.units.values_list("pk", flat=True))
        after = sorted(u.pk for u in units)
        if before != after:
            assessment.units.set(units)
            record(actor=actor, action="update", obj=assessment, changes={"units": [before, after]})
    return assessment


@transaction.atomic
def assessment_delete(*, actor: User | None, assessment: RiskAssessment) -> None:
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(_("A signed-off assessment cannot be deleted."))
    object_delete(actor=actor, instance=assessment)


def assessment_risks(assessment: RiskAssessment):
    """The open risks in the assessment's scope (its units' subtrees; none: all)."""
    from django.db.models import Q

    risks = Risk.objects.filter(status=RiskStatus.OPEN)
    paths = list(assessment.units.values_list("path", flat=True))
    if paths:
        q = Q()
        for path in paths:
            q |= Q(unit__path__startswith=path)
        risks = risks.filter(q)
    return risks


@transaction.atomic
def assessment_sign_off(*, actor: User | None, assessment: RiskAssessment) -> RiskAssessment:
    """Sign a draft assessment off (BCM manager): keep a snapshot of every risk in scope, on
    the matrix version each was scored on."""
    from resilia.risk.access import may_sign_off

    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not may_sign_off(actor, assessment):
        raise ValidationError(_("Only the BCM manager signs off a draft assessment."))
    from django.db.models import Count, Q

    risks = (
        assessment_risks(assessment)
        .select_related("threat")
        .annotate(open_count=Count("measures", filter=Q(measures__status__in=OPEN_MEASURE)))
    )
    AssessedRisk.objects.bulk_create(
        AssessedRisk(
            assessment=assessment,
            risk=r,
            unit_id=r.unit_id,
            matrix_id=r.matrix_id,
            code=r.code,
            title=r.title,
            threat=r.threat.name,
            inherent_likelihood=r.inherent_likelihood,
            inherent_impact=r.inherent_impact,
            inherent_score=r.inherent_score,
            inherent_band=r.inherent_band,
            residual_score=r.residual_score,
            residual_band=r.residual_band,
            treatment=r.treatment,
            open_measures=r.open_count,
        )
        for r in risks.iterator(chunk_size=2000)
    )
    return object_update(
        actor=actor,
        instance=assessment,
        action="sign_off",
        data={
            "status": AssessmentStatus.SIGNED_OFF,
            "signed_off_by": actor,
            "signed_off_at": timezone.now(),
        },
    )
