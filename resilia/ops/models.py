"""The state of Resilia's own machinery: scheduled jobs, heartbeats, report jobs and the
organisation's report template."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resilia.core.access import ScopedQuerySet


class ScheduledJob(models.Model):
    """When a periodic job declared in code (resilia.site.scheduler.JOBS) runs next.

    Schedulers claim a due job by moving `next_run_at` forward with a compare-and-swap
    UPDATE; the one whose UPDATE changed the row enqueues the task, so several scheduler
    processes never enqueue the same run twice.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("next run"))
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_task_id = models.CharField(_("last task id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Heartbeat(models.Model):
    """The last sign of life of one kind of background process (worker, scheduler).

    The worker's row is written by a task the scheduler enqueues every minute, so a fresh
    row proves that tasks are both enqueued and executed, whatever the queue backend.
    """

    WORKER = "worker"
    SCHEDULER = "scheduler"

    name = models.CharField(_("name"), max_length=50, unique=True)
    last_seen = models.DateTimeField(_("last seen"))
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class ReportTemplate(models.Model):
    """The organisation's own Word template (.docx) that DOCX reports are built on: its
    styles, letterhead, headers and footers. One at a time; the latest upload replaces it.

    Stored sanitised (resilia.ops.templates_docx): no macros, ActiveX or embedded objects,
    no external links.
    """

    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to="report-templates/")
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.name


class ReportJob(models.Model):
    """One report produced in the background for the user who asked for it (and only for
    them): its progress while it renders, then the file or the reason it failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        UNKNOWN_KIND = "unknown_kind", _("This kind of report no longer exists.")
        FORBIDDEN = "forbidden", _("You may no longer read what this report covers.")
        INVALID = "invalid", _("The report's settings are not valid any more.")
        RENDER = "render", _("The report could not be rendered; the error was logged.")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"

    kind = models.CharField(_("kind"), max_length=100)
    fmt = models.CharField(_("format"), max_length=10, choices=Format.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=10)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="report_jobs",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    file = models.FileField(_("file"), upload_to="reports/", blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="ops_reportjob_progress_percent"
            ),
        ]
        indexes = [
            # The requester's own jobs, newest first (the only way jobs are listed).
            models.Index(fields=["requested_by", "-created_at"], name="ops_reportjob_mine"),
        ]

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
