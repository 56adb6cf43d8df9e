"""The `plans` section of the continuity model file (docs/model-format.md): each plan with
its newest version's structured content and scope, by codes (units, activities, resources,
sites, teams) and employee numbers (people), so that plans are reviewed in Git with the
rest of the model.

Import, all or nothing with the rest of the file: a plan not yet known is created; when the
file's content or scope differs from the plan's newest version, a new draft carries it (a
published version is never changed; signing needs the signers themselves, in Resilia). The
content is checked by the plans' own rules (steps in a cycle, unknown placeholders).
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from resilia.dependencies.modelio import Problem, Section
from resilia.dependencies.models import Activity, Resource
from resilia.org.models import Person, Site, Team, Unit
from resilia.plans import content as c
from resilia.plans import services
from resilia.plans.models import Kind, Plan, PlanVersion, Status

SCOPE = (("activities", Activity), ("resources", Resource), ("sites", Site))


def _refs(body: dict, teams: dict, people: dict) -> dict:
    """The content with team and person ids replaced (by `teams` and `people` maps)."""
    body = copy.deepcopy(c.normalised(body))
    for role in body["roles"]:
        role["team"] = teams.get(role.get("team"))
        for f in ("person", "deputy"):
            role[f] = people.get(role.get(f))
    return body


def export() -> dict | None:
    plans = list(Plan.objects.select_related("unit").order_by("code"))
    if not plans:
        return None
    newest = {}
    for v in PlanVersion.objects.filter(plan__in=plans).prefetch_related(*[n for n, _m in SCOPE]):
        if v.plan_id not in newest or v.number > newest[v.plan_id].number:
            newest[v.plan_id] = v
    teams = dict(Team.objects.values_list("pk", "code"))
    people = dict(Person.objects.exclude(employee_no="").values_list("pk", "employee_no"))
    items = []
    for p in plans:
        v = newest.get(p.pk)
        item = {"code": p.code, "name": p.name, "name_en": p.name_en, "kind": p.kind,
                "unit": p.unit.code, "review_months": p.review_months}  # fmt: skip
        if v is not None:
            item["version"] = v.number
            item["status"] = v.status
            for name, _m in SCOPE:
                item[name] = sorted(x.code for x in getattr(v, name).all())
            item["content"] = _refs(v.content, teams, people)
        items.append(item)
    return {"plans": items}


def check(section: dict, data: dict) -> list[Problem]:
    problems = []
    units = set(Unit.objects.values_list("code", flat=True))
    units |= {u.get("code") for u in data.get("units") or [] if isinstance(u, dict)}
    kinds = set(Kind.values)
    seen = set()
    for n, item in enumerate(section.get("plans") or []):
        path = f"plans.plans[{n}]"
        if item.get("code") in seen:
            problems.append(Problem(path, _("%(code)s is listed twice.") % {"code": item["code"]}))
        seen.add(item.get("code"))
        if item.get("kind") not in kinds:
            problems.append(Problem(f"{path}.kind", _("Unknown plan type.")))
        if item.get("unit") not in units:
            problems.append(Problem(f"{path}.unit", _("No unit has this code.")))
        body = item.get("content")
        if body is not None:
            try:
                c.validate(c.normalised(body))
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    problems += [Problem(f"{path}.content.{field}", m) for m in messages]
    return problems


def apply(section: dict, actor, report) -> None:
    teams = dict(Team.objects.values_list("code", "pk"))
    people = dict(Person.objects.exclude(employee_no="").values_list("employee_no", "pk"))
    for item in section.get("plans") or []:
        plan = Plan.objects.filter(code=item["code"]).first()
        if plan is None:
            plan = services.plan_create(
                actor=None, code=item["code"], name=item["name"], name_en=item.get("name_en", ""),
                kind=item["kind"], unit=Unit.objects.get(code=item["unit"]),
                review_months=item.get("review_months", 12),
            )  # fmt: skip
            report.created["plans"] += 1
        if "content" not in item:
            continue
        body = _refs(item["content"], teams, people)
        scope = {n: list(m.objects.filter(code__in=item.get(n) or [])) for n, m in SCOPE}
        v = plan.versions.order_by("-number").first()
        same = v is not None and c.normalised(v.content) == body and all(
            sorted(x.code for x in getattr(v, n).all()) == sorted(x.code for x in scope[n])
            for n, _m in SCOPE
        )  # fmt: skip
        if same:
            continue
        if v is None or v.status != Status.DRAFT:
            v = services.version_new(
                actor=actor, plan=plan, change_note=_("Imported with the continuity model")
            )
        services.version_update(actor=None, version=v, content=body, **scope)
        report.updated["plan versions"] += 1


SECTION = Section(export=export, check=check, apply=apply)
