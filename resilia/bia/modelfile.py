"""The `bia` section of the continuity model file (docs/model-format.md): the impact
framework and each activity's latest approved assessment, so that `resilia model export` /
`import` carry the ratings behind the approved objectives (the activities' own section carries
the objectives themselves).

Import, all or nothing with the rest of the file:
- a framework that differs from the current one is saved as a new version;
- an approved assessment whose answers differ from the activity's latest approved one is kept
  as an approved assessment of the campaign MODEL-FILE (created, closed, for this purpose),
  with the importer as approver; checked by the questionnaire's own rules (ratings on the
  scale and never falling, RTO strictly below the MTPD).
"""

from __future__ import annotations

import copy
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from resilia.bia import services, validation
from resilia.bia.models import Assessment, Campaign, CampaignStatus, FrameworkVersion, Status
from resilia.core.services import object_create, object_update
from resilia.dependencies.modelio import Problem, Section
from resilia.dependencies.models import Activity

CAMPAIGN_CODE = "MODEL-FILE"
FRAMEWORK_KEYS = ("categories", "time_points", "tiers", "peak_periods", "resource_points")
ANSWER_KEYS = (
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
    "customer_facing",
    "accounting",
    "time_critical",
    "severe_impact",
    "mtpd_override",
    "override_reason",
)


def export() -> dict | None:
    framework = FrameworkVersion.objects.order_by("-number").first()
    if framework is None:
        return None
    latest = services.last_approved(
        Assessment.objects.filter(status=Status.APPROVED).values_list("activity_id", flat=True)
    )
    approved = []
    for a in sorted(latest.values(), key=lambda a: a.activity.code):
        item = {"activity": a.activity.code}
        for key in ANSWER_KEYS:
            item[key] = copy.deepcopy(getattr(a, key))
        approved.append(item)
    return {
        "framework": {
            "number": framework.number,
            **{k: getattr(framework, k) for k in FRAMEWORK_KEYS},
        },
        "approved": approved,
    }


def _trial(framework: FrameworkVersion, item: dict) -> Assessment:
    a = Assessment(framework=framework)
    for key in ANSWER_KEYS:
        if key in item:
            setattr(a, key, copy.deepcopy(item[key]))
    return services.derive_assessment(a)


def _framework_of(section: dict) -> FrameworkVersion:
    """The framework the section's ratings are read with: the file's own (unsaved) when it
    has one, else the current one."""
    fw = section.get("framework")
    if fw:
        trial = FrameworkVersion(number=fw.get("number") or 0)
        for key in FRAMEWORK_KEYS:
            setattr(trial, key, copy.deepcopy(fw.get(key, [])))
        return trial
    return services.current_framework()


def check(section: dict, data: dict) -> list[Problem]:
    problems = []
    fw = section.get("framework")
    if fw:
        try:
            validation.check_framework({k: fw.get(k, []) for k in FRAMEWORK_KEYS})
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                problems += [Problem(f"bia.framework.{field}", m) for m in messages]
    if problems:
        return problems
    framework = _framework_of(section)
    in_file = {a.get("code") for a in data.get("activities") or [] if isinstance(a, dict)}
    known = set(
        Activity.objects.filter(
            code__in=[i.get("activity") for i in section.get("approved", [])]
        ).values_list("code", flat=True)
    )
    seen = set()
    for n, item in enumerate(section.get("approved") or []):
        path = f"bia.approved[{n}]"
        code = item.get("activity")
        if code in seen:
            problems.append(Problem(path, _("%(code)s is listed twice.") % {"code": code}))
        seen.add(code)
        if code not in in_file and code not in known:
            problems.append(
                Problem(
                    f"{path}.activity", _("No activity has the code %(code)s.") % {"code": code}
                )
            )
        a = _trial(framework, item)
        try:
            validation.check_answers(a)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                problems += [Problem(f"{path}.{field}", m) for m in messages]
        if a.mtpd_override is not None and not (a.override_reason or "").strip():
            problems.append(
                Problem(f"{path}.override_reason", _("A different MTPD needs a written reason."))
            )
    return problems


def apply(section: dict, actor, report) -> None:
    fw = section.get("framework")
    current = services.current_framework()
    if fw and any(fw.get(k, getattr(current, k)) != getattr(current, k) for k in FRAMEWORK_KEYS):
        current = services.framework_save(
            actor=actor,
            note=_("Imported with the continuity model"),
            **{k: fw[k] for k in FRAMEWORK_KEYS if k in fw},
        )
        report.created["bia framework versions"] += 1
    items = section.get("approved") or []
    if not items:
        return
    activities = {
        a.code: a for a in Activity.objects.filter(code__in=[i["activity"] for i in items])
    }
    latest = services.last_approved([a.pk for a in activities.values()])
    campaign = None
    for item in items:
        activity = activities[item["activity"]]
        before = latest.get(activity.pk)
        if before is not None and all(
            getattr(before, k) == item.get(k, getattr(before, k)) for k in ANSWER_KEYS
        ):
            continue
        if campaign is None:
            campaign = _campaign(actor, current)
        fields = {k: copy.deepcopy(item[k]) for k in ANSWER_KEYS if k in item}
        existing = Assessment.objects.filter(campaign=campaign, activity=activity).first()
        if existing is None:
            a = _derive_into(
                Assessment(
                    campaign=campaign,
                    activity=activity,
                    framework=current,
                    status=Status.APPROVED,
                    approved_at=timezone.now(),
                    approved_by=actor,
                    **fields,
                )
            )
            object_create(actor=actor, instance=a)
            report.created["bia approved assessments"] += 1
        else:
            trial = _derive_into(Assessment(framework=current, **fields))
            object_update(
                actor=actor,
                instance=existing,
                data={
                    **fields,
                    "framework": current,
                    "derived_mtpd": trial.derived_mtpd,
                    "derived_drivers": trial.derived_drivers,
                    "derived_peak": trial.derived_peak,
                    "approved_at": timezone.now(),
                    "approved_by": actor,
                },
            )
            report.updated["bia approved assessments"] += 1


def _derive_into(a: Assessment) -> Assessment:
    return services.derive_assessment(a)


def _campaign(actor, framework) -> Campaign:
    campaign = Campaign.objects.filter(code=CAMPAIGN_CODE).first()
    if campaign is not None:
        return campaign
    today = timezone.localdate()
    return object_create(
        actor=actor,
        instance=Campaign(
            code=CAMPAIGN_CODE,
            name=_("Imported with the continuity model"),
            period_start=dt.date(today.year, 1, 1),
            period_end=dt.date(today.year, 12, 31),
            deadline=today,
            framework=framework,
            status=CampaignStatus.CLOSED,
        ),
    )


SECTION = Section(export=export, check=check, apply=apply)
