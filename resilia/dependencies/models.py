"""Resources, activities and the dependency links between them (DOMAIN.md §3-4).

Nodes of the dependency model are activities (business processes) and the resources they
need; a `Dependency` says "dependent needs dependency". Durations are whole minutes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resilia.core.access import ScopedQuerySet
from resilia.core.durations import MinutesField
from resilia.core.models import BilingualName, code_validator
from resilia.dependencies import rules
from resilia.org.models import Person, Site, Unit


def minutes_field(verbose_name, **kwargs):
    return MinutesField(verbose_name, null=True, blank=True, **kwargs)


class Criticality(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Resource(BilingualName):
    """Something activities depend on: a system, data, a facility, a supplier, a key person..."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application / IT system")
        INFRASTRUCTURE = "infrastructure", _("IT infrastructure")
        DATA = "data", _("Data set")
        FACILITY = "facility", _("Facility")
        SUPPLIER = "supplier", _("Supplier / third-party service")
        EQUIPMENT = "equipment", _("Equipment")
        KEY_PERSON = "key_person", _("Key person or role")
        UTILITY = "utility", _("Utility")

    class Redundancy(models.TextChoices):
        ACTIVE_ACTIVE = "active_active", _("Active/active")
        ACTIVE_STANDBY = "active_standby", _("Active/standby")
        COLD = "cold", _("Cold standby")
        NONE = "none", _("None")

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
    )
    owner = models.ForeignKey(
        Person,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_resources",
    )
    criticality = models.CharField(
        _("criticality"), max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    description = models.TextField(_("description"), blank=True)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("key person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="as_resources",
        help_text=_("For a key person or role: the person who holds it."),
    )
    recovery_time = minutes_field(
        _("achievable recovery time (minutes)"),
        help_text=_("How long recovery takes, as the last test showed."),
    )
    recovery_point = minutes_field(
        _("achievable recovery point (minutes)"),
        help_text=_("How much data (as time) recovery loses, as the last test showed."),
    )
    capability_tested_on = models.DateField(_("capability tested on"), null=True, blank=True)
    capability_evidence = models.CharField(
        _("evidence of the test"),
        max_length=500,
        blank=True,
        help_text=_("A reference or link to the drill or test report."),
    )
    redundancy = models.CharField(
        _("redundancy"), max_length=20, choices=Redundancy.choices, default=Redundancy.NONE
    )
    alternates = models.ManyToManyField(
        "self", verbose_name=_("alternates"), symmetrical=False, blank=True
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("dependencies:resource_detail", args=[self.pk])

    def clean(self):
        super().clean()
        message = rules.tested_on_error(self.capability_tested_on)
        if message:
            raise ValidationError({"capability_tested_on": message}, code="future_test")

    def warnings(self) -> list[str]:
        """Doubtful but allowed values: none for a resource yet."""
        return []

    @property
    def node_key(self) -> str:
        return f"resource:{self.code}"


def priority_order() -> tuple:
    """The BIA priority order of prioritised activities (an RTO): RTO, then RPO, then MTPD
    (unset last), then code; served by the index activity_priority_order. The priorities page
    and the graph's default centre share it."""
    return (
        "rto",
        models.F("rpo").asc(nulls_last=True),
        models.F("mtpd").asc(nulls_last=True),
        "code",
    )


class Activity(BilingualName):
    """A business activity (process) with its approved recovery objectives."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="activities"
    )
    owner = models.ForeignKey(
        Person,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_activities",
    )
    products = models.TextField(_("products and services delivered"), blank=True)
    description = models.TextField(_("description"), blank=True)
    mtpd = minutes_field(_("MTPD (minutes)"))
    rto = minutes_field(_("RTO (minutes)"))
    rpo = minutes_field(_("RPO (minutes)"))
    mbco = models.TextField(_("MBCO"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rto__isnull=True) | Q(mtpd__isnull=True) | Q(rto__lt=models.F("mtpd")),
                name="activity_rto_shorter_than_mtpd",
                violation_error_message=rules.RTO_NOT_SHORTER,
            )
        ]
        indexes = [
            # The BIA priorities page (bia.priorities): prioritised activities (an RTO) by RTO,
            # RPO, MTPD, code, read a page at a time at 100,000 activities.
            models.Index(
                fields=["rto", "rpo", "mtpd", "code"],
                condition=Q(rto__isnull=False),
                name="activity_priority_order",
            )
        ]

    def get_absolute_url(self):
        return reverse("dependencies:activity_detail", args=[self.pk])

    def clean(self):
        super().clean()
        message = rules.objectives_error(mtpd=self.mtpd, rto=self.rto)
        if message:
            raise ValidationError({"rto": message}, code="rto_not_shorter")

    def warnings(self) -> list[str]:
        """Doubtful but allowed objectives (rules.objectives_warnings)."""
        return rules.objectives_warnings(mtpd=self.mtpd, rpo=self.rpo)

    @property
    def node_key(self) -> str:
        return f"activity:{self.code}"

    @property
    def prioritised(self) -> bool:
        return self.rto is not None


class Dependency(models.Model):
    """`dependent` needs `dependency`: activity → activity, activity → resource or
    resource → resource. Links of one dependent sharing a `group` name form an OR redundancy
    group (any one member will do); without a group the link is AND."""

    dependent_activity = models.ForeignKey(
        Activity,
        verbose_name=_("dependent activity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="needs",
    )
    dependent_resource = models.ForeignKey(
        Resource,
        verbose_name=_("dependent resource"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="needs",
    )
    dependency_activity = models.ForeignKey(
        Activity,
        verbose_name=_("needed activity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="needed_by",
    )
    dependency_resource = models.ForeignKey(
        Resource,
        verbose_name=_("needed resource"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="needed_by",
    )
    group = models.CharField(
        _("redundancy group"),
        max_length=100,
        blank=True,
        help_text=_("Links of one dependent with the same group name are alternatives (OR)."),
    )
    tolerance = MinutesField(
        _("tolerance (minutes)"),
        default=0,
        help_text=_("How long the dependent keeps working without it, e.g. a manual workaround."),
    )
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(dependent_activity__isnull=False, dependent_resource__isnull=True)
                    | Q(dependent_activity__isnull=True, dependent_resource__isnull=False)
                ),
                name="dependency_one_dependent",
                violation_error_message=_("A link has exactly one dependent."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(dependency_activity__isnull=False, dependency_resource__isnull=True)
                    | Q(dependency_activity__isnull=True, dependency_resource__isnull=False)
                ),
                name="dependency_one_dependency",
                violation_error_message=_("A link needs exactly one dependency."),
            ),
            models.CheckConstraint(
                condition=Q(dependent_resource__isnull=True) | Q(dependency_activity__isnull=True),
                name="dependency_resource_needs_resource",
                violation_error_message=rules.RESOURCE_NEEDS_ACTIVITY,
            ),
            models.UniqueConstraint(
                fields=["dependent_activity", "dependency_activity"],
                condition=Q(dependent_activity__isnull=False, dependency_activity__isnull=False),
                name="dependency_unique_aa",
                violation_error_message=rules.DUPLICATE_LINK,
            ),
            models.UniqueConstraint(
                fields=["dependent_activity", "dependency_resource"],
                condition=Q(dependent_activity__isnull=False, dependency_resource__isnull=False),
                name="dependency_unique_ar",
                violation_error_message=rules.DUPLICATE_LINK,
            ),
            models.UniqueConstraint(
                fields=["dependent_resource", "dependency_resource"],
                condition=Q(dependent_resource__isnull=False, dependency_resource__isnull=False),
                name="dependency_unique_rr",
                violation_error_message=rules.DUPLICATE_LINK,
            ),
        ]
        indexes = [
            # "What needs this resource?" from the resource's page and the engine compile.
            models.Index(fields=["dependency_resource"], name="dep_needed_resource_idx"),
            models.Index(fields=["dependency_activity"], name="dep_needed_activity_idx"),
        ]

    def __str__(self):
        kind = _("OR group %(group)s") % {"group": self.group} if self.group else _("AND")
        return f"{self.dependent} → {self.dependency} ({kind})"

    def clean(self):
        super().clean()
        dependent, dependency = self.end_refs()
        if dependent[1] is not None and dependency[1] is not None:
            rules.check_link_ends(dependent, dependency)

    def end_refs(self) -> tuple[rules.Node, rules.Node]:
        """(kind, pk) of the dependent and of the dependency, for the link rules."""
        return (
            ("activity", self.dependent_activity_id)
            if self.dependent_activity_id
            else ("resource", self.dependent_resource_id),
            ("activity", self.dependency_activity_id)
            if self.dependency_activity_id
            else ("resource", self.dependency_resource_id),
        )

    @property
    def dependent(self):
        return self.dependent_activity or self.dependent_resource

    @property
    def dependency(self):
        return self.dependency_activity or self.dependency_resource


class ModelRevision(models.Model):
    """One row whose counter every change to the dependency model increments, in the same
    transaction; the compiled engine graph is cached per (revision, changed_at)."""

    revision = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("model revision")
        verbose_name_plural = _("model revisions")

    def __str__(self):
        return str(self.revision)
