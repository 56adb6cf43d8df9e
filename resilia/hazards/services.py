"""State changes of hazard inspection and rectification (隐患排查治理).

Views, the API, the scheduler and the demo call these; each change is validated, saved and
audited in one transaction, and refuses bad input with translated messages before anything
is saved (a checklist answer for an item not on the round, a rectification order missing one
of the five things it must name, a verification by the responsible person).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.audit.actions import register_action
from resilia.core import access
from resilia.core.services import UNSET, given, object_create, object_delete, object_update
from resilia.core.trail import diff, record, snapshot
from resilia.evidence.services import attachment_upload, attachments_for
from resilia.hazards import schedule as dates
from resilia.hazards.models import (
    ChecklistItem,
    ChecklistTemplate,
    Grade,
    Hazard,
    HazardStatus,
    InspectionRound,
    Rectification,
    Result,
    RoundItem,
    RoundStatus,
    Schedule,
    Verification,
)
from resilia.hazards.photos import clean_photos
from resilia.risk import services as risk_services
from resilia.risk.models import Risk, Threat

register_action("inspect_answer", gettext_lazy("Checklist answered"))
register_action("inspect_complete", gettext_lazy("Inspection completed"))
register_action("inspect_cancel", gettext_lazy("Inspection cancelled"))
register_action("hazard_withdraw", gettext_lazy("Hazard withdrawn"))
register_action("hazard_report", gettext_lazy("Hazard recorded"))
register_action("rectify_issue", gettext_lazy("Rectification order issued"))
register_action("rectify_report", gettext_lazy("Fix reported"))
register_action("rectify_accept", gettext_lazy("Fix verified and closed"))
register_action("rectify_reject", gettext_lazy("Fix rejected, reopened"))

# Checklists -------------------------------------------------------------------------------


def _clean_items(items) -> list[tuple[str, str]]:
    rows = []
    for text, text_en in items or ():
        text, text_en = (text or "").strip(), (text_en or "").strip()
        if text or text_en:
            rows.append((text or text_en, text_en))
    if not rows:
        raise ValidationError({"items": _("A checklist needs at least one check.")})
    for text, text_en in rows:
        if len(text) > 300 or len(text_en) > 300:
            raise ValidationError({"items": _("A check may be at most 300 characters long.")})
    return rows


@transaction.atomic
def template_save(
    *,
    actor,
    template: ChecklistTemplate | None = None,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    kind: str = UNSET,
    description: str = UNSET,
    is_active: bool = UNSET,
    items=UNSET,
) -> ChecklistTemplate:
    """Create a template, or change one and raise its version. Rounds already made keep the
    checks they copied; only rounds made from now on use the new ones."""
    fields = given(
        code=code, name=name, name_en=name_en, kind=kind, description=description,
        is_active=is_active,
    )  # fmt: skip
    rows = _clean_items(items) if items is not UNSET else None
    if template is None:
        if rows is None:
            raise ValidationError({"items": _("A checklist needs at least one check.")})
        template = object_create(actor=actor, instance=ChecklistTemplate(**fields))
        old = []
    else:
        old = [(i.text, i.text_en) for i in template.items.order_by("position")]
        if rows is not None and rows != old:
            fields["version"] = template.version + 1
        template = object_update(actor=actor, instance=template, data=fields)
    if rows is not None and rows != old:
        template.items.all().delete()
        ChecklistItem.objects.bulk_create(
            ChecklistItem(template=template, position=n, text=t, text_en=e)
            for n, (t, e) in enumerate(rows, start=1)
        )
        record(
            actor=actor,
            action="update",
            obj=template,
            changes={"items": [[t for t, _e in old], [t for t, _e in rows]]},
        )
    return template


# Schedules --------------------------------------------------------------------------------


def _check_equipment(site, resource) -> None:
    if resource is not None and resource.site_id is not None and resource.site_id != site.pk:
        raise ValidationError({"resource": _("This equipment is at another site.")})


def schedule_create(
    *, actor, template, site, frequency, inspector, next_due, resource=None, is_active=True
) -> Schedule:
    """Inspect `site` with `template` every `frequency`, starting on `next_due`."""
    _check_equipment(site, resource)
    return object_create(
        actor=actor,
        instance=Schedule(
            template=template,
            site=site,
            resource=resource,
            frequency=frequency,
            inspector=inspector,
            next_due=next_due,
            is_active=is_active,
        ),
    )


def schedule_update(*, actor, schedule: Schedule, **fields) -> Schedule:
    """Change a schedule (its inspector, frequency, next date, or pause it)."""
    _check_equipment(fields.get("site", schedule.site), fields.get("resource", schedule.resource))
    return object_update(actor=actor, instance=schedule, data=fields)


def rounds_schedule(today: dt.date) -> dict:
    """Create the round of every active schedule due on or before `today`, once.

    A schedule missed for a while (the scheduler stopped) gets one round, for its earliest
    missed date, not one per missed day; its next date then moves past today. Idempotent: a
    second run the same day finds nothing due, and the unique (schedule, due date) refuses a
    duplicate created by a concurrent run.
    """
    created = 0
    for schedule in (
        Schedule.objects.filter(is_active=True, next_due__lte=today)
        .select_related("template", "site", "resource", "inspector")
        .order_by("pk")
    ):
        try:
            with transaction.atomic():
                round_create(
                    actor=None,
                    template=schedule.template,
                    site=schedule.site,
                    resource=schedule.resource,
                    inspector=schedule.inspector,
                    due_date=schedule.next_due,
                    schedule=schedule,
                )
                created += 1
        except (IntegrityError, ValidationError):
            pass  # already created by another run
        following = dates.first_after(schedule.frequency, schedule.next_due, today)
        Schedule.objects.filter(pk=schedule.pk, next_due=schedule.next_due).update(
            next_due=following
        )
    return {"created": created}


# Rounds -----------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *, actor, template, site, inspector, due_date, resource=None, schedule=None, notes=""
) -> InspectionRound:
    """Plan a round and copy the template's current checks into it."""
    if not template.is_active:
        raise ValidationError({"template": _("This checklist is no longer in use.")})
    if inspector is None or not inspector.is_active:
        raise ValidationError({"inspector": _("Choose an active user as the inspector.")})
    _check_equipment(site, resource)
    round_ = object_create(
        actor=actor,
        instance=InspectionRound(
            template=template,
            template_version=template.version,
            site=site,
            resource=resource,
            schedule=schedule,
            inspector=inspector,
            due_date=due_date,
            notes=notes,
        ),
    )
    RoundItem.objects.bulk_create(
        RoundItem(round=round_, position=i.position, text=i.text, text_en=i.text_en)
        for i in template.items.order_by("position")
    )
    return round_


def _refuse_if_completed(round_: InspectionRound) -> None:
    if round_.status == RoundStatus.CANCELLED:
        raise ValidationError(_("This round was cancelled: its checklist cannot change."))
    if not round_.editable:
        raise ValidationError(_("This round is completed: its checklist cannot change."))


def round_has_answers(round_: InspectionRound) -> bool:
    """Whether anything was recorded on the round: an answer or a hazard."""
    return (
        round_.items.exclude(result=Result.PENDING).exists()
        or Hazard.objects.filter(round=round_).exists()
    )


@transaction.atomic
def round_cancel(*, actor, round: InspectionRound, reason: str) -> InspectionRound:
    """Call a round off (the equipment was decommissioned, the site closed that day), with a
    reason kept on the round and in the audit trail. A cancelled round is never due nor
    overdue again; what was answered and found on it stays. A completed round cannot be
    cancelled."""
    round_ = InspectionRound.objects.select_for_update().get(pk=round.pk)
    _refuse_if_completed(round_)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the round is cancelled.")})
    before = snapshot(round_)
    round_.status, round_.cancelled_at = RoundStatus.CANCELLED, timezone.now()
    round_.cancel_reason = reason
    round_.full_clean()
    round_.save()
    record(actor=actor, action="inspect_cancel", obj=round_, changes=diff(before, snapshot(round_)))
    return round_


@transaction.atomic
def round_delete(*, actor, round: InspectionRound) -> None:
    """Delete a round planned by mistake, while nothing is recorded on it (no answer, no
    hazard); otherwise refused: cancel it instead, so that what was recorded stays."""
    round_ = InspectionRound.objects.select_for_update().get(pk=round.pk)
    if round_.status == RoundStatus.COMPLETED or round_has_answers(round_):
        raise ValidationError(
            _("Something was already recorded on this round: cancel it instead of deleting it.")
        )
    object_delete(actor=actor, instance=round_)


@transaction.atomic
def round_answer(*, actor, round: InspectionRound, answers: dict) -> InspectionRound:
    """Record answers: {item id: (result, remark)}. An item that is not on this round's
    checklist, or a result other than pass, fail or not applicable, refuses them all."""
    round_ = InspectionRound.objects.select_for_update().get(pk=round.pk)
    _refuse_if_completed(round_)
    items = {i.pk: i for i in round_.items.all()}
    allowed = {Result.PASS, Result.FAIL, Result.NA}
    for key, (result, remark) in answers.items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            pk = None
        if pk not in items:
            raise ValidationError(
                {"item": _("Check %(item)s is not on this round's checklist.") % {"item": key}}
            )
        if result not in allowed:
            raise ValidationError({"result": _("Answer pass, fail or not applicable.")})
        if len(remark or "") > 500:
            raise ValidationError({"remark": _("A remark may be at most 500 characters long.")})
    now = timezone.now()
    changes = {}
    for key, (result, remark) in answers.items():
        item = items[int(key)]
        if (item.result, item.remark) == (result, remark or ""):
            continue
        changes[f"{item.position}. {item.text}"] = [item.result, result]
        item.result, item.remark, item.answered_at = result, remark or "", now
        item.save(update_fields=["result", "remark", "answered_at"])
    if changes:
        if round_.status == RoundStatus.PLANNED:
            round_.status, round_.started_at = RoundStatus.IN_PROGRESS, now
            round_.save(update_fields=["status", "started_at"])
            changes["status"] = [RoundStatus.PLANNED, RoundStatus.IN_PROGRESS]
        record(actor=actor, action="inspect_answer", obj=round_, changes=changes)
    return round_


@transaction.atomic
def round_complete(*, actor, round: InspectionRound, notes: str = UNSET) -> InspectionRound:
    """Complete a round once every check is answered; its checklist is then fixed."""
    round_ = InspectionRound.objects.select_for_update().get(pk=round.pk)
    _refuse_if_completed(round_)
    left = round_.items.filter(result=Result.PENDING).count()
    if left:
        raise ValidationError(
            _("Answer every check before completing the round: %(count)d left.") % {"count": left}
        )
    before = snapshot(round_)
    now = timezone.now()
    round_.status, round_.completed_at = RoundStatus.COMPLETED, now
    round_.started_at = round_.started_at or now
    if notes is not UNSET:
        round_.notes = notes or ""
    round_.full_clean()
    round_.save()
    changes = diff(before, snapshot(round_))
    record(actor=actor, action="inspect_complete", obj=round_, changes=changes)
    return round_


# Hazards ----------------------------------------------------------------------------------


def _attach(actor, target, photos) -> list:
    return [attachment_upload(actor=actor, target=target, file=photo) for photo in photos]


@transaction.atomic
def hazard_report(
    *,
    actor,
    grade: str,
    title: str,
    description: str,
    location: str,
    round: InspectionRound | None = None,
    item: RoundItem | None = None,
    site=None,
    resource=None,
    photos=(),
) -> Hazard:
    """Record a hazard, on a round (at its site; the failed check marked failed) or on its
    own at a site, with photos (images only, their metadata removed)."""
    cleaned = clean_photos(photos)  # before anything is saved
    if round is not None:
        _refuse_if_completed(round)
        site, resource = round.site, round.resource
    if item is not None and (round is None or item.round_id != round.pk):
        raise ValidationError({"item": _("This check is not on this round's checklist.")})
    if site is None:
        raise ValidationError({"site": _("Say at which site the hazard is.")})
    hazard = object_create(
        actor=actor,
        action="hazard_report",
        instance=Hazard(
            round=round,
            item=item,
            site=site,
            resource=resource,
            grade=grade,
            title=(title or "").strip(),
            description=(description or "").strip(),
            location=(location or "").strip(),
            found_by=actor if getattr(actor, "is_authenticated", False) else None,
            found_at=timezone.now(),
        ),
    )
    if item is not None and item.result != Result.FAIL:
        round_answer(actor=actor, round=round, answers={item.pk: (Result.FAIL, item.remark)})
    _attach(actor, hazard, cleaned)
    return hazard


def hazard_update(
    *, actor, hazard: Hazard, grade=UNSET, title=UNSET, description=UNSET, location=UNSET
) -> Hazard:
    """Correct a hazard's description or change its grade (a 一般隐患 found to be 重大)."""
    if not hazard.is_open:
        raise ValidationError(_("This hazard is closed: it cannot change."))
    data = given(grade=grade, title=title, description=description, location=location)
    return object_update(actor=actor, instance=hazard, data=data)


@transaction.atomic
def hazard_withdraw(*, actor, hazard: Hazard, reason: str) -> Hazard:
    """Withdraw a hazard recorded by mistake (a duplicate, a false alarm), with a reason; it
    stays in the register, marked withdrawn, and in the audit trail. Refused once its
    rectification has started (an order was issued): the loop must then be closed."""
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if hazard.status == HazardStatus.WITHDRAWN:
        raise ValidationError(_("This hazard was already withdrawn."))
    if hazard.status != HazardStatus.OPEN or Rectification.objects.filter(hazard=hazard).exists():
        raise ValidationError(
            _(
                "The rectification of this hazard has started: it can no longer be withdrawn. "
                "Verify and close the fix instead."
            )
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the hazard is withdrawn.")})
    before = snapshot(hazard)
    hazard.status, hazard.withdrawn_at = HazardStatus.WITHDRAWN, timezone.now()
    hazard.withdraw_reason = reason
    hazard.full_clean()
    hazard.save()
    record(
        actor=actor, action="hazard_withdraw", obj=hazard, changes=diff(before, snapshot(hazard))
    )
    return hazard


def photo_add(*, actor, target, photos) -> list:
    """Add photos to a hazard or a rectification order (checked and cleaned first); returns
    the stored attachments."""
    cleaned = clean_photos(photos)
    with transaction.atomic():
        return _attach(actor, target, cleaned)


# The rectification order (五落实) ------------------------------------------------------------


def _required(**fields) -> None:
    messages = {
        "responsible": _("Name the person responsible for the rectification."),
        "measures": _("Describe the rectification measures."),
        "funding_amount": _("State the funding for the rectification (0 if none is needed)."),
        "funding_source": _("State where the funding comes from."),
        "deadline": _("Set the rectification deadline."),
        "contingency": _("Describe the contingency plan while the hazard remains."),
    }
    errors = {}
    for name, value in fields.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = messages[name]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rectification_issue(
    *,
    actor,
    hazard: Hazard,
    responsible,
    measures: str,
    funding_amount: Decimal | None,
    funding_source: str,
    deadline: dt.date | None,
    contingency: str,
) -> Rectification:
    """Issue the rectification order with its five items (五落实), or revise it while the
    hazard is being rectified (a new deadline after a rejected fix). All five are required;
    a deadline before today is refused."""
    _required(
        responsible=responsible, measures=measures, funding_amount=funding_amount,
        funding_source=funding_source, deadline=deadline, contingency=contingency,
    )  # fmt: skip
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if hazard.status not in (HazardStatus.OPEN, HazardStatus.RECTIFYING):
        raise ValidationError(
            _("This hazard is %(status)s: its order cannot be issued now.")
            % {"status": hazard.get_status_display()}
        )
    existing = Rectification.objects.filter(hazard=hazard).first()
    if deadline < timezone.localdate() and (existing is None or existing.deadline != deadline):
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    data = {
        "responsible": responsible,
        "measures": measures.strip(),
        "funding_amount": funding_amount,
        "funding_source": funding_source.strip(),
        "deadline": deadline,
        "contingency": contingency.strip(),
    }
    if existing is None:
        rect = object_create(
            actor=actor,
            action="rectify_issue",
            instance=Rectification(
                hazard=hazard, issued_by=_user(actor), issued_at=timezone.now(), **data
            ),
        )
    else:
        rect = object_update(actor=actor, instance=existing, data=data)
    if hazard.status == HazardStatus.OPEN:
        object_update(actor=actor, instance=hazard, data={"status": HazardStatus.RECTIFYING})
    return rect


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def rectification_report(*, actor, hazard: Hazard, note: str, photos=()) -> Rectification:
    """The responsible person reports the fix done, with what was done and photos."""
    cleaned = clean_photos(photos)
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if hazard.status != HazardStatus.RECTIFYING:
        raise ValidationError(_("This hazard is not being rectified."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Say what was done to remove the hazard.")})
    rect = hazard.rectification
    object_update(
        actor=actor,
        action="rectify_report",
        instance=rect,
        data={"completion_note": note.strip(), "completed_at": timezone.now()},
    )
    object_update(actor=actor, instance=hazard, data={"status": HazardStatus.VERIFYING})
    _attach(actor, rect, cleaned)
    return rect


@transaction.atomic
def hazard_verify(*, actor, hazard: Hazard, passed: bool, note: str, photos=()) -> Verification:
    """The verifier's sign-off (验收): accepted closes the hazard, rejected reopens it for
    rectification. The verifier is never the responsible person; accepting needs evidence
    (a photo now, or one with the reported fix)."""
    cleaned = clean_photos(photos)
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if hazard.status != HazardStatus.VERIFYING:
        raise ValidationError(_("No fix of this hazard is waiting for verification."))
    rect = hazard.rectification
    if getattr(actor, "person_id", None) == rect.responsible_id:
        raise ValidationError(
            _("The verifier must be someone other than the person responsible for the fix.")
        )
    if not (note or "").strip():
        raise ValidationError({"note": _("Write the verification note.")})
    if passed and not cleaned and not attachments_for(rect).exists():
        raise ValidationError({"photos": _("Attach a photo showing the fix to accept it.")})
    verification = object_create(
        actor=actor,
        action="rectify_accept" if passed else "rectify_reject",
        instance=Verification(
            hazard=hazard,
            verifier=actor,
            passed=passed,
            note=note.strip(),
            verified_at=timezone.now(),
        ),
    )
    _attach(actor, verification, cleaned)
    if passed:
        object_update(
            actor=actor,
            instance=hazard,
            data={"status": HazardStatus.CLOSED, "closed_at": verification.verified_at},
        )
    else:
        object_update(actor=actor, instance=hazard, data={"status": HazardStatus.RECTIFYING})
        object_update(actor=actor, instance=rect, data={"completed_at": None})
    return verification


# Promotion to a risk (wired by the risk app) ----------------------------------------------

# A suggested threat for each checklist kind, in the words of DOMAIN.md §2.
THREATS = {
    "fire": ("火灾", "Fire"),
    "power": ("电力中断", "Power outage"),
    "hvac": ("空调故障", "Air-conditioning failure"),
    "network": ("网络中断", "Network outage"),
}


def hazard_promotion_data(hazard: Hazard) -> dict:
    """What a risk needs to be created from this hazard in one step: title, description,
    cause, scope (site, equipment), a suggested threat name and the grade. The caller
    (the risk app) checks access and creates the risk; nothing is saved here."""
    kind = hazard.round.template.kind if hazard.round_id else ""
    threat, threat_en = THREATS.get(kind, ("", ""))
    cause = hazard.item.text if hazard.item_id else ""
    return {
        "title": hazard.title,
        "description": hazard.description,
        "cause": cause or hazard.description,
        "location": hazard.location,
        "site": hazard.site,
        "resource": hazard.resource,
        "threat_name": threat,
        "threat_name_en": threat_en,
        "grade": hazard.grade,
        "major": hazard.grade == Grade.MAJOR,
        "source": hazard.number,
    }


register_action("hazard_promote", gettext_lazy("Promoted to a risk"))

# Suggested inherent (likelihood, impact) on a 5-level matrix, by grade: a 重大隐患 is high.
GRADE_RATINGS = {Grade.MAJOR: (4, 4), Grade.GENERAL: (3, 2)}


def promotion_unit(hazard: Hazard, actor):
    """The risk's owning unit: the hazard's site's, else (a shared site) the actor's."""
    return hazard.site.unit or getattr(actor, "unit", None)


def may_promote(actor, hazard: Hazard) -> bool:
    """Whether `actor` may promote this hazard now: not promoted yet, and allowed to create
    a risk in its unit (the risk register's own check)."""
    if hazard.promoted_risk_id is not None:
        return False
    unit = promotion_unit(hazard, actor)
    return unit is not None and access.can_create(actor, Risk, unit)


def suggested_threat(hazard: Hazard):
    """The catalogue's threat named like the one suggested for the hazard's checklist."""
    data = hazard_promotion_data(hazard)
    if not data["threat_name"]:
        return None
    return Threat.objects.filter(active=True, name=data["threat_name"]).order_by("pk").first()


def suggested_ratings(hazard: Hazard, matrix) -> tuple[int, int]:
    """(likelihood, impact) pre-filled from the grade, kept within the matrix's scales."""
    likelihood, impact = GRADE_RATINGS.get(hazard.grade, (3, 3))
    return min(likelihood, len(matrix.likelihood)), min(impact, len(matrix.impact))


@transaction.atomic
def hazard_promote(*, actor, hazard: Hazard, threat=None, likelihood, impact, owner=None):
    """Create a risk of the register from this hazard, in one step, and link them.

    Title, description, cause and scope (site, equipment) come from the hazard, with its
    number as the risk's source; the threat is the one chosen, else the catalogue's
    suggestion for the checklist; the ratings are scored on the current matrix. Refused,
    nothing saved, if the hazard was already promoted or the actor may not create a risk
    in its unit. Both the risk's creation and the hazard's link are audited.
    """
    hazard = (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("site__unit")
        .get(pk=hazard.pk)
    )
    if hazard.promoted_risk_id is not None:
        raise ValidationError(_("This hazard was already promoted to a risk."))
    unit = promotion_unit(hazard, actor)
    if unit is None:
        raise ValidationError(_("This hazard's site belongs to no unit: say whose risk it is."))
    if actor is not None and not access.can_create(actor, Risk, unit):
        raise PermissionDenied(_("You may not create a risk in this unit."))
    threat = threat or suggested_threat(hazard)
    if threat is None:
        raise ValidationError({"threat": _("Choose the threat of the risk.")})
    data = hazard_promotion_data(hazard)
    source = _("Source: hazard %(number)s") % {"number": hazard.number}
    description = "\n\n".join(p for p in (data["description"], data["location"], source) if p)
    risk = risk_services.risk_create(
        actor=actor,
        code=f"R-{hazard.number}",
        title=data["title"][:200],
        threat=threat,
        unit=unit,
        owner=owner,
        cause=data["cause"],
        description=description,
        inherent_likelihood=likelihood,
        inherent_impact=impact,
        sites=[hazard.site],
        resources=[hazard.resource] if hazard.resource_id else [],
    )
    hazard.promoted_risk = risk
    hazard.save(update_fields=["promoted_risk"])
    record(
        actor=actor,
        action="hazard_promote",
        obj=hazard,
        changes={"promoted_risk": [None, risk.pk], "risk": [None, risk.code]},
    )
    return risk
