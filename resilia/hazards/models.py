"""Hazard inspection and rectification (隐患排查治理) as a closed loop.

Checklist templates (消防, 供配电, 空调, 网络机房) → inspection rounds (巡检) on a schedule, each
with its own copy of the checklist → hazards found on a round (一般隐患 / 重大隐患) with photo
evidence → the rectification order with the five things the Chinese practice requires
(五落实: 责任, 措施, 资金, 时限, 预案) → the fix reported, verified by someone other than the
responsible person, closed or reopened → escalation to the manager when overdue.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resilia.core.access import ScopedQuerySet
from resilia.core.models import BilingualName, code_validator, in_reader_language
from resilia.dependencies.models import Resource
from resilia.org.models import Person, Site
from resilia.risk.models import Risk


class ChecklistKind(models.TextChoices):
    FIRE = "fire", _("Fire protection")
    POWER = "power", _("Power supply and distribution")
    HVAC = "hvac", _("Air conditioning")
    NETWORK = "network", _("Network room")
    OTHER = "other", _("Other")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class ChecklistTemplate(BilingualName):
    """A checklist for one kind of inspection. Editing it raises its version; a round copies
    the items when it is created, so a finished round keeps the items it was made with."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=ChecklistKind.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("hazards:template_detail", args=[self.pk])


class ChecklistItem(models.Model):
    """One check of a template, in both languages."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("check"), max_length=300)
    text_en = models.CharField(_("check (English)"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="hazards_item_position")
        ]

    def __str__(self):
        return self.display_text

    @property
    def display_text(self) -> str:
        return in_reader_language(self.text, self.text_en)


class Schedule(models.Model):
    """Inspect a site (or one piece of equipment at it) with a template every day, week,
    month or quarter; the daily job creates each due round once."""

    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        on_delete=models.PROTECT,
        related_name="schedules",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("equipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    next_due = models.DateField(_("next round due"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection schedule")
        verbose_name_plural = _("inspection schedules")
        ordering = ["site__code", "template__code"]
        indexes = [
            # The daily job: WHERE is_active AND next_due <= today.
            models.Index(fields=["is_active", "next_due"], name="hazards_schedule_due_idx"),
        ]

    def __str__(self):
        return f"{self.site} · {self.template} · {self.get_frequency_display()}"

    def get_absolute_url(self):
        return reverse("hazards:schedule_list")


class RoundStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("inspection", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("inspection", "In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", pgettext_lazy("inspection", "Cancelled")


# A round still to be done: the only ones that can be due or overdue.
ROUND_OPEN = (RoundStatus.PLANNED, RoundStatus.IN_PROGRESS)


class InspectionRound(models.Model):
    """One inspection (巡检) of a site by an inspector, with its own copy of the checklist."""

    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    template_version = models.PositiveIntegerField(_("checklist version"))
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("equipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    schedule = models.ForeignKey(
        Schedule,
        verbose_name=_("schedule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rounds",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(pgettext_lazy("inspection", "due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Why the round was called off (round_cancel): kept, with the date, for the audit.
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-due_date", "-pk"]
        constraints = [
            # The scheduler creates a schedule's round for a day once, however often it runs.
            models.UniqueConstraint(
                fields=["schedule", "due_date"],
                condition=Q(schedule__isnull=False),
                name="hazards_one_round_per_due_date",
            )
        ]
        indexes = [
            # Rounds by status, newest due first (the rounds register's default view).
            models.Index(fields=["status", "due_date"], name="hazards_round_status_idx"),
            # An inspector's own rounds: WHERE inspector_id = ? ORDER BY due_date.
            models.Index(fields=["inspector", "due_date"], name="hazards_round_inspector_idx"),
        ]

    def __str__(self):
        return f"{self.site.display_name} · {self.template.display_name} · {self.due_date}"

    def get_absolute_url(self):
        return reverse("hazards:round_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def editable(self) -> bool:
        return self.status in ROUND_OPEN


class Result(models.TextChoices):
    PENDING = "pending", _("Not checked")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NA = "na", _("Not applicable")


class RoundItem(models.Model):
    """One check of a round (copied from the template) and the inspector's answer."""

    round = models.ForeignKey(InspectionRound, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("check"), max_length=300)
    text_en = models.CharField(_("check (English)"), max_length=300, blank=True)
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    remark = models.CharField(_("remark"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="hazards_round_position")
        ]

    def __str__(self):
        return self.display_text

    def get_absolute_url(self):
        return self.round.get_absolute_url()

    @property
    def display_text(self) -> str:
        return in_reader_language(self.text, self.text_en)


class Grade(models.TextChoices):
    GENERAL = "general", _("General hazard")
    MAJOR = "major", _("Major hazard")


class HazardStatus(models.TextChoices):
    OPEN = "open", _("Awaiting rectification order")
    RECTIFYING = "rectifying", _("Being rectified")
    VERIFYING = "verifying", _("Awaiting verification")
    CLOSED = "closed", pgettext_lazy("hazard", "Closed")  # 已销号, not a campaign's 已关闭
    # Recorded by mistake and withdrawn before any rectification (hazard_withdraw).
    WITHDRAWN = "withdrawn", pgettext_lazy("hazard", "Withdrawn")


OPEN_STATUSES = (HazardStatus.OPEN, HazardStatus.RECTIFYING, HazardStatus.VERIFYING)


class Hazard(models.Model):
    """A hazard (隐患) found on a round or reported on its own, with its grade and photos."""

    round = models.ForeignKey(
        InspectionRound,
        verbose_name=_("inspection round"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    item = models.ForeignKey(
        RoundItem,
        verbose_name=_("failed check"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazards",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("equipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    location = models.CharField(_("location"), max_length=200)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    found_at = models.DateTimeField(_("found"))
    status = models.CharField(
        _("status"), max_length=20, choices=HazardStatus.choices, default=HazardStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # The risk of the register this hazard was promoted to (hazard_promote), once.
    promoted_risk = models.ForeignKey(
        Risk,
        verbose_name=_("promoted to risk"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="source_hazards",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_at", "-pk"]
        indexes = [
            # The major-hazards page and the grade × age view: WHERE status IN (...) AND
            # grade = ? ORDER BY found_at.
            models.Index(fields=["status", "grade", "found_at"], name="hazards_hazard_open_idx"),
            # The register's default order: ORDER BY found_at DESC.
            models.Index(fields=["-found_at"], name="hazards_hazard_found_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("hazards:hazard_detail", args=[self.pk])

    @property
    def number(self) -> str:
        """The ledger number (隐患编号): YH, the year found, the row id."""
        return f"YH{self.found_at:%Y}-{self.pk:05d}" if self.pk else ""

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Rectification(models.Model):
    """The rectification order of a hazard with its 五落实: the responsible person (责任),
    the measures (措施), the funding (资金), the deadline (时限) and the contingency plan (预案)
    while the hazard stays; all five are required before it is issued."""

    hazard = models.OneToOneField(Hazard, on_delete=models.CASCADE, related_name="rectification")
    responsible = models.ForeignKey(
        Person, verbose_name=_("responsible person"), on_delete=models.PROTECT, related_name="+"
    )
    measures = models.TextField(_("measures"))
    funding_amount = models.DecimalField(
        _("funding (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    funding_source = models.CharField(_("funding source"), max_length=200)
    deadline = models.DateField(_("deadline"))
    contingency = models.TextField(_("contingency plan"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued"))
    completion_note = models.TextField(_("what was done"), blank=True)
    completed_at = models.DateTimeField(_("fix reported"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        indexes = [
            # The overdue list and the escalation job: WHERE deadline < today (open hazards).
            models.Index(fields=["deadline"], name="hazards_rect_deadline_idx"),
        ]

    def __str__(self):
        return str(self.hazard)

    def get_absolute_url(self):
        return self.hazard.get_absolute_url()


class Verification(models.Model):
    """The verifier's sign-off on a reported fix (验收): passed closes the hazard, failed
    sends it back to rectification. Kept for every attempt."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="verifications")
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifier"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    passed = models.BooleanField(_("fix accepted"))
    note = models.TextField(_("verification note"))
    verified_at = models.DateTimeField(_("verified"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["hazard", "verified_at"]

    def __str__(self):
        return f"{self.hazard.number} · {self.verified_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return self.hazard.get_absolute_url()


class Escalation(models.Model):
    """One overdue notice about a hazard e-mailed to one manager on one day (the day after
    the deadline, then weekly); kept so that a repeated run never sends it twice."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="escalations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("overdue escalation")
        verbose_name_plural = _("overdue escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "user", "day"], name="hazards_one_escalation_per_day"
            )
        ]

    def __str__(self):
        return f"{self.hazard.number} · {self.day}"
