"""The BIA's pages: the framework, campaigns with their progress, the questionnaire and its
workflow, and the comparison of two versions of an assessment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from resilia.bia import access as bia_access
from resilia.bia import services, workbook
from resilia.bia.forms import (
    ApproveForm,
    CampaignForm,
    FrameworkForm,
    QuestionnaireForm,
    ReturnForm,
    ReviewForm,
)
from resilia.bia.models import (
    Assessment,
    AssessmentSnapshot,
    Campaign,
    FrameworkVersion,
    Status,
    local_name,
)
from resilia.bia.registers import ASSESSMENTS, CAMPAIGNS
from resilia.core import access
from resilia.core.durations import human_minutes
from resilia.core.forms import errors_onto_form
from resilia.core.lists import list_view
from resilia.core.trail import record
from resilia.core.views import confirm_delete
from resilia.dependencies import selectors
from resilia.dependencies.models import Activity, Dependency
from resilia.engine import bia as engine
from resilia.org.models import Unit

# --- framework -------------------------------------------------------------------------------


@login_required
def framework(request):
    access.require_kind(request.user, FrameworkVersion)
    current = services.current_framework()
    number = request.GET.get("version", "")
    shown = current
    if number.isdigit():
        shown = FrameworkVersion.objects.filter(number=int(number)).first() or current
    versions = FrameworkVersion.objects.order_by("-number")[:50]
    return render(
        request,
        "bia/framework.html",
        {
            "fw": shown,
            "current": current,
            "versions": versions,
            "categories": [
                {**c, "label": local_name(c), "level_names": [local_name(x) for x in c["levels"]]}
                for c in shown.categories
            ],
            "tiers": [{**t, "label": local_name(t)} for t in shown.tiers],
            "peaks": [local_name(p) for p in shown.peak_periods],
            "can_edit": access.can_write_kind(request.user, FrameworkVersion),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_edit(request):
    access.require_kind(request.user, FrameworkVersion, write=True)
    current = services.current_framework()
    form = FrameworkForm(request.POST or None, framework=current)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.framework_save(
                actor=request.user, note=form.cleaned_data["note"], **form.framework_fields()
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(
                request,
                _("Version %(n)d of the impact framework is saved; new campaigns use it.")
                % {"n": new.number},
            )
            return redirect("bia:framework")
    return render(request, "bia/framework_edit.html", {"form": form, "fw": current})


# --- campaigns -------------------------------------------------------------------------------


@login_required
def campaign_list(request):
    return list_view(request, CAMPAIGNS)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    access.require_kind(request.user, Campaign, write=True)
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            campaign = services.campaign_create(
                actor=request.user,
                units=list(form.cleaned_data["units"]),
                activities=form.cleaned_data["activity_codes"],
                **data,
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("The campaign is saved as a draft: launch it when ready."))
            return redirect(campaign)
    return render(request, "core/form.html", {"form": form, "kind": Campaign._meta.verbose_name})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk):
    campaign = access.get_object_for_user(request.user, Campaign, pk, write=True)
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        scope = {}
        if campaign.status == "draft":
            scope = {
                "units": list(form.cleaned_data["units"]),
                "activities": form.cleaned_data["activity_codes"],
            }
        try:
            services.campaign_update(actor=request.user, campaign=campaign, **data, **scope)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("The campaign is saved."))
            return redirect(campaign)
    return render(
        request,
        "core/form.html",
        {"form": form, "obj": campaign, "kind": Campaign._meta.verbose_name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_delete(request, pk):
    campaign = access.get_object_for_user(request.user, Campaign, pk, delete=True)
    if campaign.status != "draft":
        messages.error(request, _("A launched campaign cannot be deleted; close it instead."))
        return redirect(campaign)
    return confirm_delete(
        request, campaign, services.campaign_delete, reverse("bia:campaign_list"), campaign=campaign
    )


def progress(campaign: Campaign, user) -> dict:
    """Assessments per unit and status, for the units the reader may read: two queries,
    whatever the campaign's size."""
    rows = (
        Assessment.objects.for_user(user)
        .filter(campaign=campaign)
        .values("activity__unit")
        .annotate(
            total=Count("pk"),
            **{s.value: Count("pk", filter=Q(status=s.value)) for s in Status},
        )
    )
    by_unit = {r["activity__unit"]: r for r in rows}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=by_unit).order_by("path")}
    table = []
    totals = {s.value: 0 for s in Status} | {"total": 0}
    for pk, unit in units.items():
        r = by_unit[pk]
        for key in totals:
            totals[key] += r[key]
        table.append(
            {
                "unit": unit,
                "cells": [{"status": s.value, "n": r[s.value]} for s in Status],
                "total": r["total"],
                "done": round(100 * r["approved"] / r["total"]) if r["total"] else 0,
            }
        )
    return {
        "rows": table,
        "statuses": list(Status),
        "totals": [totals[s.value] for s in Status],
        "total": totals["total"],
        "done": round(100 * totals["approved"] / totals["total"]) if totals["total"] else 0,
    }


@login_required
def campaign_detail(request, pk):
    campaign = access.get_object_for_user(request.user, Campaign, pk)
    campaign = Campaign.objects.select_related("framework").get(pk=campaign.pk)
    can_write = access.can_write(request.user, campaign)
    prog = progress(campaign, request.user)
    from resilia.bia.rules import campaign_findings, describe

    found = campaign_findings(campaign, user=request.user)
    codes = dict(
        Assessment.objects.filter(campaign=campaign, activity_id__in=list(found)[:20]).values_list(
            "activity_id", "pk"
        )
    )
    activities = {
        a.pk: a
        for a in Activity.objects.filter(pk__in=list(found)[:20]).only(
            "pk", "code", "name", "name_en"
        )
    }
    findings = [
        {
            "activity": activities[pk],
            "assessment": codes.get(pk),
            "texts": [describe(f) for f in items],
        }
        for pk, items in list(found.items())[:20]
        if pk in activities
    ]
    return render(
        request,
        "bia/campaign_detail.html",
        {
            "obj": campaign,
            "can_write": can_write,
            "can_delete": can_write and campaign.status == "draft",
            "progress": prog,
            "findings": findings,
            "findings_total": len(found),
            "scope_units": campaign.units.order_by("path")[:50],
            "scope_activity_count": campaign.activities.count(),
            "assessments_url": reverse("bia:assessment_list") + f"?campaign={campaign.pk}",
            "questionnaire_units": [r["unit"] for r in prog["rows"]],
        },
    )


@login_required
@require_POST
def campaign_launch(request, pk):
    campaign = access.get_object_for_user(request.user, Campaign, pk, write=True)
    try:
        n = services.campaign_launch(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Launched: %(n)d assessments were created.") % {"n": n})
    return redirect(campaign)


@login_required
@require_POST
def campaign_close(request, pk):
    campaign = access.get_object_for_user(request.user, Campaign, pk, write=True)
    try:
        services.campaign_close(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The campaign is closed."))
    return redirect(campaign)


# --- assessments -----------------------------------------------------------------------------


@login_required
def assessment_list(request):
    return list_view(request, ASSESSMENTS)


def _get_assessment(request, pk) -> Assessment:
    obj = access.get_object_for_user(request.user, Assessment, pk)
    return Assessment.objects.select_related(
        "campaign", "framework", "activity", "activity__unit", "assignee", "alternate_site"
    ).get(pk=obj.pk)


def _dependencies(user, assessment: Assessment) -> list[dict]:
    """The activity's direct dependencies with their tested recovery capability, flagged where
    it cannot meet the proposed RTO (RTA vs RTO, RPA vs RPO)."""
    links = (
        Dependency.objects.filter(dependent_activity=assessment.activity)
        .select_related("dependency_activity", "dependency_resource")
        .order_by("pk")[:100]
    )
    rows = []
    readable_links = set(
        Dependency.objects.for_user(user)
        .filter(pk__in=[x.pk for x in links])
        .values_list("pk", flat=True)
    )
    for link in links:
        node = link.dependency_activity or link.dependency_resource
        if node is None:
            continue
        is_resource = link.dependency_resource_id is not None
        rt = node.recovery_time if is_resource else node.rto
        rp = node.recovery_point if is_resource else node.rpo
        rows.append(
            {
                "node": node,
                "visible": link.pk in readable_links,
                "kind": node.get_kind_display() if is_resource else _("activity"),
                "group": link.group,
                "tolerance": link.tolerance,
                "recovery_time": rt,
                "recovery_point": rp,
                "tested_on": getattr(node, "capability_tested_on", None),
                "too_slow": rt is not None and assessment.rto is not None and rt > assessment.rto,
                "too_old": rp is not None and assessment.rpo is not None and rp > assessment.rpo,
            }
        )
    return rows


def _framework_data(assessment: Assessment) -> dict:
    """What the questionnaire's script needs to derive the MTPD live, translated."""
    fw = assessment.framework
    return {
        "points": fw.time_points,
        "labels": [human_minutes(m) for m in fw.time_points],
        "categories": [
            {"code": c["code"], "name": local_name(c), "threshold": c["threshold"]}
            for c in fw.categories
        ],
        "text": {
            "reach": _("%(time)s: %(category)s reaches %(rating)s, its threshold, at %(time)s."),
            "category": _("%(category)s reaches its threshold %(threshold)s at %(time)s."),
            "never": _("%(category)s does not reach its threshold %(threshold)s."),
            "none": _("No category reaches its threshold within %(time)s: no MTPD."),
            "falls": _("A rating falls as time goes on: carry it to the right."),
            "rto": _("The RTO must be shorter than the MTPD (%(mtpd)s)."),
        },
    }


def _explain(assessment: Assessment) -> dict:
    fw = assessment.framework
    names = {c["code"]: local_name(c) for c in fw.categories}
    peak = next(
        (local_name(p) for p in fw.peak_periods if p["code"] == assessment.derived_peak), ""
    )
    drivers = [
        _("%(time)s: %(category)s reaches %(rating)s, its threshold, at %(time)s.")
        % {
            "time": human_minutes(assessment.derived_mtpd),
            "category": names.get(d["category"], d["category"]),
            "rating": d["rating"],
        }
        for d in assessment.derived_drivers
    ]
    return {"drivers": drivers, "peak": peak}


def _tier(assessment: Assessment) -> str:
    from resilia.engine.bia import tier_for

    code = tier_for(assessment.rto, assessment.framework.engine_tiers())
    tier = assessment.framework.tier(code)
    return local_name(tier) if tier else ""


def _context(request, assessment: Assessment, form=None, **forms) -> dict:
    user = request.user
    peak_codes = request.POST.getlist("peak_periods") if request.method == "POST" else []
    add_peak = request.GET.get("add_peak")
    if add_peak:
        peak_codes.append(add_peak)
    if form is None:
        form = QuestionnaireForm(
            assessment=assessment,
            user=user,
            peak_codes=peak_codes,
            disabled=not bia_access.may_fill(user, assessment),
        )
    fw = assessment.framework
    bound = selectors.compiled_model().recovery_bound(assessment.activity_id)
    context = {
        "obj": assessment,
        "form": form,
        "fw": fw,
        "time_labels": [human_minutes(m) for m in fw.time_points],
        "resource_labels": [human_minutes(m) for m in fw.resource_points],
        "can_fill": bia_access.may_fill(user, assessment),
        "can_review": bia_access.may_review(user, assessment),
        "can_approve": bia_access.may_approve(user, assessment),
        "events": assessment.events.select_related("actor").order_by("-created_at", "-pk")[:50],
        "versions": list(assessment.snapshots.values_list("version", flat=True)),
        "dependencies": _dependencies(user, assessment),
        "bound": bound,
        "explain": _explain(assessment),
        "tier": _tier(assessment),
        "framework_data": _framework_data(assessment),
        "other_peaks": [
            {"code": p["code"], "name": local_name(p)}
            for p in fw.peak_periods
            if p["code"] not in form.peak_codes
        ],
        "return_form": forms.get("return_form") or ReturnForm(),
        "review_form": forms.get("review_form") or ReviewForm(),
        "approve_form": forms.get("approve_form")
        or ApproveForm(initial={"mtpd_override": assessment.derived_mtpd}),
    }
    return context


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request, pk):
    assessment = _get_assessment(request, pk)
    if request.method == "GET":
        return render(request, "bia/assessment.html", _context(request, assessment))
    if not bia_access.may_fill(request.user, assessment):
        raise PermissionDenied
    form = QuestionnaireForm(
        request.POST,
        assessment=assessment,
        user=request.user,
        peak_codes=request.POST.getlist("peak_periods"),
    )
    submit = "submit" in request.POST
    if form.is_valid():
        try:
            services.assessment_save(actor=request.user, assessment=assessment, **form.answers())
            if submit:
                services.assessment_submit(actor=request.user, assessment=assessment)
        except ValidationError as exc:
            errors_onto_form(form, exc)
            # A refused submission keeps what was saved; a refused save keeps nothing.
            assessment.refresh_from_db()
        else:
            if submit:
                messages.success(request, _("Submitted to the BCM office for review."))
                return redirect(assessment)
            messages.success(request, _("Your answers are saved."))
            peak = request.POST.get("add_peak", "")
            if request.POST.get("add_peak_submit") and peak in {
                p["code"] for p in assessment.framework.peak_periods
            }:
                return redirect(f"{assessment.get_absolute_url()}?add_peak={peak}#peaks")
            return redirect(assessment)
    return render(
        request, "bia/assessment.html", _context(request, assessment, form=form), status=400
    )


def _workflow(request, pk, form_class, key, allowed, service, success):
    assessment = _get_assessment(request, pk)
    if not allowed(request.user, assessment):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, assessment=assessment, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, success)
            return redirect(assessment)
    assessment.refresh_from_db()
    return render(
        request, "bia/assessment.html", _context(request, assessment, **{key: form}), status=400
    )


@login_required
@require_POST
def assessment_return(request, pk):
    return _workflow(
        request,
        pk,
        ReturnForm,
        "return_form",
        bia_access.may_review,
        services.assessment_return,
        _("Returned to the coordinator with your comments."),
    )


@login_required
@require_POST
def assessment_review(request, pk):
    return _workflow(
        request,
        pk,
        ReviewForm,
        "review_form",
        bia_access.may_review,
        services.assessment_review,
        _("Reviewed: the unit's approver can now approve it."),
    )


@login_required
@require_POST
def assessment_approve(request, pk):
    return _workflow(
        request,
        pk,
        ApproveForm,
        "approve_form",
        bia_access.may_approve,
        services.assessment_approve,
        _("Approved: the activity's recovery objectives are updated."),
    )


@login_required
def assessment_compare(request, pk):
    """Two versions of an assessment side by side (?a=1&b=2; default: the last two)."""
    assessment = _get_assessment(request, pk)
    snaps = {s.version: s.data for s in AssessmentSnapshot.objects.filter(assessment=assessment)}
    current = services.answers(assessment)
    versions = sorted(snaps)

    def pick(name, default):
        value = request.GET.get(name, "")
        if value == "current":
            return "current"
        return int(value) if value.isdigit() and int(value) in snaps else default

    if not versions:
        raise Http404
    a = pick("a", versions[-2] if len(versions) > 1 else versions[-1])
    b = pick("b", "current" if assessment.editable else versions[-1])
    left = current if a == "current" else snaps[a]
    right = current if b == "current" else snaps[b]
    fw = assessment.framework
    grid = []
    for cat in fw.categories:
        la = (left.get("ratings") or {}).get(cat["code"]) or [None] * len(fw.time_points)
        ra = (right.get("ratings") or {}).get(cat["code"]) or [None] * len(fw.time_points)
        grid.append(
            {
                "name": local_name(cat),
                "cells": [
                    {"a": x, "b": y, "changed": x != y} for x, y in zip(la, ra, strict=False)
                ],
            }
        )
    fields = []
    labels = {
        "rto": _("RTO"),
        "rto_all": _("time to restore all functions"),
        "rpo": _("RPO"),
        "derived_mtpd": _("derived MTPD"),
        "mtpd_override": _("approved MTPD"),
        "mbco_level": _("MBCO service level"),
        "mbco": _("MBCO description"),
        "workaround": _("manual workaround"),
        "workaround_minutes": _("workaround lasts"),
        "override_reason": _("reason for a different MTPD"),
    }
    durations = {"rto", "rto_all", "rpo", "derived_mtpd", "mtpd_override", "workaround_minutes"}
    for key, label in labels.items():
        x, y = left.get(key), right.get(key)
        if key in durations:
            x, y = (human_minutes(v) if v is not None else "—" for v in (x, y))
        fields.append(
            {
                "label": label,
                "a": x if x not in (None, "") else "—",
                "b": y if y not in (None, "") else "—",
                "changed": x != y,
            }
        )
    return render(
        request,
        "bia/compare.html",
        {
            "obj": assessment,
            "a": a,
            "b": b,
            "versions": versions,
            "grid": grid,
            "fields": fields,
            "time_labels": [human_minutes(m) for m in fw.time_points],
        },
    )


# --- Excel: the full export and the offline questionnaire ----------------------------------


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _campaign_rows(campaign, queryset):
    return list(
        queryset.filter(campaign=campaign)
        .select_related("activity", "activity__unit", "framework")
        .order_by("activity__unit__path", "activity__code")
    )


@login_required
def campaign_export(request, pk):
    """Every assessment of the campaign the reader may read, with status and derived MTPD."""
    campaign = access.get_object_for_user(request.user, Campaign, pk)
    rows = _campaign_rows(campaign, Assessment.objects.for_user(request.user))
    data = workbook.build(rows, campaign.framework, campaign=campaign, full=True)
    record(
        actor=request.user,
        action="export",
        obj=campaign,
        changes={"format": "xlsx", "rows": len(rows), "kind": "bia_campaign"},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(data, f"bia-{campaign.code}-{stamp}.xlsx")


@login_required
def questionnaire_download(request, pk):
    """The offline questionnaire of one unit: its open assessments the reader may fill."""
    campaign = access.get_object_for_user(request.user, Campaign, pk)
    unit = access.get_object_for_user(request.user, Unit, request.GET.get("unit"))
    rows = [
        a
        for a in _campaign_rows(
            campaign,
            Assessment.objects.for_user(request.user).filter(
                activity__unit__path__startswith=unit.path
            ),
        )
        if bia_access.may_fill(request.user, a)
    ]
    if not rows:
        messages.error(
            request,
            _("%(unit)s has no open assessment you may fill.") % {"unit": unit.display_name},
        )
        return redirect(campaign)
    data = workbook.build(rows, campaign.framework, campaign=campaign)
    record(
        actor=request.user,
        action="export",
        obj=campaign,
        changes={
            "format": "xlsx",
            "rows": len(rows),
            "kind": "bia_questionnaire",
            "unit": unit.code,
        },
    )
    return _xlsx(data, f"bia-{campaign.code}-{unit.code}.xlsx")


@login_required
@require_POST
def questionnaire_import(request, pk):
    campaign = access.get_object_for_user(request.user, Campaign, pk)
    upload = request.FILES.get("file")
    if upload is None:
        result = workbook.ImportResult(errors=[_("Choose the questionnaire file to import.")])
    else:
        result = workbook.import_workbook(upload, user=request.user, campaign=campaign)
    if result.ok:
        record(
            actor=request.user,
            action="import",
            obj=campaign,
            changes={"kind": "bia_questionnaire", "assessments": len(result.saved)},
        )
        messages.success(
            request,
            _("The questionnaire was imported: %(n)d assessments saved.")
            % {"n": len(result.saved)},
        )
        return redirect(campaign)
    return render(
        request,
        "bia/questionnaire_import.html",
        {"obj": campaign, "errors": result.errors[:200], "more": max(0, len(result.errors) - 200)},
        status=400,
    )


HEATMAP_PAGE = 50


def heatmap_rows(assessments, framework) -> list[dict]:
    """Per assessment, per time point: the highest rating of any category and whether some
    category has reached its own threshold there (the grid the heat map draws)."""
    categories = framework.engine_categories()
    n = len(framework.time_points)
    return [
        {
            "assessment": a,
            "cells": [
                {"value": i.highest, "over": i.intolerable}
                for i in engine.impact_over_time(categories, n, a.ratings or {})
            ],
        }
        for a in assessments
    ]


@login_required
def campaign_heatmap(request, pk):
    """Impact over time across the campaign's activities (issue 9 item 9): the activities
    the reader may read, the most urgent first (derived MTPD, then code), a page at a time."""
    from django.core.paginator import Paginator

    campaign = access.get_object_for_user(request.user, Campaign, pk)
    framework = campaign.framework
    queryset = (
        Assessment.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("activity")
        .order_by(F("derived_mtpd").asc(nulls_last=True), "activity__code", "pk")
    )
    page = Paginator(queryset, HEATMAP_PAGE).get_page(request.GET.get("page"))
    rows = heatmap_rows(page.object_list, framework)
    labels = [human_minutes(m) for m in framework.time_points]
    chart = {
        "x": labels,
        "y": [f"{r['assessment'].activity.code}" for r in rows],
        "data": [
            [i, j, cell["value"]]
            for j, r in enumerate(rows)
            for i, cell in enumerate(r["cells"])
            if cell["value"] is not None
        ],
        "max": max((len(c["levels"]) for c in framework.categories), default=5),
        "label": _("Highest impact rating"),
    }
    return render(
        request,
        "bia/heatmap.html",
        {"obj": campaign, "rows": rows, "labels": labels, "page": page, "chart": chart},
    )


@login_required
def campaign_report(request, pk):
    """The BIA report as a page (HTML); PDF and DOCX are produced by a report job."""
    from resilia.bia.report import build
    from resilia.core import reports

    access.get_object_for_user(request.user, Campaign, pk)
    params = {"campaign": pk, "unit": request.GET.get("unit") or None}
    doc = build(user=request.user, params=params)
    return HttpResponse(reports.render(doc, "html", request=request))
