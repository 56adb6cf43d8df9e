"""Evidence files attached to any object of the BCMS (plans, drills, audits, BIA records...)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    """One uploaded file, attached to one target object.

    The file lives in `storages["evidence"]` (local disk or an S3-compatible bucket) under a
    generated name (`yyyy/mm/<uuid4>.<ext>`); the user's file name is kept, sanitised, only
    for display and download. Who may read or change it is decided by the target object.
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    stored_name = models.CharField(_("stored name"), max_length=200, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    mime_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            # The files tab of one object: WHERE content_type=? AND object_id=? ORDER BY time.
            models.Index(
                fields=["content_type", "object_id", "uploaded_at"], name="evidence_target_idx"
            ),
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("evidence:download", args=[self.pk])

    @property
    def storage(self):
        # Looked up on each use so that a change of STORAGES (tests, S3) takes effect.
        return storages["evidence"]
