"""The state of Resilia's own background machinery: scheduled jobs and heartbeats."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
