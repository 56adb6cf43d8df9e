"""Services of Resilia's own operations: heartbeats, the audit chain check, housekeeping,
the organisation's Word template and report jobs.

Called by the thin tasks in resilia.site.tasks; each is idempotent, so a task that runs
twice (a retry, two workers) changes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from resilia.audit.services import VerifyResult, audit_record, audit_verify
from resilia.core import access, reports
from resilia.ops.models import Heartbeat, ReportJob, ReportTemplate

logger = logging.getLogger(__name__)


def process_label() -> str:
    """host:pid of the calling process, as shown on the health page."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def heartbeat_touch(*, name: str, detail: str = "") -> Heartbeat:
    """Record that the process kind `name` is alive now (one row per kind, upserted).

    Not audited: a heartbeat is machine telemetry written every minute, not a change
    anyone made to the BCM data.
    """
    beat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": timezone.now(), "detail": detail or process_label()}
    )
    return beat


def _admin_recipients():
    from resilia.accounts.models import Role, User

    return (
        User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def _notify_admins(result: VerifyResult) -> int:
    """E-mail each system administrator in their own language; returns how many were sent."""
    sent = 0
    for admin in _admin_recipients():
        language = admin.language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {"result": result, "site_url": settings.SITE_URL, "user": admin}
            subject = render_to_string("ops/email/audit_chain_broken_subject.txt", context)
            body = render_to_string("ops/email/audit_chain_broken.txt", context)
        message = EmailMessage(" ".join(subject.split()), body, to=[admin.email])
        try:
            message.send()
            sent += 1
        except OSError:
            # A down mail server must not hide the finding: the audit event below stays.
            logger.exception("could not e-mail %s about the broken audit chain", admin.email)
    return sent


def audit_chain_check() -> dict:
    """Verify the audit hash chain; when it is broken, record `audit_chain_broken` and
    e-mail the system administrators. Returns a JSON-safe summary for the task result."""
    result = audit_verify()
    summary = {"ok": result.ok, "checked": result.checked}
    if result.ok:
        return summary
    summary.update(broken_seq=result.broken_seq, reason=result.reason)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="audit_chain_broken",
            object_type="audit.auditevent",
            object_id=str(result.broken_id or ""),
            object_repr=f"#{result.broken_seq}",
            changes={"broken_seq": result.broken_seq, "reason": result.reason},
        )
    summary["notified"] = _notify_admins(result)
    return summary


def task_results_prune(*, min_age_days: int = 14) -> int:
    """Delete finished database task results older than `min_age_days`; returns how many.

    Only the database backend keeps results in our tables (RQ expires its own in Redis).
    """
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - dt.timedelta(days=min_age_days)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted


# --- The organisation's Word template -------------------------------------------------------


def template_bytes() -> bytes | None:
    """The current Word template's bytes, or None: DOCX reports then use the built-in one.
    A stored file that went missing counts as none (logged), never as an error."""
    from resilia.ops.models import ReportTemplate

    current = ReportTemplate.objects.first()
    if current is None:
        return None
    try:
        with current.file.open("rb") as handle:
            return handle.read()
    except OSError:
        logger.warning("the report template file %s is missing", current.file.name)
        return None


@transaction.atomic
def report_template_upload(*, actor, upload) -> ReportTemplate:
    """Store `upload` (an uploaded .docx) as the organisation's Word template, checked and
    sanitised (ops.docxfiles), replacing the previous one; audited."""
    from django.core.files.base import ContentFile

    from resilia.ops.docxfiles import check_size, sanitise_docx

    access.require_kind(actor, ReportTemplate, write=True)
    check_size(upload.size)  # before reading it into memory
    content = sanitise_docx(upload.read())
    name = os.path.basename(upload.name or "template.docx")[:200]
    previous = list(ReportTemplate.objects.all())
    template = ReportTemplate(name=name, size=len(content), uploaded_by=actor)
    template.file.save("template.docx", ContentFile(content), save=False)
    template.full_clean()
    template.save()
    for old in previous:
        _delete_file(old.file)
        old.delete()
    audit_record(
        actor=actor,
        action="upload",
        obj=template,
        changes={"name": name, "size": len(content), "replaced": [o.name for o in previous]},
    )
    return template


@transaction.atomic
def report_template_delete(*, actor) -> None:
    """Go back to the built-in template; audited."""
    access.require_kind(actor, ReportTemplate, write=True)
    for old in ReportTemplate.objects.all():
        _delete_file(old.file)
        audit_record(actor=actor, action="delete", obj=old, changes={"name": old.name})
        old.delete()


def _delete_file(field) -> None:
    if field:
        transaction.on_commit(lambda name=field.name, storage=field.storage: storage.delete(name))


# --- Report jobs ------------------------------------------------------------------------------


@transaction.atomic
def report_job_request(*, actor, kind: str, fmt: str, params: dict | None = None) -> ReportJob:
    """Ask for a report to be produced in the background, for `actor` alone; audited and
    enqueued once the transaction commits. The builder checks what the actor may see when
    it runs, so a job never shows more than its requester may read then."""
    from resilia.ops.tasks import report_job_render

    builder = reports.builder_for(kind)  # LookupError: the caller's bug, not the user's
    if access.role_of(actor) is None:
        raise PermissionDenied
    params = params or {}
    job = ReportJob(
        kind=kind,
        fmt=fmt,
        params=params,
        title=str(builder.title(params))[:300],
        language=translation.get_language() or settings.LANGUAGE_CODE,
        requested_by=actor,
    )
    job.full_clean()
    job.save()
    audit_record(
        actor=actor,
        action="report_request",
        obj=job,
        changes={"kind": kind, "format": fmt, "params": params},
    )
    transaction.on_commit(lambda: report_job_render.enqueue(job.pk))
    return job


def report_job_run(*, job_id: int) -> dict:
    """Render one job (called by its task). Idempotent: a finished job is left alone, and a
    job rerun after a dead worker starts over. Progress is written as it renders."""
    from django.core.files.base import ContentFile

    job = ReportJob.objects.filter(pk=job_id).select_related("requested_by").first()
    if job is None or job.finished:
        return {"job": job_id, "status": job.status if job else None}
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.RUNNING, started_at=timezone.now(), progress=0
    )
    last = [0]

    def progress(fraction: float) -> None:
        percent = min(99, int(fraction * 100))
        if percent >= last[0] + 5:  # a write per 5 %, not per block
            last[0] = percent
            ReportJob.objects.filter(pk=job.pk).update(progress=percent)

    try:
        with translation.override(job.language):
            builder = reports.builder_for(job.kind)
            doc = builder.build(user=job.requested_by, params=job.params)
            template = reports.TEMPLATE if job.fmt == "docx" else None
            content = reports.render(doc, job.fmt, template=template, progress=progress)
    except LookupError:
        return _job_failed(job, ReportJob.Reason.UNKNOWN_KIND)
    except PermissionDenied:
        return _job_failed(job, ReportJob.Reason.FORBIDDEN)
    except (ValidationError, ValueError, KeyError):
        logger.exception("report job %s has invalid parameters", job.pk)
        return _job_failed(job, ReportJob.Reason.INVALID)
    except Exception:
        logger.exception("report job %s failed to render", job.pk)
        return _job_failed(job, ReportJob.Reason.RENDER)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    with transaction.atomic():
        job.refresh_from_db()
        if job.file:
            job.file.delete(save=False)
        job.file.save(f"{builder.basename}-{stamp}.{job.fmt}", ContentFile(content), save=False)
        job.status = ReportJob.Status.DONE
        job.progress = 100
        job.reason = ""
        job.finished_at = timezone.now()
        job.save()
        audit_record(
            actor=job.requested_by,
            action="export",
            obj=job,
            changes={"kind": job.kind, "format": job.fmt, "bytes": len(content)},
        )
    return {"job": job.pk, "status": job.status}


def _job_failed(job: ReportJob, reason: str) -> dict:
    with transaction.atomic():
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED, reason=reason, finished_at=timezone.now()
        )
        audit_record(
            actor=job.requested_by,
            action="report_failed",
            obj=job,
            changes={"kind": job.kind, "reason": reason},
        )
    return {"job": job.pk, "status": ReportJob.Status.FAILED, "reason": reason}


def report_jobs_prune(*, min_age_days: int = 7) -> int:
    """Delete report jobs finished more than `min_age_days` ago, and their files; returns
    how many. One summary audit event per run that deleted any (housekeeping, like the task
    results): the request and the export of each stay in the trail."""
    cutoff = timezone.now() - dt.timedelta(days=min_age_days)
    old = list(ReportJob.objects.filter(finished_at__lte=cutoff))
    if not old:
        return 0
    with transaction.atomic():
        for job in old:
            _delete_file(job.file)
        ReportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
        audit_record(
            actor=None,
            action="delete",
            object_type="ops.reportjob",
            object_repr=f"{len(old)}",
            changes={"pruned": len(old), "older_than_days": min_age_days},
        )
    return len(old)
