"""The `strategies` section of the continuity model file (docs/model-format.md): every strategy
option with its subject (`for: activity:PAY` or `resource:DB`), what it would achieve and
cost, the decision and the test result.

An option is identified by its subject and its name. Import, all or nothing with the rest of
the file: a new option is created, a changed one updated (the file is the BCM office's
statement of the model: a decision it carries is recorded with the importer as the one who
decided), options absent from the file are left alone. Checked first: the subject exists (in
the file or the database), kinds and levels are known, a subject has at most one chosen
option, a decision has a reason, only a chosen option carries a test, no test in the future.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from resilia.core.services import object_create, object_update
from resilia.dependencies import rules as dependency_rules
from resilia.dependencies.modelio import Problem, Section
from resilia.dependencies.models import Activity, Resource
from resilia.strategies.models import Kind, Option, ResidualRisk, Status

KEYS = (
    "name_en", "description", "recovery_time", "recovery_point", "cost_once", "cost_yearly",
    "residual_risk", "people_needed", "seats_needed", "equipment_needed", "data_needed",
    "status", "decision_reason", "tested_on", "tested_recovery_time", "tested_recovery_point",
    "test_evidence",
)  # fmt: skip
DECIDED = (Status.CHOSEN, Status.REJECTED, Status.SUPERSEDED)


def _ref(option: Option) -> str:
    return (
        f"activity:{option.activity.code}"
        if option.activity_id
        else f"resource:{option.resource.code}"
    )


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def export() -> dict | None:
    options = Option.objects.select_related("activity", "resource").order_by("pk")
    items = [
        {"for": _ref(o), "name": o.name, "kind": o.kind, **{k: _plain(getattr(o, k)) for k in KEYS}}
        for o in options
    ]
    return {"options": items} if items else None


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _codes(data: dict, key: str) -> set[str]:
    return {i.get("code") for i in data.get(key) or [] if isinstance(i, dict)}


def _item_problems(path: str, item: dict) -> list[Problem]:
    problems = []
    if item["kind"] not in Kind.values:
        problems.append(Problem(f"{path}.kind", _("Unknown kind of strategy.")))
    if item.get("residual_risk", ResidualRisk.MEDIUM) not in ResidualRisk.values:
        problems.append(Problem(f"{path}.residual_risk", _("Unknown residual risk level.")))
    status = item.get("status", Status.PROPOSED)
    if status in DECIDED and not (item.get("decision_reason") or "").strip():
        problems.append(Problem(f"{path}.decision_reason", _("Give the reason for the decision.")))
    try:
        tested_on = _date(item.get("tested_on"))
    except (TypeError, ValueError):
        return [*problems, Problem(f"{path}.tested_on", _("Enter a valid date."))]
    if tested_on is not None:
        if status not in (Status.CHOSEN, Status.SUPERSEDED):
            problems.append(
                Problem(f"{path}.tested_on", _("Only the chosen option can be tested."))
            )
        if message := dependency_rules.tested_on_error(tested_on):
            problems.append(Problem(f"{path}.tested_on", message))
        if item.get("tested_recovery_time") is None:
            problems.append(
                Problem(
                    f"{path}.tested_recovery_time", _("Give the recovery time the test achieved.")
                )
            )
    return problems


def check(section: dict, data: dict) -> list[Problem]:
    items = section.get("options") or []
    in_file = {"activity": _codes(data, "activities"), "resource": _codes(data, "resources")}
    wanted = {"activity": set(), "resource": set()}
    for item in items:
        kind, code = item["for"].split(":", 1)
        wanted[kind].add(code)
    known = {
        "activity": set(
            Activity.objects.filter(code__in=wanted["activity"]).values_list("code", flat=True)
        ),
        "resource": set(
            Resource.objects.filter(code__in=wanted["resource"]).values_list("code", flat=True)
        ),
    }
    problems, seen, chosen = [], set(), set()
    for n, item in enumerate(items):
        path = f"strategies.options[{n}]"
        kind, code = item["for"].split(":", 1)
        if code not in in_file[kind] and code not in known[kind]:
            problems.append(Problem(f"{path}.for", _("No %(kind)s has the code %(code)s.")
                                    % {"kind": kind, "code": code}))  # fmt: skip
        if (item["for"], item["name"]) in seen:
            problems.append(Problem(f"{path}.name", _("%(name)s is listed twice for %(node)s.")
                                    % {"name": item["name"], "node": item["for"]}))  # fmt: skip
        seen.add((item["for"], item["name"]))
        if item.get("status") == Status.CHOSEN:
            if item["for"] in chosen:
                problems.append(Problem(f"{path}.status",
                                        _("Another option is already chosen for %(node)s.")
                                        % {"node": item["for"]}))  # fmt: skip
            chosen.add(item["for"])
        problems += _item_problems(path, item)
    return problems


def _fields(item: dict) -> dict:
    fields = {k: item[k] for k in KEYS if k in item}
    for key in ("cost_once", "cost_yearly"):
        if key in fields:
            fields[key] = Decimal(fields[key])
    if "tested_on" in fields:
        fields["tested_on"] = _date(fields["tested_on"])
    return fields


def apply(section: dict, actor, report) -> None:
    items = section.get("options") or []
    if not items:
        return
    subjects = {
        "activity": {a.code: a for a in Activity.objects.all().only("pk", "code")},
        "resource": {r.code: r for r in Resource.objects.all().only("pk", "code")},
    }
    existing = {(_ref(o), o.name): o for o in Option.objects.select_related("activity", "resource")}
    # Decisions leave first: a file moving the choice to another option must not meet the
    # one-chosen-per-subject constraint half-way.
    ordered = sorted(items, key=lambda i: i.get("status") == Status.CHOSEN)
    for item in ordered:
        kind, code = item["for"].split(":", 1)
        fields = _fields(item)
        option = existing.get((item["for"], item["name"]))
        if fields.get("status") in DECIDED and (
            option is None or option.status != fields["status"]
        ):
            fields.update(decided_by=actor, decided_at=timezone.now())
        if option is None:
            option = Option(**{kind: subjects[kind][code]}, name=item["name"], kind=item["kind"])
            for key, value in fields.items():
                setattr(option, key, value)
            object_create(actor=actor, instance=option)
            report.created["strategy options"] += 1
        elif any(getattr(option, k) != v for k, v in {"kind": item["kind"], **fields}.items()):
            object_update(actor=actor, instance=option, data={"kind": item["kind"], **fields})
            report.updated["strategy options"] += 1


SECTION = Section(export=export, check=check, apply=apply)
