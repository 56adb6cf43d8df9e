"""Rule packs of the organisation and their findings (issue 9 item 6).

The packs are rows of `RulePack` (one per version); the evaluation is engine.rules over plain
`Facts`, gathered here in a constant number of queries:

- `activity_findings(activities)`: on the approved objectives (dependencies.Activity), with
  the 重要业务 attributes of each activity's latest approved assessment;
- `campaign_findings(campaign, user=None)`: on the answers of a campaign's assessments (what
  the departments propose, before approval), the ones `user` may read when given.

Both return {activity pk: [engine.rules.Finding, ...]}, activities without findings left out.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.bia.models import Assessment, Campaign, RulePack, Status, local_name
from resilia.core.durations import human_minutes as minutes
from resilia.core.services import object_create, object_update
from resilia.dependencies.models import Dependency, Resource
from resilia.engine import rules as engine

if TYPE_CHECKING:
    from resilia.accounts.models import User

PROBLEMS = {
    "no_rules": gettext_lazy("A pack needs at least one rule."),
    "not_a_rule": gettext_lazy("Rule %(n)d is not a rule: give code, kind, params and source."),
    "required": gettext_lazy("Rule %(n)d: “%(field)s” is required."),
    "duplicate": gettext_lazy("Rule %(n)d: another rule already has this code."),
    "unknown_kind": gettext_lazy(
        "Rule %(n)d: the kind must be max_rto, max_rpo or rto_not_below_systems."
    ),
    "confidence": gettext_lazy("Rule %(n)d: the confidence must be V, S or M."),
    "params": gettext_lazy("Rule %(n)d: the parameters must be an object."),
    "minutes": gettext_lazy(
        "Rule %(n)d: max_minutes must be a whole number of minutes, 0 or more."
    ),
    "scope": gettext_lazy("Rule %(n)d: the scope must be “important” or “all”."),
}


def check(rules) -> None:
    """Refuse a pack's rules with one translated message per problem, under `rules`."""
    problems = engine.check_pack({"rules": rules})
    if problems:
        raise ValidationError(
            {
                "rules": [
                    str(PROBLEMS[p.code]) % {"n": (p.rule or 0) + 1, "field": p.field}
                    for p in problems
                ]
            }
        )


def current_packs():
    """The newest version of every pack the organisation keeps, enabled or not."""
    latest = RulePack.objects.values("code").annotate(v=Max("version"))
    newest = {row["code"]: row["v"] for row in latest}
    return sorted(
        (p for p in RulePack.objects.filter(code__in=newest) if p.version == newest[p.code]),
        key=lambda p: p.code,
    )


def enabled_packs() -> list[dict]:
    return [p.as_pack() for p in current_packs() if p.enabled]


@transaction.atomic
def rulepack_enable(*, actor: User | None, code: str, enabled: bool = True) -> RulePack:
    """Enable (or disable) a pack. A built-in pack not kept yet is saved as version 1."""
    pack = RulePack.objects.filter(code=code).order_by("-version").first()
    if pack is None:
        built_in = engine.BUILT_IN.get(code)
        if built_in is None:
            raise ValidationError({"code": _("There is no rule pack with this code.")})
        return object_create(
            actor=actor,
            instance=RulePack(
                code=code,
                version=built_in["version"],
                name=built_in["name"],
                name_en=built_in["name_en"],
                rules=copy.deepcopy(built_in["rules"]),
                enabled=enabled,
                created_by=actor,
            ),
            action="create",
        )
    return object_update(actor=actor, instance=pack, data={"enabled": enabled})


@transaction.atomic
def rulepack_revise(
    *, actor: User | None, code: str, rules: list[dict], note: str = ""
) -> RulePack:
    """Save new rules (edited parameters, or a replacement) as the pack's next version; the
    old version stays as it was. The new version keeps the pack enabled or not."""
    base = RulePack.objects.select_for_update().filter(code=code).order_by("-version").first()
    if base is None:
        base = rulepack_enable(actor=actor, code=code, enabled=False)
    check(rules)
    return object_create(
        actor=actor,
        instance=RulePack(
            code=code,
            version=base.version + 1,
            name=base.name,
            name_en=base.name_en,
            rules=rules,
            enabled=base.enabled,
            note=note,
            created_by=actor,
        ),
    )


def _systems(activity_ids) -> dict[int, list[tuple[str, int | None]]]:
    """The applications each activity depends on directly, with their tested recovery time."""
    out: dict[int, list[tuple[str, int | None]]] = {}
    rows = Dependency.objects.filter(
        dependent_activity_id__in=activity_ids,
        dependency_resource__kind=Resource.Kind.APPLICATION,
    ).values_list(
        "dependent_activity_id", "dependency_resource__code", "dependency_resource__recovery_time"
    )
    for pk, code, recovery in rows:
        out.setdefault(pk, []).append((code, recovery))
    return out


def latest_approved(activity_ids) -> dict[int, Assessment]:
    """The latest approved assessment of each activity (one query)."""
    out: dict[int, Assessment] = {}
    rows = Assessment.objects.filter(activity_id__in=activity_ids, status=Status.APPROVED).order_by(
        "activity_id", "-approved_at", "-pk"
    )
    for a in rows.only(
        "activity_id", "customer_facing", "accounting", "time_critical", "severe_impact"
    ):
        out.setdefault(a.activity_id, a)
    return out


def _evaluate(facts_by_pk: dict[int, engine.Facts], packs=None) -> dict[int, list[engine.Finding]]:
    packs = enabled_packs() if packs is None else packs
    if not packs or not facts_by_pk:
        return {}
    found = engine.evaluate(packs, facts_by_pk.values())
    return {pk: found[f.code] for pk, f in facts_by_pk.items() if f.code in found}


def activity_findings(activities: Iterable) -> dict[int, list[engine.Finding]]:
    """Findings on the approved objectives of these activities (already read through the
    choke point by the caller), in four queries whatever their number."""
    packs = enabled_packs()
    activities = list(activities)
    if not packs or not activities:
        return {}
    ids = [a.pk for a in activities]
    approved = latest_approved(ids)
    systems = _systems(ids)
    facts = {
        a.pk: engine.Facts(
            code=a.code,
            rto=a.rto,
            rpo=a.rpo,
            important=approved[a.pk].important if a.pk in approved else None,
            systems=tuple(systems.get(a.pk, ())),
        )
        for a in activities
    }
    return _evaluate(facts, packs)


def campaign_findings(
    campaign: Campaign, *, user: User | None = None
) -> dict[int, list[engine.Finding]]:
    """Findings on a campaign's answers: each assessment's proposed RTO and RPO and its
    重要业务 attributes, keyed by activity pk; only the assessments `user` may read when given."""
    qs = campaign.assessments.select_related("activity")
    if user is not None:
        qs = Assessment.objects.for_user(user).filter(campaign=campaign).select_related("activity")
    assessments = list(qs)
    systems = _systems([a.activity_id for a in assessments])
    facts = {
        a.activity_id: engine.Facts(
            code=a.activity.code,
            rto=a.rto,
            rpo=a.rpo,
            important=a.important,
            systems=tuple(systems.get(a.activity_id, ())),
        )
        for a in assessments
    }
    return _evaluate(facts)


def describe(finding: engine.Finding) -> str:
    """One finding in the reader's language."""
    rule = finding.rule_data
    title = local_name({"name": rule.get("title"), "name_en": rule.get("title_en")})
    title = title or finding.rule
    if finding.problem == "missing":
        detail = _("no objective recorded")
    elif finding.problem == "below_system":
        detail = _("RTO %(rto)s is shorter than %(system)s's recovery time %(limit)s") % {
            "rto": minutes(finding.value),
            "system": finding.subject,
            "limit": minutes(finding.limit),
        }
    else:
        detail = _("%(value)s is above the limit %(limit)s") % {
            "value": minutes(finding.value),
            "limit": minutes(finding.limit),
        }
    return _("%(title)s [%(tag)s]: %(detail)s") % {
        "title": title,
        "tag": finding.confidence,
        "detail": detail,
    }
