"""Users, their role and their scope."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resilia.core.access import ScopedQuerySet


class Role(models.TextChoices):
    """What a user may do; the scope rules live in resilia.core.access."""

    ADMIN = "admin", _("System administrator")
    BCM_MANAGER = "bcm_manager", _("BCM manager")
    COORDINATOR = "coordinator", _("Unit coordinator")
    CONTRIBUTOR = "contributor", _("Contributor")
    AUDITOR = "auditor", _("Auditor")
    EXECUTIVE = "executive", _("Executive")


class UserManager(DjangoUserManager.from_queryset(ScopedQuerySet)):
    """Django's user manager with the access choke point (`User.objects.for_user(user)`)."""

    use_in_migrations = True

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """A superuser is a system administrator: the role needs no unit scope.

        `createsuperuser` comes through here; the event is audited like any user creation.
        """
        extra_fields.setdefault("role", Role.ADMIN)
        user = super().create_superuser(username, email, password, **extra_fields)
        from resilia.audit.services import audit_record, diff, snapshot

        audit_record(actor=None, action="create", obj=user, changes=diff({}, snapshot(user)))
        return user


class User(AbstractUser):
    """A person who signs in to Resilia.

    `unit` scopes coordinators and contributors to a subtree of the organisation;
    `person` links the account to the person record it edits as a contributor.
    """

    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    person = models.OneToOneField(
        "org.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    failed_logins = models.PositiveIntegerField(_("failed logins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    totp_secret = models.CharField(_("TOTP secret"), max_length=64, blank=True)
    totp_enabled = models.BooleanField(_("two-factor authentication"), default=False)
    # The time step of the last accepted code: a code is never accepted twice (replay).
    totp_last_step = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    objects = UserManager()

    AUDIT_EXCLUDE = (
        "password",
        "totp_secret",
        "totp_last_step",
        "last_login",
        "failed_logins",
        "locked_until",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["coordinator", "contributor"])
                | models.Q(unit__isnull=False),
                name="scoped_roles_need_unit",
                violation_error_message=_("Coordinators and contributors need a unit."),
            )
        ]

    def __str__(self):
        return self.get_username()

    def get_absolute_url(self):
        return reverse("accounts:user_edit", args=[self.pk])

    def is_locked(self) -> bool:
        """Whether repeated failures have locked the account right now."""
        return self.locked_until is not None and self.locked_until > timezone.now()

    @property
    def is_system_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class ApiToken(models.Model):
    """A user's API token. Only the SHA-256 of its key is stored: the key is shown once.

    A key is 160 random bits, so a plain (unsalted) digest cannot be reversed or guessed;
    a stolen database or backup therefore yields no usable token.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_token",
    )
    # Authentication: WHERE digest=? (the unique index serves it).
    digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"API token of {self.user_id}"

    @staticmethod
    def digest_of(key: str) -> str:
        """The stored form of a key."""
        return hashlib.sha256(key.encode("utf-8")).hexdigest()
