"""Risk assessment (风险评估): threats, the versioned matrix, the register and its treatments,
periodic assessments with their snapshots, and the scenarios run through the engine.

The arithmetic is plain Python in resilia.engine.risk. A matrix version never changes once
saved; every risk and every assessment snapshot keeps the version it was scored on, so a new
band table never rewrites an old score or band (issue 10 item 2).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resilia.bia.models import FrameworkVersion, local_name
from resilia.core.access import ScopedQuerySet
from resilia.core.durations import MinutesField
from resilia.core.models import BilingualName, code_validator
from resilia.dependencies.models import Activity, Resource
from resilia.engine import risk as engine
from resilia.org.models import Person, Site, Unit


class ThreatClass(models.TextChoices):
    """China's four official classes of emergencies (突发事件应对法 第三条)."""

    NATURAL = "natural", _("Natural disaster")
    ACCIDENT = "accident", _("Accident or disaster")
    PUBLIC_HEALTH = "public_health", _("Public health event")
    SOCIAL_SECURITY = "social_security", _("Social security event")


class ThreatGroup(models.TextChoices):
    """The seeds' own lists (DOMAIN.md §2) and the power-industry crisis-event classes."""

    NATURAL = "natural", _("Natural")
    HUMAN = "human", _("Human")
    TECHNICAL = "technical", _("Technical")
    SUPPLY_CHAIN = "supply_chain", _("Supply chain")
    PEOPLE = "people", _("People")
    CRISIS = "crisis", _("Crisis event")


class Threat(BilingualName):
    """A threat of the catalogue (威胁): its class, group, description and the kinds of
    resources it typically hits."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    threat_class = models.CharField(_("class of emergency"), max_length=20, choices=ThreatClass)
    group = models.CharField(_("group"), max_length=20, choices=ThreatGroup)
    description = models.TextField(_("description"), blank=True)
    # Resource.Kind values.
    resource_kinds = models.JSONField(_("resources it typically hits"), default=list, blank=True)
    typical_duration = MinutesField(_("typical duration"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("threat")
        verbose_name_plural = _("threats")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("risk:threat_detail", args=[self.pk])

    def resource_kind_labels(self) -> list[str]:
        labels = dict(Resource.Kind.choices)
        return [str(labels.get(k, k)) for k in self.resource_kinds]


class MatrixVersion(models.Model):
    """One version of the risk matrix rule pack (issue 10 item 2; engine.risk).

    likelihood: [{name, name_en, anchor, anchor_en}] lowest first; impact: [{name, name_en,
    description, description_en, bia_level}] lowest first, bia_level the level of the BIA
    framework's rating scale the impact level corresponds to; method product|table; table
    [[score]]; bands [{code, name, name_en, colour, min, max, review_days}]; appetite: the code
    of the lowest band that needs treatment. The current matrix is the newest version.
    """

    number = models.PositiveIntegerField(_("version"), unique=True)
    likelihood = models.JSONField(_("likelihood levels"))
    impact = models.JSONField(_("impact levels"))
    method = models.CharField(_("scoring"), max_length=10, default="product")
    table = models.JSONField(_("score table"), null=True, blank=True)
    bands = models.JSONField(_("bands"))
    appetite = models.CharField(_("risk appetite"), max_length=50)
    bia_framework = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("impact framework"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_matrices",
    )
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
        verbose_name = _("risk matrix version")
        verbose_name_plural = _("risk matrix versions")
        ordering = ["-number"]

    def __str__(self):
        return _("Risk matrix v%(number)d") % {"number": self.number}

    def get_absolute_url(self):
        return reverse("risk:matrix") + f"?version={self.number}"

    def as_pack(self) -> dict:
        return {
            "likelihood": self.likelihood,
            "impact": self.impact,
            "method": self.method,
            "table": self.table,
            "bands": self.bands,
            "appetite": self.appetite,
        }

    @property
    def engine(self) -> engine.Matrix:
        if not hasattr(self, "_engine"):
            self._engine = engine.matrix(self.as_pack())
        return self._engine

    @property
    def size(self) -> str:
        return f"{len(self.likelihood)}×{len(self.impact)}"

    @property
    def appetite_name(self) -> str:
        return self.band_name(self.appetite)

    def band(self, code: str | None) -> dict | None:
        return next((b for b in self.bands if b["code"] == code), None)

    def band_name(self, code: str | None) -> str:
        band = self.band(code)
        return local_name(band) if band else ""

    def level_name(self, axis: str, level: int | None) -> str:
        levels = getattr(self, axis)
        if level is None or not 1 <= level <= len(levels):
            return ""
        return local_name(levels[level - 1])


class Treatment(models.TextChoices):
    MITIGATE = "mitigate", _("Mitigate")
    TRANSFER = "transfer", _("Transfer")
    AVOID = "avoid", _("Avoid")
    ACCEPT = "accept", _("Accept")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Risk(models.Model):
    """A risk of the register (风险登记): a threat over a scope, rated inherent and residual on
    the matrix version it was scored on, with its treatment and measures (issue 10 item 3)."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    threat = models.ForeignKey(
        Threat, verbose_name=_("threat"), on_delete=models.PROTECT, related_name="risks"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="risks"
    )
    owner = models.ForeignKey(
        Person,
        verbose_name=_("risk owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risks",
    )
    units = models.ManyToManyField(
        Unit, verbose_name=_("units in scope"), blank=True, related_name="risks_in_scope"
    )
    sites = models.ManyToManyField(
        Site, verbose_name=_("sites in scope"), blank=True, related_name="risks"
    )
    resources = models.ManyToManyField(
        Resource, verbose_name=_("resources in scope"), blank=True, related_name="risks"
    )
    activities = models.ManyToManyField(
        Activity, verbose_name=_("activities in scope"), blank=True, related_name="risks"
    )
    cause = models.TextField(_("cause"), blank=True)
    description = models.TextField(_("description"), blank=True)
    existing_controls = models.TextField(_("existing controls"), blank=True)
    typical_duration = MinutesField(_("typical duration"), null=True, blank=True)

    matrix = models.ForeignKey(
        MatrixVersion, verbose_name=_("risk matrix"), on_delete=models.PROTECT, related_name="risks"
    )
    inherent_likelihood = models.PositiveSmallIntegerField(_("inherent likelihood"))
    inherent_impact = models.PositiveSmallIntegerField(_("inherent impact"))
    inherent_score = models.PositiveSmallIntegerField(_("inherent score"), editable=False)
    inherent_band = models.CharField(_("inherent band"), max_length=50, editable=False)
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"), null=True, blank=True
    )
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), null=True, blank=True)
    residual_score = models.PositiveSmallIntegerField(
        _("residual score"), null=True, blank=True, editable=False
    )
    residual_band = models.CharField(_("residual band"), max_length=50, blank=True, editable=False)
    # The band a risk is judged by (the residual one once rated, else the inherent one) and
    # whether it reaches the appetite: denormalised for the filters and the top-risks list.
    band = models.CharField(_("band"), max_length=50, editable=False)
    score = models.PositiveSmallIntegerField(_("score"), editable=False)
    needs_treatment = models.BooleanField(_("needs treatment"), default=False, editable=False)

    treatment = models.CharField(
        _("treatment"), max_length=20, choices=Treatment.choices, blank=True
    )
    acceptance_reason = models.TextField(_("reason for accepting"), blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True, editable=False)
    acceptance_expires = models.DateField(
        _("acceptance expires"), null=True, blank=True, editable=False
    )
    suggested_impact = models.PositiveSmallIntegerField(
        _("impact suggested by the scenario"), null=True, blank=True, editable=False
    )
    reviewed_on = models.DateField(_("last reviewed"), default=dt.date.today)
    next_review = models.DateField(_("next review"), editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    AUDIT_EXCLUDE = ("updated_at",)

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(treatment="accept")
                | (
                    Q(accepted_by__isnull=False, acceptance_expires__isnull=False)
                    & ~Q(acceptance_reason="")
                ),
                name="risk_acceptance_needs_approver_reason_expiry",
                violation_error_message=_(
                    "Accepting a risk needs an approver, a reason and an expiry date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(residual_likelihood__isnull=True, residual_impact__isnull=True)
                | Q(residual_likelihood__isnull=False, residual_impact__isnull=False),
                name="risk_residual_rated_on_both_axes",
                violation_error_message=_("Rate the residual likelihood and impact together."),
            ),
        ]
        indexes = [
            # The heat maps: counts per (likelihood, impact) cell of one matrix version.
            models.Index(
                fields=["matrix", "inherent_likelihood", "inherent_impact"],
                name="risk_inherent_cell",
            ),
            models.Index(
                fields=["matrix", "residual_likelihood", "residual_impact"],
                name="risk_residual_cell",
            ),
            # The register filtered by band, and the top risks (open, highest score first).
            models.Index(fields=["status", "band"], name="risk_status_band"),
            models.Index(fields=["status", "-score"], name="risk_status_score"),
            # The reviews due: open risks by next review date.
            models.Index(fields=["status", "next_review"], name="risk_status_review"),
        ]

    def __str__(self):
        return f"{self.code} {self.display_title}"

    def get_absolute_url(self):
        return reverse("risk:risk_detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        return local_name({"name": self.title, "name_en": self.title_en})

    @property
    def band_name(self) -> str:
        return self.matrix.band_name(self.band)

    @property
    def band_colour(self) -> str:
        band = self.matrix.band(self.band)
        return band["colour"] if band else "grey"

    @property
    def inherent_band_name(self) -> str:
        return self.matrix.band_name(self.inherent_band)

    @property
    def inherent_colour(self) -> str:
        band = self.matrix.band(self.inherent_band)
        return band["colour"] if band else "grey"

    @property
    def residual_band_name(self) -> str:
        return self.matrix.band_name(self.residual_band)

    @property
    def acceptance_expired(self) -> bool:
        return (
            self.treatment == Treatment.ACCEPT
            and self.acceptance_expires is not None
            and self.acceptance_expires < timezone.localdate()
        )


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_MEASURE = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


class Measure(models.Model):
    """A treatment measure of a risk (处置措施, seed 002 §四): what, who, by when, evidence."""

    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="measures"
    )
    title = models.CharField(_("measure"), max_length=300)
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="risk_measures"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    evidence = models.TextField(_("evidence"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("treatment measure")
        verbose_name_plural = _("treatment measures")
        ordering = ["due_date", "pk"]
        indexes = [
            # The overdue list and the reminders: open measures by due date.
            models.Index(fields=["status", "due_date"], name="risk_measure_status_due"),
            # Measures by owner and status.
            models.Index(fields=["owner", "status"], name="risk_measure_owner_status"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("risk:risk_detail", args=[self.risk_id]) + "#measures"

    @property
    def overdue(self) -> bool:
        return self.status in OPEN_MEASURE and self.due_date < timezone.localdate()


class MeasureReminder(models.Model):
    """One reminder e-mail about one measure: `before` its due date, or `overdue` (the day
    after, then weekly). Kept so that a retried or repeated run never sends it twice."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due date")
        OVERDUE = "overdue", _("Overdue")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure reminder")
        verbose_name_plural = _("measure reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "kind", "day"], name="risk_one_measure_reminder_per_day"
            )
        ]

    def __str__(self):
        return f"{self.measure} · {self.get_kind_display()} · {self.day}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED_OFF = "signed_off", _("Signed off")


class RiskAssessment(BilingualName):
    """A dated, periodic risk assessment over a scope (年度风险评估), signed off by the BCM
    manager; signing it off keeps a snapshot of every risk in its scope (issue 10 item 4)."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    assessed_on = models.DateField(_("assessment date"))
    units = models.ManyToManyField(
        Unit, verbose_name=_("units in scope"), blank=True, related_name="risk_assessments"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    summary = models.TextField(_("summary"), blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "code"]

    def get_absolute_url(self):
        return reverse("risk:assessment_detail", args=[self.pk])


class AssessedRisk(models.Model):
    """A risk as a signed-off assessment saw it: its ratings on the matrix version it was
    scored on, kept however the risk or the matrix change afterwards."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="entries")
    risk = models.ForeignKey(
        Risk, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessed"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matrix = models.ForeignKey(MatrixVersion, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    threat = models.CharField(_("threat"), max_length=200)
    inherent_likelihood = models.PositiveSmallIntegerField(_("inherent likelihood"))
    inherent_impact = models.PositiveSmallIntegerField(_("inherent impact"))
    inherent_score = models.PositiveSmallIntegerField(_("inherent score"))
    inherent_band = models.CharField(_("inherent band"), max_length=50)
    residual_score = models.PositiveSmallIntegerField(_("residual score"), null=True, blank=True)
    residual_band = models.CharField(_("residual band"), max_length=50, blank=True)
    treatment = models.CharField(_("treatment"), max_length=20, blank=True)
    open_measures = models.PositiveIntegerField(_("open measures"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessed risk")
        verbose_name_plural = _("assessed risks")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="risk_assessed_once")
        ]

    def __str__(self):
        return self.code

    def band_name(self, axis: str = "inherent") -> str:
        return self.matrix.band_name(getattr(self, f"{axis}_band"))

    @property
    def inherent_band_name(self) -> str:
        return self.band_name("inherent")

    @property
    def residual_band_name(self) -> str:
        return self.band_name("residual")

    @property
    def inherent_colour(self) -> str:
        band = self.matrix.band(self.inherent_band)
        return band["colour"] if band else "grey"


class Scenario(models.Model):
    """A what-if run from a risk (issue 10 item 5): the failure of its sites and resources at
    its typical duration, the activities it stops and those that breach their MTPD, and the
    impact level it suggested."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="scenarios")
    run_at = models.DateTimeField(_("run"), auto_now_add=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    failed = models.JSONField(_("failed nodes"), default=list)
    duration = MinutesField(_("duration"))
    revision = models.PositiveBigIntegerField(_("model revision"), default=0)
    # [{code, name, stop_at, mtpd, mtpd_breach_at, breached}] in minutes after the failure.
    activities = models.JSONField(_("activities stopped"), default=list)
    stopped = models.PositiveIntegerField(_("activities stopped"), default=0)
    breached = models.PositiveIntegerField(_("activities past their MTPD"), default=0)
    suggested_impact = models.PositiveSmallIntegerField(_("suggested impact"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk scenario")
        verbose_name_plural = _("risk scenarios")
        ordering = ["-run_at", "-pk"]

    def __str__(self):
        return f"{self.risk.code} · {self.run_at:%Y-%m-%d %H:%M}"
