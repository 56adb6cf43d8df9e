"""The structured content of a plan version: its shape, its checks, its canonical form.

content = {
  "purpose": text,
  "activation": {"criteria": [text] (事件触发要素), "who": text (who may activate)},
  "levels": [{"name", "criteria" (启动条件), "decides" (who may activate and decide),
              "response", "escalate" (when it escalates to the next level), "report_to",
              "report_within" (minutes, 报告时限)}] in escalation order (分级管理),
  "escalation": text,
  "reporting": [{"to", "within" (minutes, 报告时限), "path" (报告路径), "content"}],
  "roles": [{"role", "team" (org.Team id), "person", "deputy" (org.Person ids), "authority"}],
  "steps": [{"key", "phase", "who", "what", "where", "how", "minutes", "after": [keys],
             "activities": [dependencies.Activity ids]}],
  "resources": [text], "vital_records": [text], "backlog": [text] (transactions piling up),
  "communications": [{"audience", "subject", "body"}] with {placeholders},
}
The scope (activities, resources, sites) and the alternate site are links on the version.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from resilia.engine.plans import PlanGraphError, Step, schedule

PHASES = (
    ("preparation", gettext_lazy("Preparation")),
    ("response", gettext_lazy("Response")),
    ("recovery", gettext_lazy("Recovery")),
    ("validation", gettext_lazy("Recovery validation")),
    ("resumption", gettext_lazy("Resumption")),
    ("return", gettext_lazy("Return to the normal site")),
    ("review", gettext_lazy("Post-incident review")),
)
PHASE_CODES = tuple(code for code, _label in PHASES)
# The phases between the disruption and the activity running again: their steps make up the
# time to recover that is compared with the RTO. Preparation comes before the incident; the
# return to the normal site and the review after the activity is back.
TIMED_PHASES = ("response", "recovery", "validation", "resumption")

AUDIENCES = (
    # In context: the audience (员工), not the staff resource category (人员).
    ("staff", pgettext_lazy("communication audience", "Staff")),
    ("customers", gettext_lazy("Customers")),
    ("regulator", gettext_lazy("Regulator")),
    ("media", gettext_lazy("Media")),
    ("partners", gettext_lazy("Partners and suppliers")),
)
PLACEHOLDERS = {
    "plan": gettext_lazy("the plan's name"),
    "organisation": gettext_lazy("the organisation's name"),
    "incident": gettext_lazy("what happened"),
    "time": gettext_lazy("when it happened"),
    "level": gettext_lazy("the response level"),
    "impact": gettext_lazy("the services affected"),
    "eta": gettext_lazy("the expected recovery time"),
    "contact": gettext_lazy("who to contact"),
    "phone": gettext_lazy("the hotline"),
}
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
LIST_SECTIONS = ("resources", "vital_records", "backlog")
# A response level's fields, in the order the editor, the page and the documents show them.
# Versions written before the structured editor hold only name, criteria and response: the
# missing fields read as empty (level_rows), their signed content is never rewritten.
LEVEL_TEXT_FIELDS = ("name", "criteria", "decides", "response", "escalate", "report_to")
LEVEL_FIELDS = (*LEVEL_TEXT_FIELDS, "report_within")


def empty() -> dict:
    return {
        "purpose": "",
        "activation": {"criteria": [], "who": ""},
        "levels": [],
        "escalation": "",
        "reporting": [],
        "roles": [],
        "steps": [],
        "resources": [],
        "vital_records": [],
        "backlog": [],
        "communications": [],
    }


def normalised(content: dict | None) -> dict:
    """The content with every section present (older or partial content filled in)."""
    out = empty()
    for key, value in (content or {}).items():
        if key in out:
            out[key] = value
    if not isinstance(out["activation"], dict):
        out["activation"] = {"criteria": [], "who": ""}
    return out


def level_rows(levels) -> list[dict]:
    """The response levels with every field present, whatever shape they were saved in."""
    rows = []
    for level in levels or ():
        if not isinstance(level, dict):
            continue
        row = {k: level.get(k) or "" for k in LEVEL_TEXT_FIELDS}
        row["report_within"] = level.get("report_within")
        rows.append(row)
    return rows


def level_problems(levels) -> list[str]:
    """What is wrong with a list of response levels, one message each, in the writer's
    language: a level that is not a row, without a name, named twice, with a reporting time
    limit that is not a positive number of minutes, or with text that is not text."""
    problems = []
    seen: dict[str, int] = {}
    for number, level in enumerate(levels or (), start=1):
        if not isinstance(level, dict):
            problems.append(_("Response level %(n)s is not a row of fields.") % {"n": number})
            continue
        if any(not isinstance(level.get(k) or "", str) for k in LEVEL_TEXT_FIELDS):
            problems.append(_("Response level %(n)s has a field that is not text.") % {"n": number})
            continue
        name = (level.get("name") or "").strip()
        if not name:
            problems.append(_("Response level %(n)s needs a name.") % {"n": number})
        elif name.casefold() in seen:
            problems.append(
                _(
                    "Two response levels are named “%(name)s” (levels %(a)s and %(b)s); "
                    "each level needs its own name."
                )
                % {"name": name, "a": seen[name.casefold()], "b": number}
            )
        else:
            seen[name.casefold()] = number
        within = level.get("report_within")
        if within is not None and (
            isinstance(within, bool) or not isinstance(within, int) or within <= 0
        ):
            problems.append(
                _(
                    "The reporting time limit of response level %(n)s must be a positive "
                    "number of minutes."
                )
                % {"n": number}
            )
    return problems


def unknown_placeholders(text: str) -> list[str]:
    return sorted({m for m in PLACEHOLDER_RE.findall(text or "") if m not in PLACEHOLDERS})


def engine_steps(content: dict, *, timed_only: bool) -> list[Step]:
    steps = content.get("steps") or []
    keep = {s["key"] for s in steps if not timed_only or s.get("phase") in TIMED_PHASES}
    return [
        Step(
            s["key"],
            int(s.get("minutes") or 0),
            tuple(p for p in s.get("after") or () if p in keep or not timed_only),
            tuple(str(a) for a in s.get("activities") or ()),
        )
        for s in steps
        if s["key"] in keep
    ]


def graph_error_message(exc: PlanGraphError) -> str:
    if exc.kind == "self":
        return _("Step %(step)s cannot wait for itself.") % {"step": exc.steps[0]}
    if exc.kind == "unknown":
        return _("Step %(step)s waits for %(missing)s, which is not a step of this plan.") % {
            "step": exc.steps[0],
            "missing": exc.missing,
        }
    if exc.kind == "duplicate":
        return _("Two steps are numbered %(step)s; each step needs its own number.") % {
            "step": exc.steps[0]
        }
    if exc.kind == "negative":
        return _("Step %(step)s cannot last less than nothing.") % {"step": exc.steps[0]}
    return _("These steps wait for each other in a circle: %(steps)s.") % {
        "steps": " → ".join(exc.steps)
    }


def validate(content: dict, *, team_ids=None, person_ids=None, activity_ids=None) -> None:
    """Raise ValidationError naming the section of every problem: steps in a cycle or waiting
    for themselves, unknown phases, placeholders that do not exist, bad report times, and
    references to teams, people or activities that are not in the given sets."""
    errors: dict[str, list[str]] = {}

    def add(section, message):
        errors.setdefault(section, []).append(message)

    steps = content.get("steps") or []
    for s in steps:
        if not s.get("key"):
            add("steps", _("Every step needs a number."))
        if s.get("phase") not in PHASE_CODES:
            add("steps", _("Step %(step)s has no valid phase.") % {"step": s.get("key", "?")})
        if not (s.get("what") or "").strip():
            add("steps", _("Step %(step)s says nothing to do.") % {"step": s.get("key", "?")})
        minutes = s.get("minutes")
        if minutes is not None and (not isinstance(minutes, int) or minutes < 0):
            add("steps", _("Step %(step)s has an invalid duration.") % {"step": s.get("key")})
        if activity_ids is not None:
            for a in s.get("activities") or ():
                if a not in activity_ids:
                    add(
                        "steps",
                        _("Step %(step)s recovers an activity outside the plan's scope.")
                        % {"step": s.get("key")},
                    )
    if "steps" not in errors:
        try:
            schedule(engine_steps(content, timed_only=False))
        except PlanGraphError as exc:
            add("steps", graph_error_message(exc))
    levels = content.get("levels") or []
    if not isinstance(levels, list):
        add("levels", _("The response levels must be a list of rows."))
    else:
        for message in level_problems(levels):
            add("levels", message)
    for r in content.get("reporting") or ():
        within = r.get("within")
        if within is not None and (not isinstance(within, int) or within <= 0):
            add("reporting", _("A report's time limit must be a positive number of minutes."))
        if not (r.get("to") or "").strip():
            add("reporting", _("Every report needs a recipient."))
    for role in content.get("roles") or ():
        if not (role.get("role") or "").strip():
            add("roles", _("Every role needs a name."))
        if team_ids is not None and role.get("team") and role["team"] not in team_ids:
            add("roles", _("A role names a team you may not choose."))
        for f in ("person", "deputy"):
            if person_ids is not None and role.get(f) and role[f] not in person_ids:
                add("roles", _("A role names a person you may not choose."))
        if role.get("person") and role.get("person") == role.get("deputy"):
            add("roles", _("A person cannot be their own deputy."))
    for c in content.get("communications") or ():
        for name in unknown_placeholders((c.get("subject") or "") + " " + (c.get("body") or "")):
            add(
                "communications",
                _("The placeholder {%(name)s} does not exist; use one of: %(known)s.")
                % {"name": name, "known": ", ".join("{" + k + "}" for k in PLACEHOLDERS)},
            )
    if errors:
        raise ValidationError({k: list(dict.fromkeys(v)) for k, v in errors.items()})


def compute_schedule(content: dict, activity_ids) -> dict:
    """The stored schedule of a version: the timed steps' best and worst case, critical path,
    earliest start and finish, and per activity in scope its own figures (an activity no step
    names is recovered when all the timed steps are done)."""
    s = schedule(engine_steps(content, timed_only=True))
    whole = {"best": s.best, "worst": s.worst, "critical_path": s.critical_path}
    per = {}
    for a in activity_ids:
        per[str(a)] = s.targets.get(str(a), whole)
    return {**whole, "start": s.start, "finish": s.finish, "activities": per}


def canonical(version, content: dict, scope: dict) -> str:
    """The exact text a signature is over: plan, number, content and scope, as sorted JSON."""
    doc = {
        "plan": version.plan.code,
        "kind": version.plan.kind,
        "number": version.number,
        "content": content,
        **scope,
    }
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
