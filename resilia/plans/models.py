"""Plans: business continuity plans, IT disaster recovery plans, emergency plans (应急预案)
and crisis communication plans, in versions signed by their author, reviewer and approver.

A plan's content is structured data (content.py says its shape and checks it); the scope
(activities, resources, sites) is held as links so that their recovery objectives are shown
live from the continuity model. The critical path of the recovery steps is computed by
resilia.engine.plans and stored per version revision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resilia.core.access import ScopedQuerySet
from resilia.core.models import BilingualName, code_validator
from resilia.dependencies.models import Activity, Resource
from resilia.org.models import Person, Site, Unit


class Kind(models.TextChoices):
    BCP = "bcp", _("Business continuity plan")
    DRP = "drp", _("IT disaster recovery plan")
    EMERGENCY = "emergency", _("Emergency plan")
    CRISIS_COMMS = "crisis_comms", _("Crisis communication plan")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    RETIRED = "retired", _("Retired")


STATUS_SHADES = {
    "draft": "grey",
    "in_review": "blue",
    "approved": "yellow",
    "published": "green",
    "superseded": "grey",
    "retired": "grey",
}
# Versions whose content is frozen: everything once submitted for review.
FROZEN = (Status.IN_REVIEW, Status.APPROVED, Status.PUBLISHED, Status.SUPERSEDED, Status.RETIRED)


class Plan(BilingualName):
    """One plan of the organisation, across its versions (the current one is the newest)."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    # The unit that owns the plan: it scopes who reads and writes it, and its head approves.
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="plans"
    )
    scenario = models.CharField(_("scenario"), max_length=50, blank=True)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity covered"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("system covered"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
    )
    owner = models.ForeignKey(
        Person,
        verbose_name=_("plan owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_plans",
    )
    review_months = models.PositiveSmallIntegerField(_("review every (months)"), default=12)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    contacts_verified_at = models.DateTimeField(_("contacts verified"), null=True, blank=True)
    distribution = models.ManyToManyField(
        Person, verbose_name=_("distribution list"), blank=True, related_name="plans_held"
    )
    # Denormalised from the newest version, for the list page's filter and sort.
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["code"]
        indexes = [
            # The plan register filtered by status and type, in code order, a page at a time.
            models.Index(fields=["status", "kind", "code"], name="plan_status_kind"),
            # The daily review reminders: published plans whose review date has come.
            models.Index(fields=["next_review"], name="plan_next_review"),
        ]

    def get_absolute_url(self):
        return reverse("plans:plan_detail", args=[self.pk])


class PlanVersion(models.Model):
    """One version of a plan: structured content, scope, signatures, status.

    Once submitted for review its content never changes; a published version is immutable
    (services refuse, and the database refuses a change of its content on PostgreSQL and
    SQLite through the `plans_version_frozen` trigger of the migration).
    """

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    change_note = models.TextField(_("change note"))
    content = models.JSONField(_("content"), default=dict, blank=True)
    activities = models.ManyToManyField(
        Activity, verbose_name=_("activities in scope"), blank=True, related_name="plan_versions"
    )
    resources = models.ManyToManyField(
        Resource, verbose_name=_("resources in scope"), blank=True, related_name="plan_versions"
    )
    sites = models.ManyToManyField(
        Site, verbose_name=_("sites in scope"), blank=True, related_name="plan_versions"
    )
    alternate_site = models.ForeignKey(
        Site,
        verbose_name=_("alternate site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alternate_for_plans",
    )
    # The schedule of the steps (engine.plans), recomputed on every change of the content.
    schedule = models.JSONField(_("critical path"), default=dict, blank=True, editable=False)
    content_sha256 = models.CharField(_("SHA-256 of the content"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plans_one_number_per_plan"),
            # At most one published version of a plan at a time.
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status="published"),
                name="plans_one_published_version",
            ),
        ]

    def __str__(self):
        return f"{self.plan.code} v{self.number}"

    def get_absolute_url(self):
        return reverse("plans:version_detail", args=[self.plan_id, self.number])

    @property
    def editable(self) -> bool:
        return self.status == Status.DRAFT


class SignatureRole(models.TextChoices):
    AUTHOR = "author", _("Prepared by")  # 编制人
    REVIEWER = "reviewer", _("Reviewed by")  # 审核人
    APPROVER = "approver", _("Approved by")  # 批准人


class Signature(models.Model):
    """One of the three signatures of a version, over the SHA-256 of its canonical content."""

    version = models.ForeignKey(
        PlanVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="signatures"
    )
    role = models.CharField(_("signed as"), max_length=20, choices=SignatureRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="plan_signatures",
    )
    name = models.CharField(_("name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 signed"), max_length=64)
    comment = models.TextField(_("comment"), blank=True)
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan signature")
        verbose_name_plural = _("plan signatures")
        ordering = ["version", "signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "role"], name="plans_one_signature_per_role"
            ),
            # 编制人, 审核人 and 批准人 are three different people.
            models.UniqueConstraint(fields=["version", "user"], name="plans_one_role_per_signer"),
        ]

    def __str__(self):
        return f"{self.version} · {self.get_role_display()} · {self.name}"


class Acknowledgement(models.Model):
    """A holder of the distribution list read a published version (阅知确认)."""

    version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("holder"), on_delete=models.CASCADE, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("read acknowledgement")
        verbose_name_plural = _("read acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["version", "person"], name="plans_one_ack_per_holder")
        ]

    def __str__(self):
        return f"{self.version} · {self.person}"


class Reminder(models.Model):
    """One reminder e-mail sent on one day: `review` (the plan's review date has come, to its
    owner) or `ack` (a holder has not acknowledged the published version). Kept so that a
    repeated run sends nothing twice."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Review due")
        ACK = "ack", _("Acknowledgement outstanding")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reminders")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan reminder")
        verbose_name_plural = _("plan reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "person", "kind", "day"], name="plans_one_reminder_per_day"
            )
        ]

    def __str__(self):
        return f"{self.plan.code} · {self.get_kind_display()} · {self.day}"


class PackIssue(models.Model):
    """One download of a version's offline pack: who took it, when, and the SHA-256 of its
    manifest (naming that very pack). The plan's page lists the holders whose newest pack is
    of an older version than the one in force, so that they fetch a new one."""

    version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="pack_issues",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("downloaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    manifest_sha256 = models.CharField(_("SHA-256 of the manifest"), max_length=64)
    issued_at = models.DateTimeField(_("downloaded"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("offline pack issued")
        verbose_name_plural = _("offline packs issued")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.version} · {self.user} · {self.issued_at:%Y-%m-%d}"
