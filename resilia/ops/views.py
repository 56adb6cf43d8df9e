"""Pages of the reports machinery: the organisation's Word template, and report jobs (their
progress, polled by htmx, and the download) for the user who asked for them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from resilia.core import access, reports
from resilia.ops import services
from resilia.ops.forms import TemplateUploadForm
from resilia.ops.models import ReportJob, ReportTemplate


@login_required
def template_page(request):
    """Show, replace or remove the Word template (administrators and BCM managers)."""
    access.require_kind(request.user, ReportTemplate, write=True)
    form = TemplateUploadForm()
    if request.method == "POST" and "remove" in request.POST:
        services.report_template_delete(actor=request.user)
        messages.success(request, _("DOCX reports now use the built-in template."))
        return redirect("ops:report_template")
    if request.method == "POST":
        form = TemplateUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.report_template_upload(
                    actor=request.user, upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                for message in exc.message_dict.get("file", exc.messages):
                    form.add_error("file", message)
            else:
                messages.success(request, _("The Word template was uploaded."))
                return redirect("ops:report_template")
    current = ReportTemplate.objects.for_user(request.user).first()
    return render(request, "ops/report_template.html", {"form": form, "current": current})


@login_required
@require_POST
def job_request(request):
    """Ask for a report in the background: `kind`, `fmt`, and the builder's parameters."""
    kind = request.POST.get("kind", "")
    fmt = request.POST.get("fmt", "")
    try:
        reports.builder_for(kind)
    except LookupError:
        raise Http404 from None
    if fmt not in ReportJob.Format.values:
        raise Http404
    params = {
        k: request.POST.getlist(k)
        for k in request.POST
        if k not in ("kind", "fmt", "csrfmiddlewaretoken")
    }
    job = services.report_job_request(actor=request.user, kind=kind, fmt=fmt, params=params)
    return redirect("ops:report_job", pk=job.pk)


@login_required
def job_page(request, pk):
    """The job's progress (the htmx poll gets the status card alone) and its download."""
    job = access.get_object_for_user(request.user, ReportJob, pk)
    if request.headers.get("HX-Request"):
        return render(request, "ops/_report_job_status.html", {"job": job})
    return render(request, "ops/report_job.html", {"job": job})


@login_required
def job_download(request, pk):
    job = access.get_object_for_user(request.user, ReportJob, pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404
    name = job.file.name.rsplit("/", 1)[-1]
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=name)
    response["Content-Type"] = reports.CONTENT_TYPES[job.fmt]
    return response
