"""Scenarios through the engine (issue 10 item 5): from a risk on sites, suppliers or resources,
the what-if of their failure at the risk's typical duration, the activities it stops, those
that breach their MTPD within it, and the impact level that suggests (engine.risk)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from resilia.analysis.results import Analysis
from resilia.analysis.whatif import FailureError, WhatIfReport, parse_failures
from resilia.core.services import object_create, object_update
from resilia.engine import risk as engine
from resilia.risk.models import Risk, Scenario

if TYPE_CHECKING:
    from resilia.accounts.models import User

DEFAULT_DURATION = 24 * 60  # a day, when neither the risk nor its threat says how long


def failure_specs(risk: Risk) -> list[str]:
    """The what-if's failed nodes: the risk's sites and resources (KIND:CODE)."""
    sites = [f"site:{code}" for code in risk.sites.values_list("code", flat=True)]
    resources = [f"resource:{code}" for code in risk.resources.values_list("code", flat=True)]
    return sites + resources


@transaction.atomic
def scenario_run(*, actor: User | None, risk: Risk) -> Scenario:
    """Run and keep the scenario of the risk; record its suggested impact on the risk."""
    keys: list[str] = []
    for spec in failure_specs(risk):
        try:
            keys += [k for k in parse_failures(actor, [spec]) if k not in keys]
        except FailureError:
            continue  # a site with no resource located there, or one out of the user's scope
    if not keys:
        raise ValidationError(
            _("Name the sites or resources this risk hits (with resources there) to run it.")
        )
    duration = risk.typical_duration or risk.threat.typical_duration or DEFAULT_DURATION
    report = WhatIfReport.run(Analysis(actor), keys)
    activities = []
    for row in report.rows(report.activities):
        stop = row["stop_at"]
        if stop is None or stop > duration:
            continue
        breach = row["mtpd_breach_at"]
        activities.append(
            {
                "code": row["code"],
                "name": row["name"],
                "stop_at": stop,
                "mtpd": row["mtpd"],
                "mtpd_breach_at": breach,
                "breached": breach is not None and breach <= duration,
            }
        )
    breached = sum(1 for a in activities if a["breached"])
    suggested = engine.suggest_impact(
        len(risk.matrix.impact), stopped=len(activities), breached=breached
    )
    scenario = object_create(
        actor=actor,
        action="scenario",
        instance=Scenario(
            risk=risk,
            run_by=actor,
            failed=keys,
            duration=duration,
            revision=report.analysis.revision,
            activities=activities,
            stopped=len(activities),
            breached=breached,
            suggested_impact=suggested,
        ),
    )
    object_update(actor=actor, instance=risk, data={"suggested_impact": suggested})
    return scenario
