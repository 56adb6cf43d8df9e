"""Reads of the strategies app: a subject's objectives and its options compared side by side.

The objectives come live from the model: an activity's RTO and RPO (set by the BIA); for a
resource, the time by which it must be back and the data it may lose — the strictest
requirement of the activities that need it, through the compiled dependency graph
(`engine.required_objectives`, cached per model revision).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, Value, When

from resilia.dependencies.models import Activity, Resource
from resilia.dependencies.selectors import compiled_model
from resilia.engine import required_objectives
from resilia.engine import strategies as engine
from resilia.strategies.models import Option, Status

# How many options one comparison shows side by side (a page, not a table of everything).
MAX_COMPARED = 12
# How many options an activity's or resource's page lists (the chosen one first); the
# comparison and the register have the rest.
PANEL_SHOWN = 5
LIVE = (Status.PROPOSED, Status.CHOSEN)


@dataclass
class Objectives:
    """What the subject must achieve; None = not set (or nothing requires it)."""

    rto: int | None
    rpo: int | None
    mtpd: int | None = None
    rto_by: Activity | None = None
    rpo_by: Activity | None = None


@dataclass
class Compared:
    option: Option
    verdict: engine.Verdict


@dataclass
class Comparison:
    subject: Activity | Resource
    objectives: Objectives
    rows: list[Compared] = field(default_factory=list)
    more: int = 0  # options not shown (beyond MAX_COMPARED)

    @property
    def recommended(self) -> Option | None:
        return next((r.option for r in self.rows if r.verdict.recommended), None)

    @property
    def chosen(self) -> Option | None:
        return next((r.option for r in self.rows if r.option.status == Status.CHOSEN), None)


def _finite(value) -> int | None:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return None
    return int(value)


def resource_objectives(resource: Resource, user=None) -> Objectives:
    """The strictest RTO (with tolerances) and RPO of the activities needing the resource; the
    activity imposing each is named only to a user who may read it (None: anyone)."""
    model = compiled_model()
    ids = model.index.resource_ids
    pos = int(ids.searchsorted(resource.pk))
    if pos >= len(ids) or ids[pos] != resource.pk:  # created since the graph was compiled
        return Objectives(rto=None, rpo=None)
    node = len(model.index.activity_ids) + pos
    required = model.derived("required", required_objectives)
    by = {}
    for name in ("rto_by", "rpo_by"):
        imposer = int(getattr(required, name)[node])
        if 0 <= imposer < len(model.index.activity_ids):
            activities = Activity.objects.all() if user is None else Activity.objects.for_user(user)
            by[name] = activities.filter(pk=int(model.index.activity_ids[imposer])).first()
    return Objectives(
        rto=_finite(float(required.rto[node])),
        rpo=_finite(float(required.rpo[node])),
        **by,
    )


def objectives_of(subject: Activity | Resource, user=None) -> Objectives:
    if isinstance(subject, Activity):
        return Objectives(rto=subject.rto, rpo=subject.rpo, mtpd=subject.mtpd)
    return resource_objectives(subject, user)


def facts(option: Option) -> engine.OptionFacts:
    """What the comparison knows of an option: a tested option counts with what the test showed."""
    tested = option.tested_on is not None
    return engine.OptionFacts(
        key=option.pk,
        recovery_time=option.tested_recovery_time if tested else option.recovery_time,
        recovery_point=(
            option.tested_recovery_point
            if tested and option.tested_recovery_point is not None
            else option.recovery_point
        ),
        cost_once=float(option.cost_once or 0),
        cost_yearly=float(option.cost_yearly or 0),
    )


def comparison(user, subject: Activity | Resource) -> Comparison:
    """The subject's readable options (live ones first) judged against its objectives."""
    key = "activity" if isinstance(subject, Activity) else "resource"
    options = Option.objects.for_user(user).filter(**{key: subject})
    live = options.exclude(status__in=[Status.REJECTED, Status.SUPERSEDED]).order_by("pk")
    shown = list(live.select_related("decided_by")[:MAX_COMPARED])
    objectives = objectives_of(subject, user)
    verdicts = engine.compare([facts(o) for o in shown], rto=objectives.rto, rpo=objectives.rpo)
    rows = [Compared(o, v) for o, v in zip(shown, verdicts, strict=True)]
    return Comparison(subject, objectives, rows, more=max(0, live.count() - len(shown)))


@dataclass
class Summary:
    """The options of one subject as its page lists them: the chosen one first, then the
    proposed ones, each judged against the subject's objectives; `others` counts the rejected
    and superseded ones, `more` the live ones not listed."""

    subject: Activity | Resource
    objectives: Objectives | None
    rows: list[Compared] = field(default_factory=list)
    more: int = 0
    others: int = 0

    @property
    def chosen(self) -> Option | None:
        return next((r.option for r in self.rows if r.option.status == Status.CHOSEN), None)


def summary(user, subject: Activity | Resource) -> Summary:
    """The subject's options the user may read, for its page: two queries for the options,
    the objectives only when there is an option to judge (a resource's from the cached
    dependency graph)."""
    key = "activity" if isinstance(subject, Activity) else "resource"
    options = Option.objects.for_user(user).filter(**{key: subject})
    counts = options.aggregate(
        live=Count("pk", filter=Q(status__in=LIVE)),
        others=Count("pk", filter=~Q(status__in=LIVE)),
    )
    if not counts["live"]:
        return Summary(subject, None, others=counts["others"])
    chosen_first = Case(
        When(status=Status.CHOSEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    shown = list(options.filter(status__in=LIVE).order_by(chosen_first, "pk")[:PANEL_SHOWN])
    objectives = objectives_of(subject, user)
    verdicts = engine.compare([facts(o) for o in shown], rto=objectives.rto, rpo=objectives.rpo)
    return Summary(
        subject,
        objectives,
        [Compared(o, v) for o, v in zip(shown, verdicts, strict=True)],
        more=counts["live"] - len(shown),
        others=counts["others"],
    )
