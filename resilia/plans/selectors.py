"""Reads of the plans that grow beyond a queryset: the newest and published versions, the
scope with its live objectives, the critical path per activity against its RTO, the call
tree and the contacts of a version (which the offline pack reuses)."""

from __future__ import annotations

from dataclasses import dataclass

from resilia.core import access
from resilia.org.models import Person, Team, TeamMembership
from resilia.plans import content as c
from resilia.plans.models import PackIssue, PlanVersion, Status


def newest(plan) -> PlanVersion | None:
    return plan.versions.order_by("-number").first()


def published(plan) -> PlanVersion | None:
    return plan.versions.filter(status=Status.PUBLISHED).first()


def current(plan) -> PlanVersion | None:
    """The version in force (published), or else the newest."""
    return published(plan) or newest(plan)


@dataclass
class ActivityPath:
    """One activity in scope: its live RTO and what the plan's steps take to recover it."""

    activity: object
    best: int
    worst: int
    critical_path: list[str]

    @property
    def rto(self):
        return self.activity.rto

    @property
    def late(self) -> bool:
        return self.rto is not None and self.best > self.rto

    @property
    def worst_late(self) -> bool:
        return self.rto is not None and self.worst > self.rto


def activity_paths(version: PlanVersion) -> list[ActivityPath]:
    """Per activity in scope, the stored critical path against its objectives, read live."""
    per = (version.schedule or {}).get("activities", {})
    rows = []
    for a in version.activities.order_by("code"):
        s = per.get(str(a.pk)) or {
            "best": version.schedule.get("best", 0),
            "worst": version.schedule.get("worst", 0),
            "critical_path": version.schedule.get("critical_path", []),
        }
        rows.append(ActivityPath(a, s["best"], s["worst"], s["critical_path"]))
    return rows


def steps_by_phase(version: PlanVersion) -> list[tuple[str, object, list[dict]]]:
    steps = c.normalised(version.content)["steps"]
    critical = set((version.schedule or {}).get("critical_path", []))
    start = (version.schedule or {}).get("start", {})
    finish = (version.schedule or {}).get("finish", {})
    out = []
    for code, label in c.PHASES:
        mine = [
            {
                **s,
                "critical": s["key"] in critical,
                "start": start.get(s["key"]),
                "finish": finish.get(s["key"]),
            }
            for s in steps
            if s.get("phase") == code
        ]
        if mine:
            out.append((code, label, mine))
    return out


@dataclass
class Contact:
    """One person to call, as the reader may see them (phones hidden outside their scope)."""

    role: str
    team: str
    name: str | None
    title: str
    mobile: str
    office_phone: str
    email: str
    position: str  # leader, deputy leader, member, deputy (of the person above)
    person_id: int | None = None

    @property
    def position_label(self) -> str:
        from django.utils.translation import gettext as _

        return {
            "primary": _("Primary"),
            "deputy": _("Deputy"),
            "leader": _("Team leader"),
            "member": _("Member"),
        }.get(self.position, self.position)


def _contact(user, role, team, person, position) -> Contact:
    shown = access.person_shown(user, person, roster=True) if user is not None else None
    if user is None:  # the command line and the pack: the operator's full rights
        return Contact(
            role,
            team,
            person.full_name,
            person.title,
            person.mobile,
            person.office_phone,
            person.email,
            position,
            person.pk,
        )
    return Contact(
        role,
        team,
        shown.name,
        person.title if shown.in_scope else "",
        shown.mobile,
        shown.office_phone,
        shown.email,
        position,
        person.pk,
    )


def call_tree(*, user, plan_version: PlanVersion) -> list[dict]:
    """The call tree as data: per role of the plan, in order, the people to call — the named
    person, then their deputy, then the team's leader, deputy leader and members, each
    followed by their own deputy — without repeating anyone within a role. The notification
    app sends along it."""
    roles = c.normalised(plan_version.content)["roles"]
    people_ids = {r.get(f) for r in roles for f in ("person", "deputy") if r.get(f)}
    team_ids = {r["team"] for r in roles if r.get("team")}
    people = Person.objects.select_related("deputy").in_bulk(people_ids)
    teams = Team.objects.in_bulk(team_ids)
    order = {"leader": 0, "deputy": 1, "member": 2}
    members: dict[int, list] = {}
    for m in (
        TeamMembership.objects.filter(team_id__in=team_ids, person__is_active=True)
        .select_related("person__deputy")
        .order_by("team_id", "pk")
    ):
        members.setdefault(m.team_id, []).append(m)
    tree = []
    for r in roles:
        team = teams.get(r.get("team"))
        team_name = team.display_name if team else ""
        seen: set[int] = set()
        entries: list[Contact] = []
        candidates = []
        lead = people.get(r.get("person"))
        candidates.append((lead, "primary"))
        candidates.append(
            (people.get(r.get("deputy")) or (lead.deputy if lead else None), "deputy")
        )
        for m in sorted(members.get(r.get("team"), []), key=lambda m: order.get(m.role, 3)):
            candidates.append((m.person, m.role))
            candidates.append((m.person.deputy, "deputy"))
        for person, position in candidates:
            if person is None or person.pk in seen or not person.is_active:
                continue
            seen.add(person.pk)
            entries.append(_contact(user, r["role"], team_name, person, position))
        tree.append(
            {
                "role": r["role"],
                "team": team_name,
                "authority": r.get("authority", ""),
                "contacts": entries,
            }
        )
    return tree


def plan_contacts(*, user, plan_version: PlanVersion) -> list[Contact]:
    """Every person of the call tree once: name, role, team, phones, e-mail (the pack's CSV
    and vCard)."""
    out, seen = [], set()
    for role in call_tree(user=user, plan_version=plan_version):
        for contact in role["contacts"]:
            if contact.person_id not in seen:
                seen.add(contact.person_id)
                out.append(contact)
    return out


def activations(user, keys: set[str]):
    """The published plans whose scope holds a failed or stopped node, with their teams (the
    what-if page's "plans and teams to activate", through analysis.activation)."""
    from resilia.analysis.activation import Activation
    from resilia.plans.models import Plan

    plans = Plan.objects.for_user(user).filter(status=Status.PUBLISHED)
    versions = {
        v.pk: v
        for v in PlanVersion.objects.filter(plan__in=plans, status=Status.PUBLISHED).select_related(
            "plan", "plan__activity", "plan__resource"
        )
    }
    scope: dict[int, set[str]] = {pk: set() for pk in versions}
    through_a = PlanVersion.activities.through.objects.filter(planversion_id__in=versions)
    for vid, code in through_a.values_list("planversion_id", "activity__code"):
        scope[vid].add(f"activity:{code}")
    through_r = PlanVersion.resources.through.objects.filter(planversion_id__in=versions)
    for vid, code in through_r.values_list("planversion_id", "resource__code"):
        scope[vid].add(f"resource:{code}")
    teams = Team.objects.for_user(user).in_bulk() if versions else {}
    out = []
    for vid, v in versions.items():
        if v.plan.activity_id:
            scope[vid].add(f"activity:{v.plan.activity.code}")
        if v.plan.resource_id:
            scope[vid].add(f"resource:{v.plan.resource.code}")
        hit = sorted(scope[vid] & keys)
        if not hit:
            continue
        names = []
        for role in c.normalised(v.content)["roles"]:
            team = teams.get(role.get("team"))
            if team is not None and team.display_name not in names:
                names.append(team.display_name)
        out.append(
            Activation(
                kind=v.plan.get_kind_display(),
                code=v.plan.code,
                name=v.plan.display_name,
                url=v.get_absolute_url(),
                teams=names,
                because=[k.split(":", 1)[1] for k in hit[:8]],
            )
        )
    return sorted(out, key=lambda a: a.code)


@dataclass
class StalePack:
    """A holder whose newest offline pack of the plan is of an older version than the one in
    force."""

    name: str
    number: int
    issued_at: object
    user_id: int


def stale_packs(plan, in_force: PlanVersion | None) -> list[StalePack]:
    """Per user who downloaded a pack of the plan, their newest one when it is older than
    the published version `in_force` (none when nothing is published)."""
    if in_force is None:
        return []
    newest_per_user: dict[int, PackIssue] = {}
    issues = (
        PackIssue.objects.filter(version__plan=plan, user__isnull=False)
        .select_related("version", "user__person")
        .order_by("user_id", "-issued_at", "-pk")
    )
    for issue in issues:
        newest_per_user.setdefault(issue.user_id, issue)
    out = []
    for issue in newest_per_user.values():
        if issue.version.number < in_force.number:
            user = issue.user
            name = user.person.full_name if user.person else user.get_full_name() or user.username
            out.append(StalePack(name, issue.version.number, issue.issued_at, user.pk))
    return sorted(out, key=lambda s: (s.issued_at, s.name))
