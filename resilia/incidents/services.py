"""State changes of incidents (issue 13).

Views, the API, the scheduler and the webhook call these; each change is validated, saved and
audited in one transaction, and refuses bad input with translated messages before anything is
saved: a level the rules do not give without a reason, a report on a closed incident, a review
before the incident is resolved, a close without the review, a journal entry in the future.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.audit.actions import register_action
from resilia.core.models import in_reader_language
from resilia.core.trail import diff, record, snapshot
from resilia.engine import grading
from resilia.incidents import clock as incident_clock
from resilia.incidents.clock import CLOCK_SKEW
from resilia.incidents.models import (
    NEXT,
    OPEN_STATUSES,
    ActionStatus,
    CorrectiveAction,
    Deadline,
    EntryKind,
    GradingPack,
    Incident,
    JournalEntry,
    LevelChange,
    Report,
    Review,
    Role,
    Status,
)

register_action("incident_declare", gettext_lazy("Incident declared"))
register_action("incident_level", gettext_lazy("Response level changed"))
register_action("incident_status", gettext_lazy("Incident status changed"))
register_action("incident_report", gettext_lazy("Incident report filed"))
register_action("incident_close", gettext_lazy("Incident closed"))


OPEN = OPEN_STATUSES


# Grading packs ---------------------------------------------------------------------------


def install_default_packs() -> list[GradingPack]:
    """Create the default packs (engine.grading.DEFAULT_PACKS) that do not exist yet."""
    made = []
    for pack in grading.DEFAULT_PACKS:
        if not GradingPack.objects.filter(code=pack["code"]).exists():
            rules = {k: v for k, v in pack.items() if k not in ("code", "version")}
            made.append(
                GradingPack.objects.create(
                    code=pack["code"],
                    version=pack["version"],
                    name=pack["name"],
                    name_en=pack["name_en"],
                    rules=rules,
                )
            )
    return made


def current_packs():
    """The newest version of each enabled pack (the choices when declaring). A database whose
    packs were never installed (flushed, restored from before incidents) gets the defaults."""
    if not GradingPack.objects.exists():
        install_default_packs()
    newest = GradingPack.objects.values("code").annotate(v=Max("version"))
    pks = [
        GradingPack.objects.get(code=row["code"], version=row["v"]).pk
        for row in newest
        if row["code"]
    ]
    return GradingPack.objects.filter(pk__in=pks, enabled=True).order_by("code")


@transaction.atomic
def pack_save(*, actor, pack: GradingPack, rules: dict, note: str = "") -> GradingPack:
    """Save a new version of a pack with these rules; the old version stays as it was, and the
    incidents graded with it keep it."""
    problems = grading.check({**rules, "code": pack.code})
    if problems:
        raise ValidationError(
            {
                "rules": _("The rules cannot be used: %(problems)s.")
                % {"problems": "; ".join(problems)}
            }
        )
    newest = GradingPack.objects.filter(code=pack.code).aggregate(v=Max("version"))["v"] or 0
    new = GradingPack.objects.create(
        code=pack.code,
        version=newest + 1,
        name=pack.name,
        name_en=pack.name_en,
        rules=rules,
        note=note,
        created_by=actor,
    )
    record(actor=actor, action="create", obj=new, changes=diff({}, snapshot(new)))
    return new


# Facts and grade -------------------------------------------------------------------------


def _fact_specs(pack: GradingPack) -> list[dict]:
    return list(pack.rules.get("facts") or ())


def clean_facts(pack: GradingPack, facts: dict | None) -> dict:
    """The entered facts the pack knows, as numbers or choice codes; a value that is not one
    is refused with the fact's name. Derived facts are never taken from input."""
    facts = facts or {}
    out: dict = {}
    errors = []
    for spec in _fact_specs(pack):
        code = spec["code"]
        if spec.get("derived"):
            continue
        value = facts.get(code)
        if value in (None, ""):
            continue
        name = in_reader_language(spec.get("name") or code, spec.get("name_en", ""))
        if spec.get("kind") == "choice":
            choices = [c["code"] for c in spec.get("choices") or ()]
            if value not in choices:
                errors.append(_("%(fact)s: pick one of the listed values.") % {"fact": name})
                continue
            out[code] = value
            continue
        try:
            number = float(str(value).strip().rstrip("%"))
        except ValueError:
            errors.append(_("%(fact)s: enter a number.") % {"fact": name})
            continue
        if number < 0 or (spec.get("kind") == "percent" and number > 100):
            errors.append(
                _("%(fact)s: enter a number from 0 to 100.") % {"fact": name}
                if spec.get("kind") == "percent"
                else _("%(fact)s: enter a number of at least 0.") % {"fact": name}
            )
            continue
        if spec.get("kind") == "int":
            if not number.is_integer():
                errors.append(_("%(fact)s: enter a whole number.") % {"fact": name})
                continue
            number = int(number)
        out[code] = number
    if errors:
        raise ValidationError({"facts": errors})
    return out


def all_facts(incident: Incident, *, now=None, keys: list[str] | None = None) -> dict:
    """The entered facts with the derived ones (elapsed duration, activities stopped, sites);
    `keys`: the incident's failed nodes (clock.failed_keys) when the caller has them."""
    derived = incident_clock.derived_facts(incident, now=now, keys=keys)
    facts = dict(incident.facts or {})
    for spec in _fact_specs(incident.pack):
        source = spec.get("derived")
        if source == grading.ELAPSED:
            facts[spec["code"]] = derived["elapsed"]
        elif source in ("activities", "sites"):
            facts[spec["code"]] = derived[source]
    return facts


def evaluate(
    incident: Incident, *, now=None, keys: list[str] | None = None
) -> tuple[grading.Grade, grading.Escalation | None]:
    facts = all_facts(incident, now=now, keys=keys)
    pack = incident.pack.as_pack()
    return grading.grade(pack, facts), grading.next_escalation(pack, facts)


def _check_level(incident: Incident, level: str, reason: str, computed: str) -> None:
    if level and incident.pack.level(level) is None:
        raise ValidationError({"level": _("This level is not in the incident's grading pack.")})
    if level != computed and not (reason or "").strip():
        raise ValidationError(
            {
                "level_reason": _(
                    "The rules give %(computed)s: say why the level should be %(level)s."
                )
                % {
                    "computed": incident.pack.level_name(computed) or _("no level"),
                    "level": incident.pack.level_name(level) or _("no level"),
                }
            }
        )


def _change_level(incident, *, to, by_rules, actor, reason, at) -> None:
    LevelChange.objects.create(
        incident=incident,
        at=at,
        from_level=incident.level,
        to_level=to,
        by_rules=by_rules,
        decided_by=None if by_rules else actor,
        reason=reason,
    )
    record(
        actor=actor,
        action="incident_level",
        obj=incident,
        changes={"level": [incident.level, to], "by_rules": [None, by_rules]},
    )
    incident.level = to


@transaction.atomic
def regrade(incident: Incident, *, actor=None, now=None) -> bool:
    """Grade the incident again from its facts at `now` (a rule that depends on the elapsed
    time raises the level as time passes). A level set by a person stays until they change
    it; the computed level is kept beside it. Returns whether anything changed."""
    now = now or timezone.now()
    if not incident.is_open:
        return False
    result, _esc = evaluate(incident, now=now)
    computed = result.level or ""
    changed = False
    if computed != incident.computed_level:
        followed = incident.level == incident.computed_level
        incident.computed_level = computed
        changed = True
        if followed and incident.level != computed:
            _change_level(incident, to=computed, by_rules=True, actor=actor, reason="", at=now)
        incident.save(update_fields=["computed_level", "level", "updated_at"])
    changed |= sync_deadlines(incident, now=now)
    return changed


def sync_deadlines(incident: Incident, *, now=None) -> bool:
    """Create the reporting deadlines the pack requires at the current level (periodic ones up
    to the next occurrence); drop the unfiled ones no longer required."""
    now = now or timezone.now()
    pack = incident.pack.as_pack()
    until = incident_clock.elapsed_minutes(incident, now)
    wanted = grading.deadlines(pack, incident.level or None, until_minutes=until)
    specs = {r["code"]: r for r in pack.get("reports") or ()}
    have = {(d.code, d.n): d for d in incident.deadlines.all()}
    changed = False
    keys = set()
    for due in wanted:
        keys.add((due.code, due.n))
        if (due.code, due.n) in have:
            continue
        spec = specs[due.code]
        Deadline.objects.create(
            incident=incident,
            code=due.code,
            n=due.n,
            name=spec.get("name", due.code),
            name_en=spec.get("name_en", ""),
            due_at=incident.detected_at + dt.timedelta(minutes=due.at_minutes),
            recipient=spec.get("recipient", ""),
            recipient_en=spec.get("recipient_en", ""),
            path=spec.get("path", ""),
            path_en=spec.get("path_en", ""),
        )
        changed = True
    for key, deadline in have.items():
        if key not in keys and not Report.objects.filter(deadline=deadline).exists():
            deadline.delete()
            changed = True
    return changed


# The incident ----------------------------------------------------------------------------


def _next_code(is_drill: bool, year: int) -> str:
    prefix = f"{'EX' if is_drill else 'INC'}-{year}-"
    last = (
        Incident.objects.select_for_update()
        .filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _check_detected(detected_at, now) -> None:
    if detected_at is None:
        raise ValidationError({"detected_at": _("Say when the incident was detected.")})
    if detected_at > now + CLOCK_SKEW:
        raise ValidationError({"detected_at": _("The detection time cannot be in the future.")})
    if detected_at < now - dt.timedelta(days=366):
        raise ValidationError(
            {"detected_at": _("The detection time is more than a year ago: check the date.")}
        )


@transaction.atomic
def incident_declare(
    *,
    actor,
    title: str,
    category: str,
    pack: GradingPack,
    detected_at: dt.datetime,
    description: str = "",
    is_drill: bool = False,
    unit=None,
    sites=(),
    resources=(),
    activities=(),
    facts: dict | None = None,
    level: str | None = None,
    level_reason: str = "",
    now=None,
) -> Incident:
    """Declare an incident: saved, graded by its pack (or at the level given, with a reason
    where the rules give another), its reporting deadlines set, the declaration journaled."""
    now = now or timezone.now()
    _check_detected(detected_at, now)
    incident = Incident(
        code="-",
        title=(title or "").strip(),
        category=category,
        description=description or "",
        is_drill=bool(is_drill),
        unit=unit,
        detected_at=detected_at,
        reporter=actor,
        pack=pack,
        facts=clean_facts(pack, facts),
    )
    incident.full_clean(exclude=["code"])
    incident.code = _next_code(incident.is_drill, timezone.localtime(detected_at).year)
    incident.save()
    incident.sites.set(sites)
    incident.resources.set(resources)
    incident.activities.set(activities)
    result, _esc = evaluate(incident, now=now)
    incident.computed_level = result.level or ""
    chosen = incident.computed_level if level is None else level
    _check_level(incident, chosen, level_reason, incident.computed_level)
    incident.level = chosen
    incident.level_reason = level_reason.strip() if chosen != incident.computed_level else ""
    incident.save()
    LevelChange.objects.create(
        incident=incident,
        at=now,
        from_level="",
        to_level=chosen,
        by_rules=chosen == incident.computed_level,
        decided_by=None if chosen == incident.computed_level else actor,
        reason=incident.level_reason,
    )
    changes = diff({}, snapshot(incident))
    changes["affected"] = [None, failed_summary(incident)]
    record(actor=actor, action="incident_declare", obj=incident, changes=changes)
    JournalEntry.objects.create(
        incident=incident,
        at=now,
        kind=EntryKind.EVENT,
        text=_("Declared by %(user)s.") % {"user": actor},
        author=actor,
    )
    sync_deadlines(incident, now=now)
    return incident


def failed_summary(incident: Incident) -> list[str]:
    return incident_clock.failed_keys(incident)


@transaction.atomic
def incident_update(
    *,
    actor,
    incident: Incident,
    title=None,
    category=None,
    description=None,
    unit=None,
    sites=None,
    resources=None,
    activities=None,
    facts=None,
    detected_at=None,
    now=None,
) -> Incident:
    """Change what is known of an open incident; the grade and deadlines follow."""
    now = now or timezone.now()
    if not incident.is_open:
        raise ValidationError(_("A resolved or closed incident can no longer be changed."))
    before = snapshot(incident)
    before_keys = failed_summary(incident)
    if title is not None:
        incident.title = title.strip()
    if category is not None:
        incident.category = category
    if description is not None:
        incident.description = description
    if unit is not None:
        incident.unit = unit or None
    if detected_at is not None:
        _check_detected(detected_at, now)
        incident.detected_at = detected_at
    if facts is not None:
        incident.facts = clean_facts(incident.pack, facts)
    incident.full_clean()
    incident.save()
    for name, value in (("sites", sites), ("resources", resources), ("activities", activities)):
        if value is not None:
            getattr(incident, name).set(value)
    changes = diff(before, snapshot(incident))
    after_keys = failed_summary(incident)
    if after_keys != before_keys:
        changes["affected"] = [before_keys, after_keys]
    if changes:
        record(actor=actor, action="update", obj=incident, changes=changes)
    regrade(incident, actor=actor, now=now)
    return incident


@transaction.atomic
def level_set(*, actor, incident: Incident, level: str, reason: str, now=None) -> Incident:
    """A person sets the response level (escalation or de-escalation): recorded with who and
    why; a level the rules do not give needs a reason."""
    now = now or timezone.now()
    if not incident.is_open:
        raise ValidationError(_("A resolved or closed incident can no longer be changed."))
    result, _esc = evaluate(incident, now=now)
    incident.computed_level = result.level or ""
    level = level or ""
    _check_level(incident, level, reason, incident.computed_level)
    if level == incident.level and (reason or "").strip() == incident.level_reason:
        return incident
    _change_level(
        incident, to=level, by_rules=False, actor=actor, reason=(reason or "").strip(), at=now
    )
    incident.level_reason = (reason or "").strip() if level != incident.computed_level else ""
    incident.save(update_fields=["computed_level", "level", "level_reason", "updated_at"])
    JournalEntry.objects.create(
        incident=incident,
        at=now,
        kind=EntryKind.DECISION,
        text=_("Level set to %(level)s by %(user)s. %(reason)s")
        % {"level": incident.level_name or _("no level"), "user": actor, "reason": reason or ""},
        author=actor,
    )
    sync_deadlines(incident, now=now)
    return incident


@transaction.atomic
def status_set(*, actor, incident: Incident, status: str, note: str = "", now=None) -> Incident:
    """Move the incident to the next status (reported → assessed → responding → recovering →
    resolved); closing is incident_close, with the review."""
    now = now or timezone.now()
    if status == Status.CLOSED:
        raise ValidationError(_("Close the incident with its post-incident review."))
    if status not in NEXT.get(incident.status, ()):
        raise ValidationError(
            _("An incident that is %(from)s cannot become %(to)s.")
            % {
                "from": incident.get_status_display(),
                "to": dict(Status.choices).get(status, status),
            }
        )
    old = incident.status
    incident.status = status
    incident.resolved_at = now if status == Status.RESOLVED else None
    incident.save(update_fields=["status", "resolved_at", "updated_at"])
    record(actor=actor, action="incident_status", obj=incident, changes={"status": [old, status]})
    JournalEntry.objects.create(
        incident=incident,
        at=now,
        kind=EntryKind.EVENT,
        text=(_("Status: %(status)s.") % {"status": incident.get_status_display()})
        + (f" {note.strip()}" if note and note.strip() else ""),
        author=actor,
    )
    return incident


# Reports ---------------------------------------------------------------------------------


def report_draft(incident: Incident, deadline: Deadline | None, *, now=None) -> tuple[str, str]:
    """A title and text generated from the incident, for the reporter to edit: what happened,
    when, the level and its basis, what stops, what is being done."""
    from django.utils.formats import date_format

    now = now or timezone.now()
    result, _esc = evaluate(incident, now=now)
    state = incident_clock.clock(incident, None, now=now, limit=20)
    title = (deadline.display_name if deadline else _("Situation report")) + f" · {incident.code}"
    lines = [
        f"{incident.code} {incident.title}",
        _("Detected: %(at)s")
        % {"at": date_format(timezone.localtime(incident.detected_at), "Y-m-d H:i")},
        _("Category: %(category)s") % {"category": incident.get_category_display()},
        _("Response level: %(level)s") % {"level": incident.level_name or _("no level")},
    ]
    failed = [
        f"{o.display_name} ({o.code})"
        for rows in (
            incident.sites.all(),
            incident.resources.all()[:20],
            incident.activities.all()[:20],
        )
        for o in rows
    ]
    if failed:
        lines.append(_("What failed: %(nodes)s") % {"nodes": ", ".join(failed)})
    if incident.is_drill:
        lines.insert(0, _("DRILL — this is an exercise."))
    for match in result.matches[:3]:
        lines.append("· " + in_reader_language(match.text, match.text_en))
    if state.rows:
        lines.append("")
        lines.append(
            _("Conditions — activities stopped:")
            if deadline is not None and deadline.code == "tactical"
            else _("Activities stopped:")
        )
        for row in state.rows:
            lines.append(
                _("%(name)s (%(code)s): down %(down)s min, RTO %(rto)s min")
                % {
                    "name": row.name,
                    "code": row.code,
                    "down": int(row.downtime),
                    "rto": "-" if row.rto is None else int(row.rto),
                }
            )
    latest = incident.journal.order_by("-at", "-pk")[:5]
    code = deadline.code if deadline else ""
    if code == "executive":
        lines += _executive(incident, state)
    if latest:
        lines.append("")
        lines.append(_("Actions:") if code == "tactical" else _("Latest actions and decisions:"))
        for entry in latest:
            lines.append(f"{date_format(timezone.localtime(entry.at), 'H:i')} {entry.text}")
    if code == "tactical":
        lines += ["", _("Needs (people, equipment, decisions asked for):"), "—"]
    return title[:200], "\n".join(lines)


def _executive(incident, state) -> list[str]:
    """The executive report's summary: how long, how bad, what is breached, what is filed."""
    counts = state.counts()
    filed = incident.reports.count()
    return [
        "",
        _("Summary for the committee:"),
        _("%(n)d activities stopped; %(rto)d past their RTO, %(mtpd)d past their MTPD.")
        % {"n": state.total, "rto": counts["rto"] + counts["mtpd"], "mtpd": counts["mtpd"]},
        _("Reports filed to date: %(n)d.") % {"n": filed},
    ]


@transaction.atomic
def report_file(
    *, actor, incident: Incident, title: str, body: str, deadline: Deadline | None = None, now=None
) -> Report:
    """File a report (against a deadline, or a situation report on its own)."""
    now = now or timezone.now()
    if incident.status == Status.CLOSED:
        raise ValidationError(_("The incident is closed: no report can be filed any more."))
    if deadline is not None:
        if deadline.incident_id != incident.pk:
            raise ValidationError({"deadline": _("This deadline is another incident's.")})
        if Report.objects.filter(deadline=deadline).exists():
            raise ValidationError({"deadline": _("This report has already been filed.")})
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the report a title.")
    if not body:
        errors["body"] = _("The report is empty.")
    if errors:
        raise ValidationError(errors)
    report = Report.objects.create(
        incident=incident,
        deadline=deadline,
        title=title[:200],
        body=body,
        filed_at=now,
        filed_by=actor,
    )
    record(
        actor=actor,
        action="incident_report",
        obj=report,
        changes={"title": [None, report.title], "deadline": [None, deadline and deadline.code]},
    )
    JournalEntry.objects.create(
        incident=incident,
        at=now,
        kind=EntryKind.ACTION,
        text=_("Report filed: %(title)s.") % {"title": report.title},
        author=actor,
    )
    return report


# Roles and journal -----------------------------------------------------------------------


@transaction.atomic
def role_assign(*, actor, incident: Incident, role: str, person, note: str = "") -> Role:
    if incident.status == Status.CLOSED:
        raise ValidationError(_("A resolved or closed incident can no longer be changed."))
    if role == "commander":
        old = incident.roles.filter(role="commander").first()
        if old is not None and old.person_id != person.pk:
            record(
                actor=actor, action="delete", obj=old, changes={"person": [str(old.person), None]}
            )
            old.delete()
    obj, created = Role.objects.get_or_create(
        incident=incident, role=role, person=person, defaults={"note": note}
    )
    if created:
        obj.full_clean()
        record(actor=actor, action="create", obj=obj, changes=diff({}, snapshot(obj)))
    return obj


@transaction.atomic
def role_remove(*, actor, role: Role) -> None:
    record(actor=actor, action="delete", obj=role, changes={"person": [str(role.person), None]})
    role.delete()


@transaction.atomic
def journal_add(*, actor, incident: Incident, kind: str, text: str, at=None, now=None):
    now = now or timezone.now()
    at = at or now
    if incident.status == Status.CLOSED:
        raise ValidationError(_("The incident is closed: its journal is kept as it is."))
    if at > now + CLOCK_SKEW:
        raise ValidationError({"at": _("An entry cannot be dated in the future.")})
    entry = JournalEntry(
        incident=incident, at=at, kind=kind, text=(text or "").strip(), author=actor
    )
    entry.full_clean()
    entry.save()
    record(actor=actor, action="create", obj=entry, changes=diff({}, snapshot(entry)))
    return entry


# Close-out -------------------------------------------------------------------------------


@transaction.atomic
def review_save(
    *,
    actor,
    incident: Incident,
    timeline: str,
    downtime_minutes: int,
    causes: str,
    lessons: str,
    data_loss_minutes: int = 0,
    cost=None,
    now=None,
) -> Review:
    """Write (or revise) the post-incident review of a resolved incident."""
    now = now or timezone.now()
    if incident.status != Status.RESOLVED:
        raise ValidationError(_("Review the incident once it is resolved."))
    review = getattr(incident, "review", None)
    before = snapshot(review) if review else {}
    review = review or Review(incident=incident)
    review.timeline = (timeline or "").strip()
    review.downtime_minutes = downtime_minutes
    review.data_loss_minutes = data_loss_minutes or 0
    review.cost = cost
    review.causes = (causes or "").strip()
    review.lessons = (lessons or "").strip()
    review.reviewed_at = now
    review.reviewed_by = actor
    review.full_clean()
    review.save()
    changes = diff(before, snapshot(review))
    record(actor=actor, action="update" if before else "create", obj=review, changes=changes)
    return review


def review_defaults(incident: Incident) -> dict:
    """The review's timeline and downtime prefilled from the journal and the clock."""
    from django.utils.formats import date_format

    entries = incident.journal.order_by("at", "pk")
    timeline = "\n".join(
        f"{date_format(timezone.localtime(e.at), 'Y-m-d H:i')} {e.text}" for e in entries
    )
    downtime = int(incident_clock.elapsed_minutes(incident))
    return {"timeline": timeline, "downtime_minutes": downtime, "data_loss_minutes": 0}


@transaction.atomic
def incident_close(*, actor, incident: Incident, now=None) -> Incident:
    """Close a resolved incident after its review."""
    now = now or timezone.now()
    if incident.status != Status.RESOLVED:
        raise ValidationError(_("Only a resolved incident can be closed."))
    if not Review.objects.filter(incident=incident).exists():
        raise ValidationError(_("Write the post-incident review before closing the incident."))
    incident.status = Status.CLOSED
    incident.closed_at = now
    incident.save(update_fields=["status", "closed_at", "updated_at"])
    record(
        actor=actor,
        action="incident_close",
        obj=incident,
        changes={"status": [Status.RESOLVED, Status.CLOSED]},
    )
    JournalEntry.objects.create(
        incident=incident,
        at=now,
        kind=EntryKind.EVENT,
        text=_("Closed after review."),
        author=actor,
    )
    return incident


@transaction.atomic
def action_add(*, actor, incident: Incident, title: str, owner, due_date) -> CorrectiveAction:
    if incident.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("Corrective actions come from the review of a resolved incident."))
    action = CorrectiveAction(
        incident=incident, title=(title or "").strip(), owner=owner, due_date=due_date
    )
    action.full_clean()
    action.save()
    record(actor=actor, action="create", obj=action, changes=diff({}, snapshot(action)))
    return action


@transaction.atomic
def action_done(*, actor, action: CorrectiveAction, now=None) -> CorrectiveAction:
    now = now or timezone.now()
    if action.status == ActionStatus.DONE:
        return action
    action.status = ActionStatus.DONE
    action.done_at = now
    action.save(update_fields=["status", "done_at"])
    record(actor=actor, action="update", obj=action, changes={"status": ["open", "done"]})
    return action


# The scheduler ---------------------------------------------------------------------------


def tick(*, now=None) -> dict:
    """Regrade every open incident (time raises the level of the rules that count it) and set
    its new deadlines; called by the scheduler every minute."""
    now = now or timezone.now()
    changed = 0
    for incident in (
        Incident.objects.filter(status__in=NEXT)
        .exclude(status=Status.CLOSED)
        .select_related("pack")
    ):
        if incident.is_open and regrade(incident, now=now):
            changed += 1
    return {"changed": changed}


# Achieved recovery ----------------------------------------------------------------------


def achieved_candidates(user, incident: Incident) -> list:
    """The failed resources whose tested capability the review may update: the incident's
    resources the user may change."""
    from resilia.core import access
    from resilia.dependencies.models import Resource

    rows = Resource.objects.filter(pk__in=incident.resources.values("pk")).order_by("code")
    return list(access.writable(user, rows))


@transaction.atomic
def achieved_apply(*, actor, incident: Incident, values: dict) -> int:
    """Write the recovery time and point achieved in the incident into the failed resources'
    tested capability (dated the day it was resolved, the incident as evidence): the next
    what-if and gap analysis use what really happened. `values`: {resource: (minutes, minutes)}
    with None for a figure not measured. Returns how many resources changed."""
    from resilia.dependencies import services as deps

    if incident.status not in (Status.RESOLVED, Status.CLOSED) or not incident.resolved_at:
        raise ValidationError(_("Record what was achieved once the incident is resolved."))
    if not Review.objects.filter(incident=incident).exists():
        raise ValidationError(_("Write the post-incident review first."))
    allowed = {r.pk for r in achieved_candidates(actor, incident)}
    changed = 0
    tested_on = timezone.localtime(incident.resolved_at).date()
    for resource, (rto, rpo) in values.items():
        if resource.pk not in allowed:
            raise ValidationError(
                _("%(code)s is not a failed resource you may change.") % {"code": resource.code}
            )
        if rto is None and rpo is None:
            continue
        fields = {"capability_tested_on": tested_on}
        if rto is not None:
            fields["recovery_time"] = rto
        if rpo is not None:
            fields["recovery_point"] = rpo
        fields["capability_evidence"] = (
            _("Achieved in incident %(code)s") % {"code": incident.code}
        )[:500]
        deps.resource_update(actor=actor, resource=resource, **fields)
        changed += 1
    if changed:
        JournalEntry.objects.create(
            incident=incident,
            at=timezone.now(),
            kind=EntryKind.ACTION,
            text=_("Achieved recovery recorded for %(n)d resources.") % {"n": changed},
            author=actor,
        )
    return changed
