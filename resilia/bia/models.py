"""Business impact analysis: the versioned impact framework, campaigns and assessments.

The arithmetic (MTPD derivation, tiers, priorities) is plain Python in resilia.engine.bia; these
models keep what the BCM office and the departments wrote, and the approved objectives flow
into `dependencies.Activity` when an assessment is approved (services.assessment_approve).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resilia.core.access import ScopedQuerySet
from resilia.core.durations import MinutesField
from resilia.core.models import BilingualName, code_validator, in_reader_language
from resilia.dependencies.models import Activity
from resilia.engine import bia as engine
from resilia.org.models import Site, Unit


def local_name(item: dict) -> str:
    """The name of a framework entry (a category, tier, level, peak) in the reader's language."""
    name = in_reader_language(item.get("name") or "", item.get("name_en") or "")
    return name or item.get("code", "")


class FrameworkVersion(models.Model):
    """One version of the organisation's impact framework (issue 9 item 1).

    A version never changes once saved: editing the framework saves a new version, and every
    assessment keeps the version it was made with. The current framework is the newest one.
    """

    number = models.PositiveIntegerField(_("version"), unique=True)
    # [{code, name, name_en, kind: rating|money, threshold, levels: [{name, name_en}]}]
    categories = models.JSONField(_("impact categories"))
    # Ascending minutes after the start of a disruption.
    time_points = models.JSONField(_("time points"))
    # [{code, name, name_en, max_rto (minutes, None for the last)}]
    tiers = models.JSONField(_("criticality tiers"))
    # [{code, name, name_en}]
    peak_periods = models.JSONField(_("peak periods"), default=list)
    # Minutes at which resources needed are asked for (day 1, day 3, week 1 ...).
    resource_points = models.JSONField(_("resource time points"), default=list)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("impact framework version")
        verbose_name_plural = _("impact framework versions")
        ordering = ["-number"]

    def __str__(self):
        return _("Impact framework v%(number)d") % {"number": self.number}

    def get_absolute_url(self):
        return reverse("bia:framework") + f"?version={self.number}"

    def engine_categories(self) -> list[engine.Category]:
        return [
            engine.Category(c["code"], int(c["threshold"]), len(c["levels"]))
            for c in self.categories
        ]

    def engine_tiers(self) -> list[engine.Tier]:
        return [engine.Tier(t["code"], t.get("max_rto")) for t in self.tiers]

    def category(self, code: str) -> dict | None:
        return next((c for c in self.categories if c["code"] == code), None)

    def tier(self, code: str | None) -> dict | None:
        return next((t for t in self.tiers if t["code"] == code), None)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LAUNCHED = "launched", _("Launched")
    CLOSED = "closed", _("Closed")


class Campaign(BilingualName):
    """A round of BIA (年度业务影响分析) sent to the departments: one assessment per activity."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    deadline = models.DateField(_("deadline"))
    units = models.ManyToManyField(
        Unit, verbose_name=_("units in scope"), blank=True, related_name="bia_campaigns"
    )
    activities = models.ManyToManyField(
        Activity, verbose_name=_("activities in scope"), blank=True, related_name="bia_campaigns"
    )
    framework = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("impact framework"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    instructions = models.TextField(_("instructions"), blank=True)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("BIA campaign")
        verbose_name_plural = _("BIA campaigns")
        ordering = ["-period_start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="bia_campaign_period_order",
                violation_error_message=_("The period cannot end before it starts."),
            )
        ]

    def get_absolute_url(self):
        return reverse("bia:campaign_detail", args=[self.pk])


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")


EDITABLE = (Status.DRAFT, Status.RETURNED)


class Assessment(models.Model):
    """One activity's answers to a campaign's questionnaire (issue 9 item 3).

    Ratings are {category code: [rating or None per time point]} of the framework version the
    assessment was made with; peaks {period code: {category code: [...]}}; losses one
    estimated amount (CNY) or None per time point; resources [{kind, description,
    quantities: [per resource time point]}].
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="assessments"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="assessments"
    )
    framework = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("impact framework"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bia_assessments",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    ratings = models.JSONField(_("impact ratings"), default=dict, blank=True)
    peaks = models.JSONField(_("peak period ratings"), default=dict, blank=True)
    losses = models.JSONField(_("estimated losses"), default=list, blank=True)
    resources = models.JSONField(_("resources needed over time"), default=list, blank=True)

    rto = MinutesField(_("RTO: time to restore key functions"), null=True, blank=True)
    rto_all = MinutesField(_("time to restore all functions"), null=True, blank=True)
    rpo = MinutesField(_("RPO"), null=True, blank=True)
    mbco_level = models.CharField(_("MBCO service level"), max_length=100, blank=True)
    mbco = models.TextField(_("MBCO description"), blank=True)
    workaround = models.TextField(_("manual workaround"), blank=True)
    workaround_minutes = MinutesField(_("workaround lasts"), null=True, blank=True)
    alternate_site = models.ForeignKey(
        Site,
        verbose_name=_("alternate work site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bia_assessments",
    )
    dependencies_confirmed = models.BooleanField(_("dependencies confirmed"), default=False)
    # 104号 第三条: the four attributes of an important business (重要业务).
    customer_facing = models.BooleanField(_("customer-facing"), default=False)
    accounting = models.BooleanField(_("involves accounting"), default=False)
    time_critical = models.BooleanField(_("time-critical"), default=False)
    severe_impact = models.BooleanField(_("interruption causes severe loss or harm"), default=False)

    # Derived at every save from the ratings and peaks (engine.bia.derive_with_peaks).
    derived_mtpd = MinutesField(_("derived MTPD"), null=True, blank=True, editable=False)
    derived_drivers = models.JSONField(default=list, blank=True, editable=False)
    derived_peak = models.CharField(max_length=50, blank=True, editable=False)
    # The approver's value when it differs from the derived one, with the written reason.
    mtpd_override = MinutesField(_("approved MTPD"), null=True, blank=True)
    override_reason = models.TextField(_("reason for a different MTPD"), blank=True)

    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    AUDIT_EXCLUDE = ("updated_at", "derived_drivers")

    class Meta:
        verbose_name = _("impact assessment")
        verbose_name_plural = _("impact assessments")
        ordering = ["campaign", "activity__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "activity"],
                name="bia_one_assessment_per_activity",
                violation_error_message=_(
                    "This activity already has an assessment in this campaign."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(mtpd_override__isnull=False, override_reason=""),
                name="bia_override_needs_reason",
                violation_error_message=_("A different MTPD needs a written reason."),
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="bia_assess_campaign_status")]

    def __str__(self):
        return f"{self.activity.code} · {self.campaign.code}"

    def get_absolute_url(self):
        return reverse("bia:assessment_detail", args=[self.pk])

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def mtpd(self) -> int | None:
        """The MTPD this assessment stands for: the approver's, else the derived one."""
        return self.mtpd_override if self.mtpd_override is not None else self.derived_mtpd

    @property
    def important(self) -> bool:
        """An important business (重要业务, 104号 第三条): customer-facing, involving accounting,
        time-critical, and its interruption causing severe loss or harm."""
        return (
            self.customer_facing and self.accounting and self.time_critical and self.severe_impact
        )


class AssessmentEvent(models.Model):
    """A step of an assessment's workflow with the comment written at that step (returned
    with comments, reviewed, approved): what the coordinator reads when it comes back."""

    class Action(models.TextChoices):
        LAUNCHED = "launched", _("Launched")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned with comments")
        REVIEWED = "reviewed", _("Reviewed by the BCM office")
        APPROVED = "approved", _("Approved")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment step")
        verbose_name_plural = _("assessment steps")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} · v{self.version}"


class AssessmentSnapshot(models.Model):
    """The answers as they were submitted, one per version: any two compared side by side."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField(_("version"))
    data = models.JSONField()
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment version")
        verbose_name_plural = _("assessment versions")
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "version"], name="bia_one_snapshot_per_version"
            )
        ]

    def __str__(self):
        return f"v{self.version}"


class Reminder(models.Model):
    """One reminder e-mail sent to one person about a campaign's open assessments: `before`,
    `on` or `after` the deadline (`after` once a week while some stay open). Kept so that a
    retried or repeated run never sends the same reminder twice."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the deadline")
        ON = "on", _("On the deadline")
        AFTER = "after", _("After the deadline")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    day = models.DateField(_("day"))
    assessments = models.PositiveIntegerField(_("open assessments"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("BIA reminder")
        verbose_name_plural = _("BIA reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "user", "kind", "day"], name="bia_one_reminder_per_day"
            )
        ]

    def __str__(self):
        return f"{self.campaign.code} · {self.get_kind_display()} · {self.day}"


class RulePack(models.Model):
    """One version of a rule pack the organisation keeps (issue 9 item 6; engine.rules).

    The rules are data ({code, kind, params, title, title_en, source, confidence}); editing
    a pack's rules saves a new version, never changes an old one, so a finding can always be
    traced to the exact rule text it came from. Of each pack code only the newest version
    counts; it is evaluated while `enabled`.
    """

    code = models.CharField(_("code"), max_length=50, validators=[code_validator])
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    rules = models.JSONField(_("rules"))
    enabled = models.BooleanField(_("enabled"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule pack")
        verbose_name_plural = _("rule packs")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="bia_rulepack_one_version")
        ]

    def __str__(self):
        return f"{self.local_name} v{self.version}"

    @property
    def local_name(self) -> str:
        return local_name({"name": self.name, "name_en": self.name_en, "code": self.code})

    def as_pack(self) -> dict:
        """The plain data engine.rules evaluates."""
        return {"code": self.code, "version": self.version, "rules": self.rules}
