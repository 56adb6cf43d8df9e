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

    def login_locks(self) -> models.QuerySet:
        """The account's sign-in failure counters, one per client address (`LoginLock`)."""
        return LoginLock.objects.filter(username=LoginLock.key_of(self.get_username()))

    @property
    def locked_until(self):
        """The end of the latest lock from any address, None when no address is locked."""
        ends = [lock.locked_until for lock in self.login_locks() if lock.is_active()]
        return max(ends) if ends else None

    @property
    def failed_logins(self) -> int:
        """Failed sign-ins counted from all addresses (each address's counter in `LoginLock`)."""
        return sum(lock.failures for lock in self.login_locks())

    def is_locked(self) -> bool:
        """Whether repeated failures lock the account right now from at least one address.

        An account is never locked as a whole: a lock holds for the address the failures
        came from only (`LoginLock`), so others cannot lock its owner out.
        """
        if hasattr(self, "locked"):  # annotated by the user register
            return self.locked
        return self.locked_until is not None

    @property
    def is_system_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class LoginLock(models.Model):
    """Failed sign-ins of one name from one client address, and the lock they earned.

    Keyed by the attempted name and the address, as django-axes does: an outsider who types
    the administrator's name with wrong passwords locks only their own address out, never
    the administrator. Names without an account are counted alike, so a lock does not tell
    which names exist.
    """

    username = models.CharField(_("username"), max_length=150)
    address = models.CharField(_("client address"), max_length=45, blank=True)
    failures = models.PositiveIntegerField(_("failed logins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    updated = models.DateTimeField(_("last attempt"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-in lock")
        verbose_name_plural = _("sign-in locks")
        constraints = [
            # Sign-in check and count: WHERE username=? AND address=?.
            models.UniqueConstraint(fields=["username", "address"], name="login_lock_once"),
        ]
        indexes = [
            # Pruning counters left idle: WHERE updated < ?.
            models.Index(fields=["updated"], name="login_lock_updated_idx"),
        ]

    def __str__(self):
        return f"{self.username} @ {self.address or '?'}"

    @staticmethod
    def key_of(username: str) -> str:
        """The stored form of a name: lower-cased, so that case variants share one counter."""
        return (username or "")[:150].lower()

    def is_active(self) -> bool:
        """Whether this address is locked out of this name right now."""
        return self.locked_until is not None and self.locked_until > timezone.now()


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
