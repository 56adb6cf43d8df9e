"""Plan activation and the task board (issue 13 item 4).

Choosing the plans — proposed from what failed, the what-if page's "plans to activate" — copies
each plan version's steps into tasks on the incident's board, by phase; a plan may be activated
under another (nested plans). Each task is started, finished or skipped with its time; the
critical path is recomputed from actual progress (engine.plans.project) and the projected
recovery of each activity compared with its RTO. The activated plan's call tree is notified
through notification, marked as a drill in a drill.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.audit.actions import register_action
from resilia.core.trail import record
from resilia.dependencies.models import Activity
from resilia.engine.plans import Step, project
from resilia.incidents import clock as incident_clock
from resilia.incidents.clock import CLOCK_SKEW
from resilia.incidents.models import (
    Activation,
    EntryKind,
    Incident,
    JournalEntry,
    Status,
    Task,
    TaskState,
)
from resilia.plans import content as plan_content
from resilia.plans import selectors as plan_selectors
from resilia.plans.models import PlanVersion
from resilia.plans.models import Status as PlanStatus

register_action("incident_activate", gettext_lazy("Plan activated"))
register_action("incident_task", gettext_lazy("Task updated"))


def proposed(user, incident: Incident, *, keys: list[str] | None = None) -> list:
    """The published plans whose scope holds a failed or stopped node (plans.selectors), not
    activated yet for this incident; `keys`: its failed nodes when the caller has them."""
    from resilia.analysis.results import Analysis
    from resilia.analysis.whatif import WhatIfReport

    keys = set(incident_clock.failed_keys(incident) if keys is None else keys)
    if keys:
        analysis = Analysis(user)
        known = incident_clock._known(analysis, sorted(keys))
        if known:
            keys |= WhatIfReport.run(analysis, known, at=incident.detected_at).affected_keys()
    done = set(incident.activations.values_list("plan_version__plan__code", flat=True))
    return [a for a in plan_selectors.activations(user, keys) if a.code not in done]


def activatable(user):
    """The plan versions one may activate: the published version of each readable plan."""
    from resilia.plans.models import Plan

    return (
        PlanVersion.objects.filter(
            plan__in=Plan.objects.for_user(user), status=PlanStatus.PUBLISHED
        )
        .select_related("plan")
        .order_by("plan__code")
    )


@transaction.atomic
def activate(
    *, actor, incident: Incident, version: PlanVersion, parent: Activation | None = None,
    notify: bool = False, now=None,
) -> Activation:  # fmt: skip
    """Activate a published plan version: its steps become the board's tasks; its call tree is
    notified when asked (the message marked as a drill in a drill)."""
    now = now or timezone.now()
    if not incident.is_open:
        raise ValidationError(_("A resolved or closed incident can no longer be changed."))
    if version.status != PlanStatus.PUBLISHED:
        raise ValidationError({"plan": _("Only a published plan can be activated.")})
    if incident.activations.filter(plan_version=version).exists():
        raise ValidationError({"plan": _("This plan is already activated for the incident.")})
    if parent is not None and parent.incident_id != incident.pk:
        raise ValidationError({"parent": _("That activation is another incident's.")})
    activation = Activation.objects.create(
        incident=incident,
        plan_version=version,
        parent=parent,
        activated_at=now,
        activated_by=actor,
    )
    steps = plan_content.normalised(version.content)["steps"]
    Task.objects.bulk_create(
        Task(
            activation=activation,
            key=s["key"],
            phase=s.get("phase") or "response",
            position=n,
            who=(s.get("who") or "")[:300],
            what=s.get("what") or s["key"],
            where=(s.get("where") or "")[:300],
            how=s.get("how") or "",
            minutes=int(s.get("minutes") or 0),
            after=list(s.get("after") or ()),
            activities=[int(a) for a in s.get("activities") or ()],
        )
        for n, s in enumerate(steps, start=1)
    )
    if notify:
        activation.send = _notify(actor, incident, version, now)
        activation.save(update_fields=["send"])
    record(
        actor=actor,
        action="incident_activate",
        obj=incident,
        changes={
            "plan": [None, f"{version.plan.code} v{version.number}"],
            "tasks": [None, len(steps)],
        },
    )
    JournalEntry.objects.create(
        incident=incident,
        at=now,
        kind=EntryKind.DECISION,
        text=_("Plan activated: %(plan)s.") % {"plan": version.plan.display_name},
        author=actor,
    )
    if incident.status in (Status.REPORTED, Status.ASSESSED):
        old = incident.status
        incident.status = Status.RESPONDING
        incident.save(update_fields=["status", "updated_at"])
        record(
            actor=actor,
            action="incident_status",
            obj=incident,
            changes={"status": [old, incident.status]},
        )
    return activation


def _notify(actor, incident, version, now):
    """Notify the people of the plan's call tree through notification (e-mail and the other
    active channels), with the incident template; refused, nothing activated, when nobody can
    be reached."""
    from resilia.notify import services as notify
    from resilia.notify.models import Channel, MessageTemplate
    from resilia.org.models import Person

    template = MessageTemplate.objects.filter(code="INCIDENT").first()
    if template is None:
        raise ValidationError(
            {"notify": _("There is no message template with the code INCIDENT to notify with.")}
        )
    contacts = plan_selectors.plan_contacts(user=None, plan_version=version)
    people = list(Person.objects.filter(pk__in=[c.person_id for c in contacts if c.person_id]))
    drill = _("DRILL") if incident.is_drill else ""
    title = f"[{drill}] {incident.title}" if drill else incident.title
    happened = f"{incident.code} {incident.title}"
    if drill:
        happened = f"【{drill}】{happened}"
    return notify.send_start(
        actor=actor,
        title=title[:200],
        template=template,
        channels=list(Channel.objects.filter(is_active=True)),
        people=people,
        context={
            "title": title,
            "incident": happened,
            "plan": version.plan.display_name,
            "level": incident.level_name,
        },
        now=now,
    )


def _check_time(at, now, field):
    if at > now + CLOCK_SKEW:
        raise ValidationError({field: _("A task cannot be marked in the future.")})


@transaction.atomic
def task_update(*, actor, task: Task, state: str, at=None, notes=None, now=None) -> Task:
    """Start, finish or skip a task (or reopen it), at `at` (default now); a finish before the
    start is refused. Marking a task with the state it already has changes nothing (a repeated
    tap on a phone, a form sent twice)."""
    now = now or timezone.now()
    task = Task.objects.select_for_update().select_related("activation__incident").get(pk=task.pk)
    incident = task.activation.incident
    if incident.status == Status.CLOSED:
        raise ValidationError(_("The incident is closed: its task board is kept as it is."))
    at = at or now
    _check_time(at, now, "at")
    before = {"state": task.state, "started_at": task.started_at, "finished_at": task.finished_at}
    if state == task.state and notes is None:
        return task
    if state == TaskState.STARTED:
        if task.state != TaskState.STARTED:
            task.started_at, task.finished_at = at, None
    elif state == TaskState.DONE:
        start = task.started_at or at
        if at < start:
            raise ValidationError(
                {"at": _("A task cannot finish before it started (%(start)s).")
                 % {"start": timezone.localtime(start).strftime("%Y-%m-%d %H:%M")}}
            )  # fmt: skip
        if at < incident.detected_at:
            raise ValidationError({"at": _("A task cannot finish before the incident began.")})
        task.started_at, task.finished_at = start, at
    elif state == TaskState.SKIPPED:
        task.finished_at = at
        task.started_at = task.started_at if task.started_at and task.started_at <= at else None
    elif state == TaskState.PENDING:
        task.started_at = task.finished_at = None
    else:
        raise ValidationError({"state": _("Unknown task state.")})
    if state == TaskState.STARTED and at < incident.detected_at - dt.timedelta(days=1):
        raise ValidationError({"at": _("A task cannot start long before the incident began.")})
    task.state = state
    if notes is not None:
        task.notes = notes.strip()
    task.save()
    after = {"state": task.state, "started_at": task.started_at, "finished_at": task.finished_at}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if notes is not None:
        changes["notes"] = [None, task.notes]
    record(actor=actor, action="incident_task", obj=task, changes=changes)
    return task


@transaction.atomic
def task_assign(*, actor, task: Task, owner) -> Task:
    old = task.owner
    task.owner = owner
    task.save(update_fields=["owner", "updated_at"])
    record(
        actor=actor,
        action="update",
        obj=task,
        changes={"owner": [str(old) if old else None, str(owner) if owner else None]},
    )
    return task


def _minutes(incident, moment) -> float:
    return (moment - incident.detected_at).total_seconds() / 60


def board(incident: Incident, *, now=None) -> dict:
    """The task board: each activation with its tasks by phase, the projected end of its
    steps and, per activity in its scope, the projected recovery against its RTO (minutes from
    detection). Three queries whatever the number of tasks."""
    now = now or timezone.now()
    activations = list(
        incident.activations.select_related("plan_version__plan", "parent", "send").order_by(
            "activated_at", "pk"
        )
    )
    tasks = list(
        Task.objects.filter(activation__incident=incident)
        .select_related("owner")
        .order_by("activation_id", "position")
    )
    by_activation: dict[int, list[Task]] = {a.pk: [] for a in activations}
    for t in tasks:
        by_activation[t.activation_id].append(t)
    activity_ids = {a for t in tasks for a in t.activities}
    activities = Activity.objects.in_bulk(activity_ids) if activity_ids else {}
    elapsed = _minutes(incident, now)
    out = []
    for activation in activations:
        mine = by_activation[activation.pk]
        timed = [t for t in mine if t.phase in plan_content.TIMED_PHASES]
        keys = {t.key for t in timed}
        steps = [
            Step(
                t.key,
                t.minutes,
                tuple(p for p in t.after if p in keys),
                tuple(str(a) for a in t.activities),
            )
            for t in timed
        ]
        offset = _minutes(incident, activation.activated_at)
        started = {t.key: _minutes(incident, t.started_at) for t in timed if t.started_at}
        finished = {
            t.key: _minutes(incident, t.finished_at) for t in timed if t.state == TaskState.DONE
        }
        skipped = [t.key for t in timed if t.state == TaskState.SKIPPED]
        try:
            projection = project(
                [Step(s.key, s.minutes, s.after, s.targets) for s in steps],
                now=max(elapsed, offset),
                started=started,
                finished=finished,
                skipped=skipped,
            )
        except ValueError:
            projection = None
        rows = []
        if projection is not None:
            for target, end in sorted(projection.targets.items()):
                act = activities.get(int(target)) if target.isdigit() else None
                if act is None:
                    continue
                rows.append({"activity": act, "end": end, "rto": act.rto,
                             "late": act.rto is not None and end > act.rto})  # fmt: skip
        phases = []
        for code, label in plan_content.PHASES:
            items = [t for t in mine if t.phase == code]
            if items:
                phases.append({"code": code, "label": label, "tasks": items})
        counts = {s: sum(1 for t in mine if t.state == s) for s in TaskState.values}
        out.append(
            {
                "activation": activation,
                "phases": phases,
                "counts": counts,
                "total": len(mine),
                "projection": projection,
                "late": set(projection.late) if projection else set(),
                "end": projection.end if projection else None,
                "recoveries": rows,
            }
        )
    return {"activations": out, "elapsed": elapsed, "now": now}
