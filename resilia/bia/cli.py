"""`resilia analyze bia [--campaign CODE] [--unit CODE] [--json]`: per activity the derived
MTPD with its driving category, whether the RTO is strictly below the MTPD, the tier, the
priority rank (RTO then RPO ascending, ties by MTPD then code) and the rule findings.

Without --campaign it reads the approved objectives (dependencies.Activity) and the latest
approved assessment of each activity; with it, the answers of that campaign's assessments.
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from resilia.analysis.cli import Subcommand, table
from resilia.bia import rules
from resilia.bia.models import Assessment, Campaign, local_name
from resilia.bia.services import current_framework
from resilia.core.durations import human_minutes
from resilia.dependencies.models import Activity
from resilia.engine import bia as engine
from resilia.org.models import Unit


def configure(parser) -> None:
    parser.add_argument("--campaign", metavar="CODE", help="Analyse this campaign's answers.")
    parser.add_argument("--unit", metavar="CODE", help="Only this unit and the units below it.")
    parser.add_argument("--json", action="store_true", help="JSON output.")


def _m(value) -> str:
    return human_minutes(value) if value is not None else "—"


def run(options) -> tuple[dict, str]:
    unit = None
    if options.get("unit"):
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(
                _("No unit has the code %(code)s.") % {"code": options["unit"]}, returncode=2
            )
    campaign = None
    if options.get("campaign"):
        campaign = Campaign.objects.filter(code=options["campaign"]).first()
        if campaign is None:
            raise CommandError(
                _("No campaign has the code %(code)s.") % {"code": options["campaign"]},
                returncode=2,
            )
    rows = []
    if campaign is not None:
        framework = campaign.framework
        qs = Assessment.objects.filter(campaign=campaign).select_related(
            "activity", "activity__unit"
        )
        if unit is not None:
            qs = qs.filter(activity__unit__path__startswith=unit.path)
        found = rules.campaign_findings(campaign)
        for a in qs.order_by("activity__code"):
            rows.append((a.activity, a, a.mtpd, a.rto, a.rpo, found.get(a.activity_id, [])))
    else:
        framework = current_framework()
        qs = Activity.objects.select_related("unit")
        if unit is not None:
            qs = qs.filter(unit__path__startswith=unit.path)
        activities = list(qs.order_by("code"))
        latest = rules.latest_approved([a.pk for a in activities])
        found = rules.activity_findings(activities)
        for act in activities:
            rows.append(
                (act, latest.get(act.pk), act.mtpd, act.rto, act.rpo, found.get(act.pk, []))
            )
    tiers = (campaign.framework if campaign else framework).engine_tiers()
    order = engine.priority_order(
        engine.Objectives(act.code, rto, rpo, mtpd) for act, _a, mtpd, rto, rpo, _f in rows
    )
    rank = {o.code: n for n, o in enumerate(order, 1)}
    names = {c["code"]: local_name(c) for c in framework.categories}
    data = {"campaign": campaign.code if campaign else None, "framework": framework.number,
            "activities": []}  # fmt: skip
    lines = []
    for act, a, mtpd, rto, rpo, findings in sorted(
        rows, key=lambda r: (rank.get(r[0].code, 10**9), r[0].code)
    ):
        drivers = [d["category"] for d in (a.derived_drivers if a else [])]
        tier = engine.tier_for(rto, tiers)
        item = {
            "code": act.code,
            "name": act.display_name,
            "unit": act.unit.code,
            "derived_mtpd": a.derived_mtpd if a else None,
            "drivers": drivers,
            "mtpd": mtpd,
            "rto": rto,
            "rpo": rpo,
            "rto_valid": engine.rto_valid(rto, mtpd),
            "tier": tier,
            "rank": rank.get(act.code),
            "findings": [rules.describe(f) for f in findings],
        }
        data["activities"].append(item)
        lines.append(
            [
                str(item["rank"] or "—"),
                f"{act.code} {act.display_name}",
                _m(item["derived_mtpd"]),
                pgettext("list of parts", ", ").join(names.get(d, d) for d in drivers) or "—",
                _m(mtpd),
                _m(rto),
                _m(rpo),
                _("yes") if item["rto_valid"] else _("NO"),
                local_name(framework.tier(tier) or {}) if tier else "—",
                "; ".join(item["findings"]) or "—",
            ]
        )
    header = [
        _("Rank"), _("Activity"), _("Derived MTPD"), _("Driven by"), _("MTPD"), _("RTO"),
        _("RPO"), _("RTO below MTPD"), _("Tier"), _("Findings"),
    ]  # fmt: skip
    title = _("Business impact analysis")
    scope = campaign.code if campaign else _("approved objectives")
    text = "\n".join(
        [f"{title} · {scope} · {framework}", "", table(header, lines) if lines else _("None")]
    )
    return data, text


SUBCOMMAND = Subcommand(
    help="BIA: derived MTPD and its driver, RTO validity, tier, priority and rule findings.",
    configure=configure,
    run=run,
)
