"""The organisation: units as a tree, people, sites and teams (DOMAIN.md §1)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resilia.core.access import ScopedQuerySet
from resilia.core.models import BilingualName, code_validator

phone_validator = RegexValidator(
    r"^\+?[0-9 ()-]{3,30}$", _("Enter a phone number: digits, spaces, +, - and brackets.")
)


class UnitKind(models.TextChoices):
    GROUP = "group", _("Group")
    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Section")


class Unit(BilingualName):
    """An organisation unit; `path` ("/1/4/9/") makes subtree queries one indexed LIKE.

    A tree is at most MAX_LEVELS levels deep (a top unit has depth 0), checked by clean() and
    so by every service call: form, API, import and model file alike.
    """

    # Well above any real organisation; it keeps `path` (one "id/" per level) inside its
    # max_length on every database, so a SQLite installation can always move to PostgreSQL.
    MAX_LEVELS = 30

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        "org.Person",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
    )
    description = models.TextField(_("description"), blank=True)
    # Maintained by the unit services; never edited directly.
    # Subtree LIKE 'p%'. 500 characters hold MAX_LEVELS levels of ids up to 15 digits.
    path = models.CharField(max_length=500, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def get_absolute_url(self):
        return reverse("org:unit_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.parent_id and self.pk:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("A unit cannot be its own parent.")})
            parent_path = self.parent.path if self.parent else ""
            if self.path and parent_path.startswith(self.path):
                raise ValidationError({"parent": _("A unit cannot move under its own subtree.")})
        self._check_levels()

    def _check_levels(self) -> None:
        if not self.parent_id:
            return
        height = 0  # levels of the unit's own subtree below it, which move with it
        if self.pk and self.path.startswith("/") and self.path != "/pending/":
            deepest = Unit.objects.filter(path__startswith=self.path).aggregate(
                deepest=models.Max("depth")
            )["deepest"]
            stored = Unit.objects.filter(pk=self.pk).values_list("depth", flat=True).first()
            if deepest is not None and stored is not None:
                height = deepest - stored
        if self.parent.depth + 1 + height >= self.MAX_LEVELS:
            raise ValidationError(
                {
                    "parent": _(
                        "A unit tree may be at most %(levels)s levels deep; this would make it "
                        "%(depth)s."
                    )
                    % {"levels": self.MAX_LEVELS, "depth": self.parent.depth + 2 + height}
                }
            )


class Site(BilingualName):
    """A place: office, data centre, DR site or alternate work area."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("Office")
        DATA_CENTRE = "data_centre", _("Data centre")
        DR_SITE = "dr_site", _("Disaster recovery site")
        ALTERNATE = "alternate", _("Alternate work area")

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    seat_capacity = models.PositiveIntegerField(_("seat capacity"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("owning unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sites",
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("org:site_detail", args=[self.pk])


class Person(models.Model):
    """A person of the organisation, with the channels that reach them and their deputy."""

    employee_no = models.CharField(_("employee number"), max_length=50, blank=True)
    full_name = models.CharField(_("full name"), max_length=100)
    title = models.CharField(pgettext_lazy("a person's job", "title"), max_length=100, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    deputy = models.ForeignKey(
        "self",
        verbose_name=_("deputy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputy_for",
    )
    mobile = models.CharField(_("mobile"), max_length=30, blank=True, validators=[phone_validator])
    office_phone = models.CharField(
        _("office phone"), max_length=30, blank=True, validators=[phone_validator]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    wecom_id = models.CharField(_("WeCom user id"), max_length=100, blank=True)
    dingtalk_id = models.CharField(_("DingTalk user id"), max_length=100, blank=True)
    feishu_id = models.CharField(_("Feishu user id"), max_length=100, blank=True)
    is_key_person = models.BooleanField(_("key person"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee_no"],
                condition=~models.Q(employee_no=""),
                name="person_employee_no_unique",
                violation_error_message=_("Another person has this employee number."),
            ),
            models.CheckConstraint(
                condition=~models.Q(deputy=models.F("pk")),
                name="person_not_own_deputy",
                violation_error_message=_("A person cannot be their own deputy."),
            ),
        ]
        indexes = [
            # The people register's default order (full name, then pk), read a page at a
            # time: without it every page sorted all 100,000 people.
            models.Index(fields=["full_name", "id"], name="person_name_order"),
            # The home page's "key people without a deputy" (site.dashboard), counted in
            # the reader's units: the few key people without one, by unit.
            models.Index(
                fields=["unit"],
                condition=models.Q(is_key_person=True, deputy__isnull=True),
                name="person_key_no_deputy",
            ),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("org:person_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.pk and self.deputy_id == self.pk:
            raise ValidationError({"deputy": _("A person cannot be their own deputy.")})


class Team(BilingualName):
    """A standing team of the BCM organisation (领导小组, BCM office, response teams)."""

    class Kind(models.TextChoices):
        STEERING = "steering", _("Steering group")
        BCM_OFFICE = "bcm_office", _("BCM office")
        EMERGENCY = "emergency", _("Emergency response team")
        CRISIS = "crisis", _("Crisis management team")
        RECOVERY = "recovery", _("Recovery team")
        WORKING = "working", _("Working group")

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
    )
    responsibilities = models.TextField(_("responsibilities"), blank=True)
    members = models.ManyToManyField(
        Person, through="TeamMembership", related_name="teams", verbose_name=_("members")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("org:team_detail", args=[self.pk])


class TeamMembership(models.Model):
    """A person's place in a team: role and written responsibilities."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        DEPUTY = "deputy", _("Deputy leader")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    responsibilities = models.TextField(_("responsibilities"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team", "role", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"],
                name="membership_unique",
                violation_error_message=_("This person is already a member of the team."),
            )
        ]

    def __str__(self):
        return f"{self.team} / {self.person}"
