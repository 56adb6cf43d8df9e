"""The priorities page, the rule packs page and the alternate work area check (issue 9 items
5, 6 and 7). Reads go through the access choke point; changes through bia.rules services."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from resilia.bia import rules, services, sites
from resilia.bia.models import Assessment, Campaign, RulePack, local_name
from resilia.core import access
from resilia.core.exports import export_response
from resilia.core.trail import record
from resilia.dependencies import selectors
from resilia.dependencies.models import Activity, Resource, priority_order
from resilia.engine import bia as engine
from resilia.engine import rules as engine_rules

PAGE = 50


def priority_rows(user):
    """Prioritised activities the user may read, in priority order (served by the index
    dependencies.activity_priority_order)."""
    return (
        Activity.objects.for_user(user)
        .filter(rto__isnull=False)
        .select_related("unit")
        .order_by(*priority_order())
    )


EXPORT_CHUNK = 2000


def _export(request, fw, model):
    """Every prioritised activity the user may read, in order, in chunks (findings and
    bounds per chunk), as CSV or XLSX; the export is audited."""
    fmt = request.GET["export"]
    tiers = {t["code"]: local_name(t) for t in fw.tiers}
    engine_tiers = fw.engine_tiers()
    headers = [_("Rank"), _("code"), _("name"), _("unit"), _("RTO (minutes)"),
               _("RPO (minutes)"), _("MTPD (minutes)"), _("Tier"),
               _("RTO achievable"), _("Limited by:"), _("Rule findings")]  # fmt: skip
    rows, chunk = [], []
    yes, no = _("Yes"), _("No")

    def flush():
        findings = rules.activity_findings(chunk)
        for a in chunk:
            b = model.recovery_bound(a.pk)
            late = b is not None and b.achievable is False
            rows.append([
                len(rows) + 1, a.code, a.display_name, a.unit.display_name,
                a.rto, a.rpo, a.mtpd,
                tiers.get(engine.tier_for(a.rto, engine_tiers), ""),
                no if late else yes,
                (b.limited_by or "").split(":", 1)[-1] if late else "",
                "; ".join(rules.describe(f) for f in findings.get(a.pk, ())),
            ])  # fmt: skip
        chunk.clear()

    columns = ("code", "name", "name_en", "rto", "rpo", "mtpd", "unit__name", "unit__name_en")
    for a in priority_rows(request.user).only(*columns).iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(a)
        if len(chunk) == EXPORT_CHUNK:
            flush()
    flush()
    record(
        actor=request.user,
        action="export",
        object_type="bia.priorities",
        object_repr=_("Priorities"),
        changes={"format": fmt, "rows": len(rows)},
    )
    return export_response(fmt=fmt, basename="bia-priorities", headers=headers, rows=rows)


@login_required
def priorities(request):
    access.require_kind(request.user, Activity)
    if request.GET.get("export") in ("csv", "xlsx"):
        return _export(request, services.current_framework(), selectors.compiled_model())
    page = Paginator(priority_rows(request.user), PAGE).get_page(request.GET.get("page"))
    fw = services.current_framework()
    tiers = {t["code"]: local_name(t) for t in fw.tiers}
    model = selectors.compiled_model()  # compiled once per model revision
    bounds = {a.pk: model.recovery_bound(a.pk) for a in page}
    limiting = {b.limited_by.split(":", 1)[1] for b in bounds.values() if b and b.limited_by}
    shown = {r.code: r for r in Resource.objects.for_user(request.user).filter(code__in=limiting)}
    findings = rules.activity_findings(page)
    rows = []
    for rank, a in enumerate(page, start=page.start_index()):
        b = bounds[a.pk]
        late = b is not None and b.achievable is False
        code = b.limited_by.split(":", 1)[1] if late and b.limited_by else None
        rows.append(
            {
                "rank": rank,
                "activity": a,
                "tier": tiers.get(engine.tier_for(a.rto, fw.engine_tiers())),
                "late": late,
                "bound": int(b.bound) if late else None,
                "limiting": shown.get(code) if code else None,
                "hidden_limit": bool(code) and code not in shown,
                "findings": [rules.describe(f) for f in findings.get(a.pk, ())],
            }
        )
    return render(request, "bia/priorities.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def rule_packs(request):
    access.require_kind(request.user, RulePack)
    can_edit = access.can_write_kind(request.user, RulePack)
    errors: list[str] = []
    if request.method == "POST":
        access.require_kind(request.user, RulePack, write=True)
        code = request.POST.get("code", "")
        try:
            if "rules" in request.POST:
                try:
                    data = json.loads(request.POST["rules"])
                except ValueError:
                    raise ValidationError({"rules": [_("The rules are not valid JSON.")]}) from None
                rules.rulepack_revise(
                    actor=request.user, code=code, rules=data, note=request.POST.get("note", "")
                )
                messages.success(request, _("The rules are saved as a new version of the pack."))
            else:
                rules.rulepack_enable(
                    actor=request.user, code=code, enabled=request.POST.get("enabled") == "1"
                )
                messages.success(request, _("The rule pack is updated."))
            return redirect("bia:rule_packs")
        except ValidationError as exc:
            errors = [m for ms in exc.message_dict.values() for m in ms]
    kept = {p.code: p for p in rules.current_packs()}
    packs = []
    for code in sorted({*kept, *engine_rules.BUILT_IN}):
        pack = kept.get(code)
        data = pack.rules if pack else engine_rules.BUILT_IN[code]["rules"]
        name = pack.local_name if pack else local_name(engine_rules.BUILT_IN[code])
        packs.append(
            {
                "code": code,
                "name": name,
                "pack": pack,
                "rules": [
                    {
                        **r,
                        "label": local_name({"name": r.get("title"), "name_en": r.get("title_en")}),
                    }
                    for r in data
                ],
                "json": request.POST.get("rules")
                if errors and request.POST.get("code") == code
                else json.dumps(data, ensure_ascii=False, indent=2),
            }
        )
    return render(
        request, "bia/rules.html", {"packs": packs, "can_edit": can_edit, "errors": errors}
    )


@login_required
def site_check(request):
    access.require_kind(request.user, Assessment)
    campaigns = Campaign.objects.for_user(request.user).order_by("-period_start")[:50]
    chosen = None
    if request.GET.get("campaign", "").isdigit():
        chosen = Campaign.objects.for_user(request.user).filter(pk=request.GET["campaign"]).first()
    points = (chosen.framework if chosen else services.current_framework()).resource_points
    days = [max(1, m // 1440) for m in points]
    loads = sites.site_check(request.user, points, chosen)
    chart = {
        "days": days,
        "labels": {"capacity": _("capacity"), "day": _("day"), "seats": _("seats")},
        "sites": [
            {
                "name": f"{s.code} · {s.display_name}",
                "seats": load.seats,
                "capacity": s.seat_capacity or 0,
            }
            for s, load in loads
        ],
    }
    table = [
        {
            "site": s,
            "load": load,
            "cells": list(zip(days, load.seats, load.staff, load.shortfalls, strict=True)),
        }
        for s, load in loads
    ]
    return render(
        request,
        "bia/sites.html",
        {"table": table, "days": days, "chart": chart, "campaigns": campaigns, "chosen": chosen},
    )
