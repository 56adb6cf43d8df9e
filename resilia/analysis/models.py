"""Saved what-ifs (issue 7 item 10): a what-if kept with a name and a note, the model revision
it ran on and a compact snapshot of its result, to re-run it on the current model and to
compare two of them side by side (resilia.analysis.saved)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resilia.core.access import ScopedQuerySet


class SavedWhatIf(models.Model):
    """One saved what-if.

    `failed` are the failed nodes as picked (KIND:CODE, e.g. site:DC-MAIN); `failed_keys` the
    nodes they stood for when saved. `at` is the failure time T0, or None for "now" (a re-run
    then fails the nodes at the time of the re-run); `ran_at` is the T0 the saved result used.
    `snapshot` is the whole-model result, unfiltered — the reader's scope filters it when shown:
    {"activities": {key: [stop, back, rto_breach, mtpd_breach]}, "resources": {key: [stop,
    back]}}, minutes after T0, null for never / unknown.
    """

    name = models.CharField(_("name"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    failed = models.JSONField(_("failed nodes"), default=list)
    failed_keys = models.JSONField(default=list)
    at = models.DateTimeField(_("failure time (T0)"), null=True, blank=True)
    ran_at = models.DateTimeField(_("ran at"))
    revision = models.PositiveIntegerField(_("model revision"))
    snapshot = models.JSONField(default=dict)
    # How many activities the saved result stops (whole model): lists show it without
    # loading the snapshots.
    activities = models.PositiveIntegerField(_("activities stopped"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_whatifs",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved what-if")
        verbose_name_plural = _("saved what-ifs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The list page of a coordinator or contributor: their own runs, newest first.
            models.Index(fields=["created_by", "-created_at"], name="analysis_saved_owner_idx"),
            # The BCM office's list page: everyone's runs, newest first.
            models.Index(fields=["-created_at"], name="analysis_saved_created_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("analysis:saved_detail", args=[self.pk])
