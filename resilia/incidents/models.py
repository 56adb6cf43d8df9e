"""Incidents (issue 13): the record, its grade by rule pack, its reporting deadlines and the
reports filed against them, its roles, its journal, and the review that closes it.

An incident names what failed (sites, resources, activities); the engine's what-if of those
nodes from the moment of detection gives the live clock of each activity that stops
(incidents.clock). Its level comes from a grading pack (engine.grading) over the facts entered
and derived; each change of level is kept with who decided and why. A drill (演练) is the same
record, marked everywhere and kept apart in the statistics.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resilia.core.access import ScopedQuerySet
from resilia.core.models import code_validator, in_reader_language
from resilia.dependencies.models import Activity, Resource
from resilia.org.models import Person, Site, Unit


class GradingPack(models.Model):
    """One version of a grading pack (engine.grading): levels, their criteria over facts, and
    the reports each level requires. Editing saves a new version; an incident keeps the version
    it was graded with."""

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
        verbose_name = _("grading pack")
        verbose_name_plural = _("grading packs")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="incidents_pack_one_version")
        ]

    def __str__(self):
        return f"{self.display_name} v{self.version}"

    @property
    def display_name(self) -> str:
        return in_reader_language(self.name, self.name_en)

    def as_pack(self) -> dict:
        return {**self.rules, "code": self.code, "version": self.version}

    @cached_property
    def periodic_reports(self) -> frozenset[str]:
        """The codes of the reports this pack asks for again and again (every_minutes)."""
        return frozenset(
            r["code"] for r in self.rules.get("reports") or () if r.get("every_minutes")
        )

    def level(self, code: str | None) -> dict | None:
        for lv in self.rules.get("levels") or ():
            if lv.get("code") == code:
                return lv
        return None

    def level_name(self, code: str | None) -> str:
        lv = self.level(code)
        if lv is None:
            return ""
        return in_reader_language(lv.get("name", code), lv.get("name_en", ""))

    def level_rank(self, code: str | None) -> int:
        lv = self.level(code)
        return lv["rank"] if lv else 0


class Category(models.TextChoices):
    # The four official classes of emergencies (突发事件应对法; standards.md §4.4).
    NATURAL = "natural", _("Natural disaster")
    ACCIDENT = "accident", _("Accident or disaster")
    PUBLIC_HEALTH = "public_health", _("Public health event")
    SOCIAL = "social", _("Social security event")
    # The six crisis-event classes of the power-industry text (DOMAIN.md §2).
    FRAUD = "fraud", _("Internal or external fraud")
    ASSETS = "assets", _("Damage to physical assets")
    IT = "it", _("IT systems")
    OPERATIONS = "operations", _("Operational crisis")
    PEOPLE = "people", _("People crisis")
    LIQUIDITY = "liquidity", _("Liquidity crisis")
    # And the everyday kinds of the BCM office.
    FACILITY = "facility", _("Facility")
    SUPPLIER = "supplier", _("Supplier")


class Status(models.TextChoices):
    REPORTED = "reported", pgettext_lazy("incident", "Reported")
    ASSESSED = "assessed", pgettext_lazy("incident", "Assessed")
    RESPONDING = "responding", pgettext_lazy("incident", "Responding")
    RECOVERING = "recovering", pgettext_lazy("incident", "Recovering")
    RESOLVED = "resolved", pgettext_lazy("incident", "Resolved")
    CLOSED = "closed", pgettext_lazy("incident", "Closed")


OPEN_STATUSES = (
    Status.REPORTED,
    Status.ASSESSED,
    Status.RESPONDING,
    Status.RECOVERING,
)

# The order of the statuses: an incident moves forward, and may step back from recovering to
# responding (a relapse); closing needs the review (services.incident_close).
NEXT = {
    Status.REPORTED: (Status.ASSESSED, Status.RESPONDING),
    Status.ASSESSED: (Status.RESPONDING, Status.RESOLVED),
    Status.RESPONDING: (Status.RECOVERING, Status.RESOLVED),
    Status.RECOVERING: (Status.RESPONDING, Status.RESOLVED),
    Status.RESOLVED: (Status.RECOVERING,),
    Status.CLOSED: (),
}


class Incident(models.Model):
    code = models.CharField(_("number"), max_length=30, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    is_drill = models.BooleanField(_("drill"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit that owns the incident; leave empty for the whole organisation."),
    )
    sites = models.ManyToManyField(Site, verbose_name=_("affected sites"), blank=True)
    resources = models.ManyToManyField(Resource, verbose_name=_("affected resources"), blank=True)
    activities = models.ManyToManyField(Activity, verbose_name=_("affected activities"), blank=True)
    detected_at = models.DateTimeField(_("detected"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pack = models.ForeignKey(
        GradingPack, verbose_name=_("grading pack"), on_delete=models.PROTECT, related_name="+"
    )
    facts = models.JSONField(_("grading facts"), default=dict, blank=True)
    computed_level = models.CharField(_("level by the rules"), max_length=30, blank=True)
    level = models.CharField(_("response level"), max_length=30, blank=True)
    level_reason = models.TextField(_("reason for a level the rules do not give"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # The group key of the monitoring alert that opened it (the Alertmanager webhook), so that
    # the alert's later notifications update this incident rather than open another.
    external_key = models.CharField(_("alert key"), max_length=300, blank=True, editable=False)
    closed_at = models.DateTimeField(pgettext_lazy("incident", "closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-detected_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "detected_at"], name="incidents_status_idx"),
            models.Index(fields=["is_drill", "detected_at"], name="incidents_drill_idx"),
            models.Index(fields=["-detected_at", "-id"], name="incidents_newest_idx"),
            models.Index(fields=["external_key"], name="incidents_alert_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def level_name(self) -> str:
        return self.pack.level_name(self.level)

    @property
    def computed_level_name(self) -> str:
        return self.pack.level_name(self.computed_level)

    @property
    def overridden(self) -> bool:
        return self.level != self.computed_level


class LevelChange(models.Model):
    """A change of the response level: by the rules as facts or time changed, or decided by a
    person with a reason (escalation or de-escalation, 分级管理)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="level_changes")
    at = models.DateTimeField(_("when"))
    from_level = models.CharField(_("from"), max_length=30, blank=True)
    to_level = models.CharField(_("to"), max_length=30, blank=True)
    by_rules = models.BooleanField(_("by the rules"), default=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["incident", "at", "pk"]

    def __str__(self):
        return f"{self.incident.code}: {self.from_level or '-'} → {self.to_level or '-'}"

    def get_absolute_url(self):
        return self.incident.get_absolute_url()


class Deadline(models.Model):
    """A report the pack requires by a time: the initial report in 30 minutes, the written one
    in 12 hours, the progress report every hour (53号)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deadlines")
    code = models.CharField(_("report"), max_length=30)
    n = models.PositiveIntegerField(_("occurrence"), default=1)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("due"))
    recipient = models.CharField(_("recipient"), max_length=200, blank=True)
    recipient_en = models.CharField(_("recipient (English)"), max_length=200, blank=True)
    path = models.CharField(_("reporting path"), max_length=300, blank=True)
    path_en = models.CharField(_("reporting path (English)"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting deadline")
        verbose_name_plural = _("reporting deadlines")
        ordering = ["incident", "due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "code", "n"], name="incidents_deadline_once"
            )
        ]
        indexes = [models.Index(fields=["due_at"], name="incidents_deadline_due_idx")]

    def __str__(self):
        return f"{self.incident.code} · {self.display_name}"

    def get_absolute_url(self):
        return self.incident.get_absolute_url()

    @property
    def display_name(self) -> str:
        name = in_reader_language(self.name, self.name_en)
        periodic = self.n > 1 or self.code in self.incident.pack.periodic_reports
        return f"{name} #{self.n}" if periodic else name

    @property
    def display_recipient(self) -> str:
        return in_reader_language(self.recipient, self.recipient_en)

    @property
    def display_path(self) -> str:
        return in_reader_language(self.path, self.path_en)


class Report(models.Model):
    """A report filed against a deadline (or on its own): generated from the incident, edited,
    and kept as filed."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reports")
    deadline = models.OneToOneField(
        Deadline,
        verbose_name=_("deadline"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"))
    filed_at = models.DateTimeField(_("filed"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        ordering = ["incident", "filed_at", "pk"]

    def __str__(self):
        return f"{self.incident.code} · {self.title}"

    def get_absolute_url(self):
        return reverse("incidents:report", args=[self.pk])

    @property
    def late(self) -> bool:
        return self.deadline is not None and self.filed_at > self.deadline.due_at


class RoleKind(models.TextChoices):
    COMMANDER = "commander", _("Incident commander")
    DEPUTY = "deputy", _("Deputy commander")
    SCRIBE = "scribe", _("Scribe")
    LIAISON = "liaison", _("Liaison")
    TEAM_LEAD = "team_lead", _("Team lead")


class Role(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident role")
        verbose_name_plural = _("incident roles")
        ordering = ["incident", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "role", "person"], name="incidents_one_role_per_person"
            ),
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(role="commander"),
                name="incidents_one_commander",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.person}"

    def get_absolute_url(self):
        return self.incident.get_absolute_url()


class EntryKind(models.TextChoices):
    EVENT = "event", pgettext_lazy("journal", "Event")
    DECISION = "decision", _("Decision")
    ACTION = "action", pgettext_lazy("journal", "Action")
    NOTE = "note", pgettext_lazy("journal", "Note")


class JournalEntry(models.Model):
    """The human journal of the incident (decisions and events as people record them),
    separate from the audit trail."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="journal")
    at = models.DateTimeField(_("when"))
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["incident", "-at", "-pk"]

    def __str__(self):
        return f"{self.incident.code} · {self.at:%Y-%m-%d %H:%M} · {self.get_kind_display()}"

    def get_absolute_url(self):
        return self.incident.get_absolute_url()


class Review(models.Model):
    """The post-incident review, required to close (ISO 22301 10.1: nonconformity and
    corrective action)."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="review")
    timeline = models.TextField(_("timeline"))
    downtime_minutes = models.PositiveIntegerField(_("downtime (minutes)"))
    data_loss_minutes = models.PositiveIntegerField(_("data loss (minutes)"), default=0)
    cost = models.DecimalField(
        _("cost (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    causes = models.TextField(_("causes"))
    lessons = models.TextField(_("lessons learned"))
    reviewed_at = models.DateTimeField(_("reviewed"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("post-incident review")
        verbose_name_plural = _("post-incident reviews")

    def __str__(self):
        return f"{self.incident.code} · {self._meta.verbose_name}"

    def get_absolute_url(self):
        return self.incident.get_absolute_url()


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action", "Open")
    DONE = "done", pgettext_lazy("action", "Done")


class CorrectiveAction(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["status", "due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="incidents_action_due_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.incident.get_absolute_url()


class Activation(models.Model):
    """A plan version activated for the incident: its steps copied into the task board, so
    that the board keeps what was activated whatever the plan becomes afterwards. A plan may
    be activated under another (nested plans: the data-centre plan under the BCP)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="activations")
    plan_version = models.ForeignKey(
        "plans.PlanVersion", verbose_name=_("plan"), on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("activated under"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    activated_at = models.DateTimeField(_("activated"))
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("activated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    send = models.ForeignKey(
        "notify.Send",
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan activation")
        verbose_name_plural = _("plan activations")
        ordering = ["incident", "activated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "plan_version"], name="incidents_activate_once"
            )
        ]

    def __str__(self):
        return f"{self.incident.code} · {self.plan_version}"

    def get_absolute_url(self):
        return reverse("incidents:board", args=[self.incident_id])


class TaskState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("task", "To do")
    STARTED = "started", pgettext_lazy("task", "In progress")
    DONE = "done", pgettext_lazy("task", "Done")
    SKIPPED = "skipped", pgettext_lazy("task", "Skipped")


class Task(models.Model):
    """One step of an activated plan on the task board (step / who / what / where / how)."""

    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="tasks")
    key = models.CharField(_("step"), max_length=50)
    phase = models.CharField(_("phase"), max_length=20)
    position = models.PositiveIntegerField(_("position"))
    who = models.CharField(_("who"), max_length=300, blank=True)
    what = models.TextField(_("what"))
    where = models.CharField(_("where"), max_length=300, blank=True)
    how = models.TextField(_("how"), blank=True)
    minutes = models.PositiveIntegerField(_("estimated minutes"), default=0)
    after = models.JSONField(_("waits for"), default=list, blank=True)
    activities = models.JSONField(_("activities recovered"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=TaskState.choices, default=TaskState.PENDING
    )
    owner = models.ForeignKey(
        Person,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["activation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["activation", "key"], name="incidents_task_key"),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=models.F("started_at")),
                name="incidents_task_finish_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.key}: {self.what[:60]}"

    def get_absolute_url(self):
        return reverse("incidents:board", args=[self.activation.incident_id])


class IntakeLink(models.Model):
    """A reporting link (and its QR code) anyone may use without an account to report an
    anomaly (seed 002: hotline, staff feedback), for one site or the whole organisation. The
    link carries a signature of its id; switching it off makes the posters that show it stop
    working at once."""

    label = models.CharField(_("label"), max_length=200)
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting link")
        verbose_name_plural = _("reporting links")
        ordering = ["-is_active", "label", "pk"]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("incidents:intake")


class IntakeSource(models.TextChoices):
    LINK = "link", _("Reporting link")
    HOTLINE = "hotline", _("Hotline call")


class IntakeStatus(models.TextChoices):
    NEW = "new", _("To triage")
    INCIDENT = "incident", _("Incident opened")
    DISMISSED = "dismissed", _("Dismissed")


class AnomalyReport(models.Model):
    """An anomaly reported by anyone (by a reporting link) or a hotline call logged by the
    duty officer; triaged into an incident or dismissed with a reason."""

    source = models.CharField(_("source"), max_length=10, choices=IntakeSource.choices)
    link = models.ForeignKey(
        IntakeLink, verbose_name=_("reporting link"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="reports",
    )  # fmt: skip
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    what = models.TextField(_("what happened"))
    location = models.CharField(_("where"), max_length=300, blank=True)
    noticed_at = models.DateTimeField(_("noticed"))
    reporter_name = models.CharField(_("reported by"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("phone"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.NEW
    )
    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="intake",
    )  # fmt: skip
    dismissed_reason = models.TextField(_("reason for dismissing"), blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("triaged by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("anomaly report")
        verbose_name_plural = _("anomaly reports")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "received_at"], name="incidents_intake_idx")]

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d %H:%M} · {self.what[:40]}"

    def get_absolute_url(self):
        return reverse("incidents:intake_detail", args=[self.pk])
