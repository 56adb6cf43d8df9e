"""Pages of incidents: the register, the declaration, the incident page with its live clock,
level, status, deadlines and reports, roles and journal, and the close-out with the review
and corrective actions. Every step goes through resilia.incidents.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from resilia.core import access
from resilia.core.forms import errors_onto_form
from resilia.core.lists import list_view
from resilia.core.trail import record
from resilia.incidents import access as inc_access
from resilia.incidents import activation as act
from resilia.incidents import documents, intake, services
from resilia.incidents.clock import clock, failed_keys
from resilia.incidents.forms import (
    AchievedForm,
    ActionForm,
    ActivateForm,
    IncidentForm,
    JournalForm,
    LevelForm,
    ReportForm,
    ReviewForm,
    RoleForm,
    StatusForm,
    TaskForm,
)
from resilia.incidents.models import (
    CorrectiveAction,
    Deadline,
    Incident,
    Report,
    Role,
    Status,
    Task,
)
from resilia.incidents.registers import INCIDENTS

# The clock lists this many activities on the page (the soonest to breach first); the API and
# the report give them all.
CLOCK_ROWS = 200
# The page refreshes its clock this often (seconds).
CLOCK_REFRESH = 30


def _incident(request, pk) -> Incident:
    obj = access.get_object_for_user(request.user, Incident, pk)
    return Incident.objects.select_related("pack", "unit", "reporter").get(pk=obj.pk)


def _runnable(request, pk) -> Incident:
    incident = _incident(request, pk)
    if not inc_access.may_run(request.user, incident):
        raise PermissionDenied
    return incident


@login_required
def incident_list(request):
    return list_view(request, INCIDENTS)


@login_required
@require_http_methods(["GET", "POST"])
def declare(request):
    if not inc_access.may_declare(request.user):
        raise PermissionDenied
    source = _source_report(request)
    initial = {}
    if source is not None:
        initial = {
            "title": source.what.splitlines()[0][:80],
            "description": "\n".join(
                x
                for x in (source.what, source.location, source.reporter_name, source.reporter_phone)
                if x
            ),  # fmt: skip
            "sites": [source.site] if source.site else [],
            "detected_at": timezone.localtime(source.noticed_at).replace(second=0, microsecond=0),
        }
    form = IncidentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = data.get("unit")
        if not inc_access.may_declare(request.user, unit):
            form.add_error("unit", _("You may not declare an incident for this unit."))
        else:
            try:
                incident = services.incident_declare(
                    actor=request.user,
                    title=data["title"],
                    category=data["category"],
                    pack=data["pack"],
                    detected_at=data["detected_at"],
                    description=data["description"],
                    is_drill=data["is_drill"],
                    unit=unit,
                    sites=data["sites"],
                    resources=data["resources"],
                    activities=data["activities"],
                    facts=data["facts"],
                    level_reason=data.get("level_reason") or "",
                )
            except ValidationError as exc:
                errors_onto_form(form, exc, on_top=("facts",))
            else:
                if source is not None:
                    intake.to_incident(actor=request.user, report=source, incident=incident)
                messages.success(
                    request, _("Incident %(code)s was declared.") % {"code": incident.code}
                )
                return redirect(incident)
    return render(request, "incidents/declare.html", {"form": form, "source": source})


def _source_report(request):
    """The anomaly report the incident is declared from (?report=<id>), still to triage."""
    from resilia.incidents.models import AnomalyReport, IntakeStatus

    raw = request.GET.get("report") or request.POST.get("report")
    if not raw:
        return None
    row = access.get_object_for_user(request.user, AnomalyReport, raw)
    return row if row.status == IntakeStatus.NEW else None


def _clock_context(request, incident, keys: list[str] | None = None) -> dict:
    keys = failed_keys(incident) if keys is None else keys
    state = clock(incident, request.user, limit=CLOCK_ROWS, keys=keys)
    grade, escalation = services.evaluate(incident, keys=keys)
    return {
        "obj": incident,
        "clock": state,
        "counts": state.counts(),
        "grade": grade,
        "escalation": escalation,
        "escalation_name": incident.pack.level_name(escalation.level) if escalation else "",
        "refresh": CLOCK_REFRESH if incident.is_open else None,
        "deadlines": list(incident.deadlines.select_related("report").order_by("due_at", "pk")),
        "now": state.at,
    }


def _named(incident) -> list:
    """The level changes with the levels' names in the reader's language."""
    rows = list(incident.level_changes.select_related("decided_by").order_by("at", "pk"))
    for row in rows:
        row.from_name = incident.pack.level_name(row.from_level) or "—"
        row.to_name = incident.pack.level_name(row.to_level) or "—"
    return rows


@login_required
def detail(request, pk, forms=None, status=200):
    incident = _incident(request, pk)
    user = request.user
    keys = failed_keys(incident)  # read once: the clock, the grading and the plans share it
    context = _clock_context(request, incident, keys)
    can_run = inc_access.may_run(user, incident)
    forms = forms or {}
    context.update(
        {
            "can_run": can_run,
            "can_write": can_run and incident.is_open,
            "roles": list(incident.roles.select_related("person").order_by("role", "pk")),
            "journal": list(incident.journal.select_related("author").order_by("-at", "-pk")[:100]),
            "reports": list(incident.reports.select_related("deadline", "filed_by")),
            "level_changes": _named(incident),
            "review": getattr(incident, "review", None) if hasattr(incident, "review") else None,
            "actions": list(
                incident.actions.select_related("owner").order_by("status", "due_date")
            ),
            "affected": {
                "sites": list(incident.sites.order_by("code")),
                "resources": list(incident.resources.order_by("code")[:50]),
                "activities": list(incident.activities.order_by("code")[:50]),
            },
        }
    )
    context["activations"] = list(
        incident.activations.select_related("plan_version__plan").order_by("activated_at")
    )
    if can_run and incident.is_open:
        versions = act.activatable(user).exclude(
            pk__in=[a.plan_version_id for a in context["activations"]]
        )
        by_code = {v.plan.code: v for v in versions}
        context["proposed"] = [
            (p, by_code[p.code])
            for p in act.proposed(user, incident, keys=keys)
            if p.code in by_code
        ]
        if versions.exists():
            context["activate_form"] = forms.get("activate_form") or ActivateForm(
                incident=incident, versions=versions
            )
    if can_run and incident.status != Status.CLOSED:
        context["journal_form"] = forms.get("journal_form") or JournalForm()
        context["role_form"] = forms.get("role_form") or RoleForm(user=user)
        if incident.is_open:
            context["level_form"] = forms.get("level_form") or LevelForm(incident=incident)
        status_form = forms.get("status_form") or StatusForm(incident=incident)
        if status_form.fields["status"].choices:
            context["status_form"] = status_form
        if incident.status == Status.RESOLVED:
            context["action_form"] = forms.get("action_form") or ActionForm(user=user)
            if context["review"] is not None:
                candidates = services.achieved_candidates(user, incident)
                if candidates:
                    context["achieved_form"] = forms.get("achieved_form") or AchievedForm(
                        resources=candidates
                    )
    return render(request, "incidents/detail.html", context, status=status)


@login_required
@require_GET
def clock_panel(request, pk):
    """The clock, deadlines and level as a fragment, for the page's periodic refresh."""
    incident = _incident(request, pk)
    return render(request, "incidents/_live.html", _clock_context(request, incident))


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    incident = _runnable(request, pk)
    if not incident.is_open:
        messages.error(request, _("A resolved or closed incident can no longer be changed."))
        return redirect(incident)
    initial = {
        "title": incident.title,
        "category": incident.category,
        "description": incident.description,
    }
    # The affected sites, resources and activities are the form's own initial (those readable).
    form = IncidentForm(request.POST or None, user=request.user, incident=incident, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.incident_update(
                actor=request.user,
                incident=incident,
                title=data["title"],
                category=data["category"],
                description=data["description"],
                sites=data["sites"],
                resources=data["resources"],
                activities=data["activities"],
                facts=data["facts"],
            )
        except ValidationError as exc:
            errors_onto_form(form, exc, on_top=("facts",))
        else:
            messages.success(request, _("The incident was updated."))
            return redirect(incident)
    return render(request, "incidents/edit.html", {"form": form, "obj": incident})


def _step(request, pk, form_class, name, run, *, form_kwargs=None, success=None, then=None):
    incident = _runnable(request, pk)
    form = form_class(request.POST, **(form_kwargs(incident) if form_kwargs else {}))
    if form.is_valid():
        try:
            run(incident, form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc, on_top=("facts",))
        else:
            if success:
                messages.success(request, success)
            return redirect(then or incident)
    return detail(request, pk, forms={name: form}, status=400)


@login_required
@require_POST
def level(request, pk):
    return _step(
        request,
        pk,
        LevelForm,
        "level_form",
        lambda inc, d: services.level_set(
            actor=request.user, incident=inc, level=d["level"], reason=d["reason"]
        ),
        form_kwargs=lambda inc: {"incident": inc},
        success=_("The response level was recorded."),
    )


@login_required
@require_POST
def status(request, pk):
    return _step(
        request,
        pk,
        StatusForm,
        "status_form",
        lambda inc, d: services.status_set(
            actor=request.user, incident=inc, status=d["status"], note=d["note"]
        ),
        form_kwargs=lambda inc: {"incident": inc},
        success=_("The status was changed."),
    )


@login_required
@require_POST
def journal(request, pk):
    return _step(
        request,
        pk,
        JournalForm,
        "journal_form",
        lambda inc, d: services.journal_add(
            actor=request.user, incident=inc, kind=d["kind"], text=d["text"], at=d["at"]
        ),
    )


@login_required
@require_POST
def role_add(request, pk):
    return _step(
        request,
        pk,
        RoleForm,
        "role_form",
        lambda inc, d: services.role_assign(
            actor=request.user, incident=inc, role=d["role"], person=d["person"], note=d["note"]
        ),
        form_kwargs=lambda inc: {"user": request.user},
    )


@login_required
@require_POST
def role_remove(request, pk, role_pk):
    incident = _runnable(request, pk)
    role = get_object_or_404(Role, pk=role_pk, incident=incident)
    services.role_remove(actor=request.user, role=role)
    return redirect(incident)


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request, pk):
    """File a report: against a deadline (?deadline=<id>) or a situation report on its own,
    its text generated from the incident and edited before filing."""
    incident = _runnable(request, pk)
    deadline = None
    raw = request.GET.get("deadline") or request.POST.get("deadline")
    if raw:
        if not str(raw).isdigit():
            return HttpResponse(_("Unknown deadline."), status=400, content_type="text/plain")
        deadline = get_object_or_404(Deadline, pk=raw, incident=incident)
    if incident.status == Status.CLOSED:
        messages.error(request, _("The incident is closed: no report can be filed any more."))
        return redirect(incident)
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report = services.report_file(
                    actor=request.user,
                    incident=incident,
                    deadline=deadline,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as exc:
                errors_onto_form(form, exc, on_top=("facts",))
            else:
                messages.success(request, _("The report was filed."))
                return redirect(report)
    else:
        title, body = services.report_draft(incident, deadline)
        form = ReportForm(initial={"title": title, "body": body})
    return render(
        request, "incidents/report_form.html", {"form": form, "obj": incident, "deadline": deadline}
    )


@login_required
def report_detail(request, pk):
    obj = access.get_object_for_user(request.user, Report, pk)
    report = Report.objects.select_related("incident__pack", "deadline", "filed_by").get(pk=obj.pk)
    return render(request, "incidents/report.html", {"report": report, "obj": report.incident})


@login_required
@require_GET
def report_export(request, pk, fmt):
    obj = access.get_object_for_user(request.user, Report, pk)
    report = Report.objects.select_related("incident__pack", "deadline", "filed_by").get(pk=obj.pk)
    if fmt not in ("docx", "pdf"):
        return HttpResponse(_("Unknown format."), status=404, content_type="text/plain")
    content, content_type = documents.render_report(report, fmt)
    record(
        actor=request.user,
        action="export",
        obj=report,
        changes={"format": fmt, "report": "incident_report"},
    )
    response = HttpResponse(content, content_type=content_type)
    name = f"{report.incident.code}-{report.pk}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    incident = _runnable(request, pk)
    if incident.status != Status.RESOLVED:
        messages.error(request, _("Review the incident once it is resolved."))
        return redirect(incident)
    existing = getattr(incident, "review", None) if hasattr(incident, "review") else None
    if existing:
        initial = {
            f: getattr(existing, f)
            for f in ("timeline", "downtime_minutes", "data_loss_minutes", "cost", "causes",
                      "lessons")
        }  # fmt: skip
    else:
        initial = services.review_defaults(incident)
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_save(actor=request.user, incident=incident, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc, on_top=("facts",))
        else:
            messages.success(request, _("The post-incident review was saved."))
            return redirect(incident)
    return render(request, "incidents/review.html", {"form": form, "obj": incident})


@login_required
@require_POST
def close(request, pk):
    incident = _runnable(request, pk)
    try:
        services.incident_close(actor=request.user, incident=incident)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The incident was closed."))
    return redirect(incident)


@login_required
@require_POST
def action_add(request, pk):
    return _step(
        request,
        pk,
        ActionForm,
        "action_form",
        lambda inc, d: services.action_add(
            actor=request.user,
            incident=inc,
            title=d["title"],
            owner=d["owner"],
            due_date=d["due_date"],
        ),
        form_kwargs=lambda inc: {"user": request.user},
    )


@login_required
@require_POST
def action_done(request, pk, action_pk):
    incident = _runnable(request, pk)
    action = get_object_or_404(CorrectiveAction, pk=action_pk, incident=incident)
    services.action_done(actor=request.user, action=action, now=timezone.now())
    return redirect(incident)


@login_required
@require_POST
def activate(request, pk):
    incident = _runnable(request, pk)
    versions = act.activatable(request.user)
    return _step(
        request,
        pk,
        ActivateForm,
        "activate_form",
        lambda inc, d: act.activate(
            actor=request.user,
            incident=inc,
            version=d["version"],
            parent=d.get("parent"),
            notify=d["notify"],
        ),
        form_kwargs=lambda inc: {"incident": inc, "versions": versions},
        success=_("The plan was activated: its steps are on the task board."),
        then=reverse("incidents:board", args=[incident.pk]),
    )


@login_required
def board(request, pk):
    """The task board of the activated plans, by phase, with the projected recovery."""
    incident = _incident(request, pk)
    context = act.board(incident)
    context.update({"obj": incident, "can_run": inc_access.may_run(request.user, incident)})
    context["workable"] = {
        t.pk
        for a in context["activations"]
        for phase in a["phases"]
        for t in phase["tasks"]
        if context["can_run"] or _owns(request.user, t)
    } if incident.status != Status.CLOSED else set()  # fmt: skip
    return render(request, "incidents/board.html", context)


def _owns(user, task) -> bool:
    pid = getattr(user, "person_id", None)
    return pid is not None and task.owner_id == pid


@login_required
@require_POST
def task(request, task_pk):
    """Start, finish, skip or reopen a task; an htmx request gets the task's card back, a
    plain form the board."""
    obj = access.get_object_for_user(request.user, Task, task_pk)
    obj = Task.objects.select_related("activation__incident", "owner").get(pk=obj.pk)
    if not inc_access.may_work(request.user, obj):
        raise PermissionDenied
    form = TaskForm(request.POST)
    error = None
    if form.is_valid():
        notes = form.cleaned_data["notes"]
        try:
            obj = act.task_update(
                actor=request.user,
                task=obj,
                state=form.cleaned_data["state"],
                at=form.cleaned_data["at"],
                notes=notes if notes or "notes" in request.POST else None,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    incident = obj.activation.incident
    if request.headers.get("HX-Request"):
        obj = Task.objects.select_related("owner", "activation__incident").get(pk=obj.pk)
        return render(
            request,
            "incidents/_task.html",
            {"t": obj, "obj": incident, "workable": {obj.pk}, "error": error, "late": set()},
            status=200 if error is None else 400,
        )
    if error:
        messages.error(request, error)
    return redirect("incidents:board", pk=incident.pk)


@login_required
@require_POST
def achieved(request, pk):
    """Write the recovery achieved into the failed resources' tested capability."""
    incident = _runnable(request, pk)
    candidates = services.achieved_candidates(request.user, incident)
    form = AchievedForm(request.POST, resources=candidates)
    if form.is_valid():
        try:
            n = services.achieved_apply(actor=request.user, incident=incident, values=form.values())
        except ValidationError as exc:
            errors_onto_form(form, exc, on_top=("facts",))
        else:
            messages.success(
                request, _("The tested capability of %(n)d resources was updated.") % {"n": n}
            )
            return redirect(incident)
    return detail(request, pk, forms={"achieved_form": form}, status=400)
