"""Continuity strategy options per prioritised activity or resource (ISO 22301 8.3, DOMAIN.md §4).

An `Option` is one candidate way to protect or recover its subject (exactly one activity or one
resource): what it would achieve (recovery time and point), what it costs, the residual risk
and what it needs (people, seats, equipment, data). Options are compared side by side against
the subject's objectives; one of them is chosen with an approval, and once tested, what the
test achieved flows into the dependency model (the resource's recovery capability).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resilia.core.access import ScopedQuerySet
from resilia.core.durations import MinutesField
from resilia.core.models import BilingualName
from resilia.dependencies.models import Activity, Resource


class Family(models.TextChoices):
    """The seeds' three strategy families (seed 000, 业务连续性策略包括三个方面)."""

    PREVENTIVE = "preventive", _("Preventive protection")
    MONITORING = "monitoring", _("Monitoring protection")
    EXTERNAL = "external", _("External cooperation")


class Kind(models.TextChoices):
    PREVENTIVE = "preventive", _("Preventive measure")
    REDUNDANCY = "redundancy", _("Redundancy (site, equipment, data, role)")
    ALTERNATE_SITE = "alternate_site", _("Alternate site")
    MANUAL_WORKAROUND = "manual_workaround", pgettext_lazy("strategy kind", "Manual workaround")
    SUPPLIER_ALTERNATIVE = "supplier_alternative", _("Alternative supplier")
    MONITORING = "monitoring", _("Monitoring and alarms")
    EXTERNAL_COOPERATION = "external_cooperation", _("External cooperation")


# Each kind's family: monitoring and external cooperation are families of their own, every
# other kind prepares resources before the disruption (seed 000: 站点冗余、设备冗余、数据备份、
# 人员角色备份、资源措施准备、人工操作方案).
FAMILY_OF_KIND = {
    Kind.MONITORING: Family.MONITORING,
    Kind.EXTERNAL_COOPERATION: Family.EXTERNAL,
}


def family_of(kind: str) -> str:
    return FAMILY_OF_KIND.get(kind, Family.PREVENTIVE)


class ResidualRisk(models.TextChoices):
    """The level of risk left once the option is in place (the risk matrix's default bands)."""

    # In context: the risk bands' own words (低 / 一般 / 较大 / 重大), not a criticality's.
    LOW = "low", pgettext_lazy("residual risk", "Low")
    MEDIUM = "medium", pgettext_lazy("residual risk", "Medium")
    HIGH = "high", pgettext_lazy("residual risk", "High")
    VERY_HIGH = "very_high", pgettext_lazy("residual risk", "Very high")


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CHOSEN = "chosen", _("Chosen")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


STATUS_COLOURS = {
    Status.PROPOSED: "blue",
    Status.CHOSEN: "green",
    Status.REJECTED: "secondary",
    Status.SUPERSEDED: "secondary",
}


class Option(BilingualName):
    """A candidate continuity strategy for one activity or one resource."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="strategy_options",
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="strategy_options",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    recovery_time = MinutesField(
        _("recovery time it would achieve"),
        null=True,
        blank=True,
        help_text=_("How long recovery would take with this option in place."),
    )
    recovery_point = MinutesField(
        _("recovery point it would achieve"),
        null=True,
        blank=True,
        help_text=_("How much data (as time) would be lost with this option in place."),
    )
    cost_once = models.DecimalField(
        _("one-off cost"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    cost_yearly = models.DecimalField(
        _("yearly cost"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    residual_risk = models.CharField(
        _("residual risk"), max_length=10, choices=ResidualRisk.choices, default=ResidualRisk.MEDIUM
    )
    people_needed = models.PositiveIntegerField(_("people needed"), default=0)
    seats_needed = models.PositiveIntegerField(_("seats needed"), default=0)
    equipment_needed = models.TextField(_("equipment needed"), blank=True)
    data_needed = models.TextField(_("data needed"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    tested_on = models.DateField(_("tested on"), null=True, blank=True)
    tested_recovery_time = MinutesField(
        _("recovery time achieved in the test"), null=True, blank=True
    )
    tested_recovery_point = MinutesField(
        _("recovery point achieved in the test"), null=True, blank=True
    )
    test_evidence = models.CharField(_("evidence of the test"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("strategy option")
        verbose_name_plural = _("strategy options")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=False, resource__isnull=True)
                | Q(activity__isnull=True, resource__isnull=False),
                name="strategy_option_one_subject",
                violation_error_message=_("An option is for one activity or one resource."),
            ),
            models.UniqueConstraint(
                fields=["activity"],
                condition=Q(status="chosen"),
                name="strategy_one_chosen_per_activity",
                violation_error_message=_("Another option is already chosen for this activity."),
            ),
            models.UniqueConstraint(
                fields=["resource"],
                condition=Q(status="chosen"),
                name="strategy_one_chosen_per_resource",
                violation_error_message=_("Another option is already chosen for this resource."),
            ),
        ]
        indexes = [
            # The comparison page of an activity: its options in order (activity = ?, by pk).
            models.Index(fields=["activity", "id"], name="strategy_option_activity"),
            # The comparison page of a resource: its options in order (resource = ?, by pk).
            models.Index(fields=["resource", "id"], name="strategy_option_resource"),
            # The register filtered by status (proposed / chosen), newest first, a page at a time.
            models.Index(fields=["status", "-id"], name="strategy_option_status"),
        ]

    def get_absolute_url(self):
        return reverse("strategies:option_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if (self.activity_id is None) == (self.resource_id is None):
            raise ValidationError(
                _("Choose the activity or the resource this option is for (one, not both)."),
                code="one_subject",
            )

    @property
    def subject(self) -> Activity | Resource:
        return self.activity if self.activity_id else self.resource

    @property
    def family(self) -> str:
        return family_of(self.kind)

    def get_family_display(self) -> str:
        return Family(self.family).label

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def editable(self) -> bool:
        """A chosen option is locked (its approval stands for what was approved)."""
        return self.status in (Status.PROPOSED, Status.REJECTED)
