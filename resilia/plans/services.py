"""State changes of the plans: creation from a template, content edits, the sign-off
(编制 / 审核 / 批准), publication, new versions, distribution and acknowledgements.

Views, the API and the demo call these; each validates, saves and writes its audit event in
one transaction. The critical path is resilia.engine.plans, through content.compute_schedule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.audit.actions import register_action
from resilia.core import access
from resilia.core.services import UNSET, given, object_create, object_update
from resilia.core.trail import diff, record, snapshot
from resilia.dependencies.models import Activity
from resilia.org.models import Person, Team
from resilia.plans import access as plan_access
from resilia.plans import blueprints
from resilia.plans import content as c
from resilia.plans.models import (
    Acknowledgement,
    PackIssue,
    Plan,
    PlanVersion,
    Signature,
    SignatureRole,
    Status,
)

register_action("sign", gettext_lazy("Sign"))
register_action("return", gettext_lazy("Return with comments"))
register_action("retire", gettext_lazy("Retire"))
register_action("issue_pack", gettext_lazy("Offline pack issued"))
register_action("acknowledge", gettext_lazy("Acknowledge reading"))
register_action("verify_contacts", gettext_lazy("Verify contacts"))


def _frozen_error():
    return ValidationError(
        _("This version is no longer a draft: its content cannot change. Start a new version."),
        code="frozen",
    )


def scope_of(version: PlanVersion) -> dict:
    """The scope as the canonical content names it: codes, sorted."""
    return {
        "activities": sorted(version.activities.values_list("code", flat=True)),
        "resources": sorted(version.resources.values_list("code", flat=True)),
        "sites": sorted(version.sites.values_list("code", flat=True)),
        "alternate_site": version.alternate_site.code if version.alternate_site_id else None,
    }


def canonical_text(version: PlanVersion) -> str:
    """The exact text the signatures of this version are over."""
    return c.canonical(version, c.normalised(version.content), scope_of(version))


def _check_content(actor, content: dict, activity_ids) -> None:
    teams = set(Team.objects.for_user(actor).values_list("pk", flat=True)) if actor else None
    people = set(Person.objects.for_user(actor).values_list("pk", flat=True)) if actor else None
    c.validate(content, team_ids=teams, person_ids=people, activity_ids=set(activity_ids))


def _refresh_schedule(version: PlanVersion) -> None:
    ids = list(version.activities.values_list("pk", flat=True))
    version.schedule = c.compute_schedule(c.normalised(version.content), ids)
    PlanVersion.objects.filter(pk=version.pk).update(schedule=version.schedule)


def _sync_status(plan: Plan) -> None:
    newest = plan.versions.order_by("-number").first()
    status = newest.status if newest else Status.DRAFT
    published = plan.versions.filter(status=Status.PUBLISHED).exists()
    # A draft of a new version does not hide the published one from the register.
    shown = Status.PUBLISHED if published and status == Status.DRAFT else status
    if plan.status != shown:
        Plan.objects.filter(pk=plan.pk).update(status=shown)
        plan.status = shown


@transaction.atomic
def plan_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    unit,
    name_en: str = "",
    blueprint: str = "",
    activity: Activity | None = None,
    resource=None,
    owner: Person | None = None,
    review_months: int = 12,
    language: str | None = None,
) -> Plan:
    """A new plan with its first draft, from a seeded template when `blueprint` names one."""
    if actor is not None and not access.may_place(actor, Plan, unit):
        raise PermissionDenied
    if blueprint and blueprint not in blueprints.BY_CODE:
        raise ValidationError({"blueprint": _("There is no such template.")})
    plan = Plan(
        code=code,
        name=name,
        name_en=name_en,
        kind=kind,
        unit=unit,
        scenario=blueprint,
        activity=activity,
        resource=resource,
        owner=owner,
        review_months=review_months,
    )
    object_create(actor=actor, instance=plan)
    body = blueprints.instantiate(blueprint, language) if blueprint else c.empty()
    version = PlanVersion(
        plan=plan,
        number=1,
        change_note=_("First version"),
        content=body,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    object_create(actor=actor, instance=version)
    if activity is not None:
        version.activities.add(activity)
    if resource is not None:
        version.resources.add(resource)
    _refresh_schedule(version)
    return plan


@transaction.atomic
def plan_update(
    *,
    actor,
    plan: Plan,
    name: str = UNSET,
    name_en: str = UNSET,
    owner: Person | None = UNSET,
    review_months: int = UNSET,
    next_review: dt.date | None = UNSET,
    distribution: list[Person] = UNSET,
) -> Plan:
    """Change the plan's own fields and its distribution list."""
    data = given(
        name=name,
        name_en=name_en,
        owner=owner,
        review_months=review_months,
        next_review=next_review,
    )
    object_update(actor=actor, instance=plan, data=data)
    if distribution is not UNSET:
        before = sorted(plan.distribution.values_list("pk", flat=True))
        plan.distribution.set(distribution)
        after = sorted(p.pk for p in distribution)
        if before != after:
            record(
                actor=actor, action="update", obj=plan, changes={"distribution": [before, after]}
            )
    return plan


@transaction.atomic
def version_update(
    *,
    actor,
    version: PlanVersion,
    content: dict = UNSET,
    change_note: str = UNSET,
    activities: list[Activity] = UNSET,
    resources: list = UNSET,
    sites: list = UNSET,
    alternate_site=UNSET,
) -> PlanVersion:
    """Change a draft: content, change note, scope. Steps in a cycle, unknown placeholders,
    references out of the actor's reach are refused; the critical path is recomputed."""
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if not version.editable:
        raise _frozen_error()
    before_scope = scope_of(version)
    ids = (
        [a.pk for a in activities]
        if activities is not UNSET
        else list(version.activities.values_list("pk", flat=True))
    )
    if content is not UNSET:
        content = c.normalised(content)
        _check_content(actor, content, ids)
    elif activities is not UNSET:
        _check_content(actor, c.normalised(version.content), ids)
    data = given(content=content, change_note=change_note, alternate_site=alternate_site)
    if "change_note" in data and not (data["change_note"] or "").strip():
        raise ValidationError({"change_note": _("Say what this version changes.")})
    object_update(actor=actor, instance=version, data=data)
    for name, items in (("activities", activities), ("resources", resources), ("sites", sites)):
        if items is not UNSET:
            getattr(version, name).set(items)
    after_scope = scope_of(version)
    if after_scope != before_scope:
        record(actor=actor, action="update", obj=version, changes=diff(before_scope, after_scope))
    _refresh_schedule(version)
    return version


def _check_password(actor, password: str) -> None:
    if actor is None or not password or not actor.check_password(password):
        raise ValidationError(
            {"password": _("Your password is not correct; the version is not signed.")},
            code="password",
        )


def _signer_name(actor) -> str:
    """The signer as the sign-off shows them: the person they are linked to, else the user."""
    person = getattr(actor, "person", None)
    return (person.full_name if person else "") or actor.get_full_name() or actor.get_username()


def _sign(actor, version: PlanVersion, role: str, password: str, comment: str = "") -> Signature:
    _check_password(actor, password)
    if version.signatures.filter(user=actor).exists():
        raise ValidationError(
            _(
                "You have already signed this version; 编制人, 审核人 and 批准人 are three "
                "different people."
            ),
            code="same_signer",
        )
    digest = c.sha256(canonical_text(version))
    if version.content_sha256 and digest != version.content_sha256:
        raise ValidationError(_("The content changed since it was submitted."), code="changed")
    sig = Signature(
        version=version,
        role=role,
        user=actor,
        name=_signer_name(actor),
        sha256=digest,
        comment=comment,
    )
    sig.full_clean()
    sig.save()
    record(
        actor=actor,
        action="sign",
        obj=version,
        changes={"signature": [None, role], "sha256": [None, digest]},
    )
    return sig


def _set_status(
    actor, version: PlanVersion, status: str, action: str, note: dict | None = None, **extra
) -> None:
    """Change the version's status with one audit event (`note`: more changes to record)."""
    before = snapshot(version)
    version.status = status
    for k, v in extra.items():
        setattr(version, k, v)
    version.full_clean()
    version.save()
    changes = diff(before, snapshot(version)) | (note or {})
    record(actor=actor, action=action, obj=version, changes=changes)
    _sync_status(version.plan)


def _locked(version: PlanVersion) -> PlanVersion:
    return PlanVersion.objects.select_for_update().select_related("plan__unit").get(pk=version.pk)


@transaction.atomic
def version_submit(*, actor, version: PlanVersion, password: str) -> PlanVersion:
    """The author (编制人) signs the draft and sends it for review; its content freezes."""
    version = _locked(version)
    if not plan_access.may_submit(actor, version):
        raise PermissionDenied
    _check_password(actor, password)
    _check_content(
        None, c.normalised(version.content), version.activities.values_list("pk", flat=True)
    )
    version.content_sha256 = c.sha256(canonical_text(version))
    _sign(actor, version, SignatureRole.AUTHOR, password)
    _set_status(actor, version, Status.IN_REVIEW, "submit")
    return version


@transaction.atomic
def version_return(*, actor, version: PlanVersion, comment: str) -> PlanVersion:
    """The reviewer or approver sends the version back to its author as a draft; the
    signatures are withdrawn (the content may change again)."""
    version = _locked(version)
    if not (plan_access.may_review(actor, version) or plan_access.may_approve(actor, version)):
        raise PermissionDenied
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what the author should change.")})
    version.signatures.all().delete()
    note = {"comment": [None, comment]}
    _set_status(actor, version, Status.DRAFT, "return", note=note, content_sha256="")
    return version


@transaction.atomic
def version_review(*, actor, version: PlanVersion, password: str, comment: str = "") -> Signature:
    """The reviewer (审核人, the BCM office) signs the version in review."""
    version = _locked(version)
    if not plan_access.may_review(actor, version):
        raise PermissionDenied
    if version.signatures.filter(role=SignatureRole.REVIEWER).exists():
        raise ValidationError(_("This version is already reviewed."), code="reviewed")
    return _sign(actor, version, SignatureRole.REVIEWER, password, comment)


@transaction.atomic
def version_approve(
    *, actor, version: PlanVersion, password: str, comment: str = ""
) -> PlanVersion:
    """The approver (批准人, head of the plan's unit) signs the reviewed version: approved."""
    version = _locked(version)
    if not plan_access.may_approve(actor, version):
        raise PermissionDenied
    _sign(actor, version, SignatureRole.APPROVER, password, comment)
    _set_status(actor, version, Status.APPROVED, "approve")
    return version


@transaction.atomic
def version_publish(*, actor, version: PlanVersion, today: dt.date | None = None) -> PlanVersion:
    """Publish an approved version; the one published before is superseded, the review date
    set to `review_months` ahead."""
    version = _locked(version)
    if not plan_access.may_publish(actor, version):
        raise PermissionDenied
    for old in version.plan.versions.filter(status=Status.PUBLISHED).exclude(pk=version.pk):
        _set_status(actor, old, Status.SUPERSEDED, "update")
    _set_status(actor, version, Status.PUBLISHED, "publish", published_at=timezone.now())
    plan = version.plan
    today = today or timezone.localdate()
    object_update(
        actor=actor, instance=plan, data={"next_review": add_months(today, plan.review_months)}
    )
    return version


@transaction.atomic
def version_retire(*, actor, version: PlanVersion) -> PlanVersion:
    """Withdraw a published version without a successor (the plan is no longer in force)."""
    version = _locked(version)
    if not plan_access.may_retire(actor, version):
        raise PermissionDenied
    _set_status(actor, version, Status.RETIRED, "retire")
    return version


@transaction.atomic
def version_new(*, actor, plan: Plan, change_note: str) -> PlanVersion:
    """A new draft copied from the newest version (scope and content), with its change note."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not plan_access.may_new_version(actor, plan):
        raise PermissionDenied
    if plan.versions.filter(status__in=(Status.DRAFT, Status.IN_REVIEW, Status.APPROVED)).exists():
        raise ValidationError(
            _("This plan already has a version in progress; finish or return it first."),
            code="in_progress",
        )
    if not (change_note or "").strip():
        raise ValidationError({"change_note": _("Say what this version changes.")})
    source = plan.versions.order_by("-number").first()
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(
        plan=plan,
        number=number,
        change_note=change_note,
        content=source.content if source else c.empty(),
        alternate_site=source.alternate_site if source else None,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    object_create(actor=actor, instance=version)
    if source is not None:
        version.activities.set(source.activities.all())
        version.resources.set(source.resources.all())
        version.sites.set(source.sites.all())
    _refresh_schedule(version)
    _sync_status(plan)
    return version


@transaction.atomic
def version_acknowledge(*, actor, version: PlanVersion) -> Acknowledgement:
    """The signed-in holder confirms they read the published version (阅知)."""
    person = getattr(actor, "person", None)
    version = PlanVersion.objects.select_related("plan").get(pk=version.pk)
    if version.status != Status.PUBLISHED:
        raise ValidationError(_("Only the published version is acknowledged."), code="status")
    if person is None or not version.plan.distribution.filter(pk=person.pk).exists():
        raise ValidationError(_("You are not on this plan's distribution list."), code="not_holder")
    ack, created = Acknowledgement.objects.get_or_create(version=version, person=person)
    if created:
        record(
            actor=actor, action="acknowledge", obj=version, changes={"person": [None, person.pk]}
        )
    return ack


@transaction.atomic
def plan_contacts_verify(*, actor, plan: Plan) -> Plan:
    """The owner or the BCM office confirms the plan's contacts are current."""
    if not access.can_write(actor, plan):
        raise PermissionDenied
    before = snapshot(plan)
    plan.contacts_verified_at = timezone.now()
    plan.save(update_fields=["contacts_verified_at"])
    record(actor=actor, action="verify_contacts", obj=plan, changes=diff(before, snapshot(plan)))
    return plan


@transaction.atomic
def pack_issue(*, actor, version: PlanVersion, manifest_sha256: str) -> PackIssue:
    """Record that `actor` downloaded the offline pack of `version` whose manifest has this
    SHA-256 (the holders of stale packs are found from these rows)."""
    issue = PackIssue(version=version, user=actor, manifest_sha256=manifest_sha256)
    issue.full_clean()
    issue.save()
    record(
        actor=actor,
        action="issue_pack",
        obj=version,
        changes={"manifest_sha256": [None, manifest_sha256]},
    )
    return issue


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def summary(content: dict[str, Any]) -> dict[str, int]:
    return {k: len(v) for k, v in c.normalised(content).items() if isinstance(v, list)}
