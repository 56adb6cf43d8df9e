"""Evidence files of any object: the files tab (list + upload), download and delete.

Access always follows the target object: read it to list and download, write it to upload
and delete.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from resilia.audit.presenters import absolute_url, clean_pk, resolve_model
from resilia.audit.services import audit_record
from resilia.core import access
from resilia.evidence.forms import UploadForm
from resilia.evidence.models import Attachment
from resilia.evidence.services import attachment_delete, attachment_upload, attachments_for


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# The trail and the files themselves never take evidence.
NOT_TARGETS = frozenset({"audit.auditevent", "evidence.attachment"})


def _target(user, model, pk, *, write=False):
    if model is None or pk is None or model._meta.label_lower in NOT_TARGETS:
        raise Http404
    try:
        return access.get_object_for_user(user, model, pk, write=write)
    except LookupError:  # a kind without an access policy takes no evidence
        raise Http404 from None


def _render_files(request, target, form=None, status=200):
    context = {
        "target": target,
        "object_type": target._meta.label_lower,
        "files": attachments_for(target),
        "can_write": access.can_write(request.user, target),
        "form": form or UploadForm(),
        "back_url": absolute_url(target),
    }
    template = "evidence/_object_files.html" if _is_htmx(request) else "evidence/object_files.html"
    return render(request, template, context, status=status)


@login_required
def object_files(request, object_type, object_id):
    """GET: the files of the object; POST: upload one (needs write access to the object)."""
    model = resolve_model(object_type)
    pk = clean_pk(model, object_id) if model is not None else None
    target = _target(request.user, model, pk, write=request.method == "POST")
    if request.method != "POST":
        return _render_files(request, target)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment_upload(
                actor=request.user,
                target=target,
                file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
    if form.errors:
        return _render_files(request, target, form, status=200 if _is_htmx(request) else 400)
    if _is_htmx(request):
        return _render_files(request, target)
    return redirect("evidence:object_files", object_type=object_type, object_id=pk)


def _attachment_and_target(user, raw_pk, *, write=False):
    pk = clean_pk(Attachment, raw_pk)
    attachment = (
        Attachment.objects.select_related("content_type").filter(pk=pk).first() if pk else None
    )
    if attachment is None:
        raise Http404
    target = _target(user, attachment.content_type.model_class(), attachment.object_id, write=write)
    return attachment, target


@login_required
def download(request, pk):
    """Stream the file through the access check, as an attachment, and audit the download."""
    attachment, target = _attachment_and_target(request.user, pk)
    try:
        handle = attachment.storage.open(attachment.stored_name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    audit_record(
        actor=request.user,
        action="download",
        obj=target,
        changes={"file": attachment.original_name, "sha256": attachment.sha256},
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were to render it, the file gets no script, no origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def delete(request, pk):
    """Delete one file (needs write access to its object)."""
    attachment, target = _attachment_and_target(request.user, pk, write=True)
    attachment_delete(actor=request.user, attachment=attachment)
    if _is_htmx(request):
        return _render_files(request, target)
    return redirect(
        "evidence:object_files", object_type=target._meta.label_lower, object_id=target.pk
    )
