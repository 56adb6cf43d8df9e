"""Account services: sign-in, lock-out, passwords, profile, user administration, API tokens.

Every change is validated, saved and audited in one transaction (CONVENTIONS §3-4). Secrets
never reach the trail: snapshots honour `User.AUDIT_EXCLUDE`, and passwords, TOTP secrets and
token keys are never passed to `audit_record`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resilia.accounts import totp
from resilia.accounts.models import ApiToken, LoginLock, Role, User
from resilia.audit.services import audit_record, diff, snapshot
from resilia.core.context import current_context
from resilia.core.services import UNSET, given, object_create, object_update

# Changes to these fields alter what a user may do: audited as `permission_change`.
PERMISSION_FIELDS = ("role", "unit_id", "is_active", "is_superuser", "is_staff")
# The attempted username is stored for the auditor, cut so a pasted essay cannot fill the trail.
ATTEMPT_REPR_LENGTH = 150


class LoginRefused(Exception):
    """Sign-in refused; `reason` is "invalid" (wrong name or password) or "locked"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- sign-in and lock-out -------------------------------------------------------------------


def _lockout_delta() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _client_address() -> str:
    return current_context().client_ip or ""


def login_locked(*, username: str) -> bool:
    """Whether failures from the current client address lock `username` out right now.

    Only that address is locked: the same account still signs in from any other, so an
    outsider cannot lock its owner out (django-axes' per-user-and-address rule).
    """
    return LoginLock.objects.filter(
        username=LoginLock.key_of(username),
        address=_client_address(),
        locked_until__gt=timezone.now(),
    ).exists()


@transaction.atomic
def login_failure_record(*, user: User | None, username: str, reason: str) -> bool:
    """Count one failed attempt (password or second-factor code) of `username` from the
    current client address, and lock that name for that address at the limit.

    Writes `login_failed` (actor None when the name has no account) and, when the limit is
    reached, `lockout`. Names without an account count alike, so that a lock does not tell
    which names exist. Returns whether the name is now locked for this address.
    """
    attempted = (username or "")[:ATTEMPT_REPR_LENGTH]
    target = {"obj": user} if user is not None else {"object_type": "accounts.user"}
    # The audit event first: it takes the chain's lock before this takes a row lock.
    audit_record(
        actor=user,
        action="login_failed",
        object_repr=attempted,
        changes={"reason": reason},
        **target,
    )
    now = timezone.now()
    # Counters idle for a day (or a lock-out period, if longer) are forgotten.
    LoginLock.objects.filter(updated__lt=now - max(_lockout_delta(), dt.timedelta(days=1))).delete()
    # Lock the row: two parallel wrong passwords must both count.
    lock, _ = LoginLock.objects.select_for_update().get_or_create(
        username=LoginLock.key_of(attempted), address=_client_address()
    )
    if lock.is_active():
        return True
    lock.failures += 1
    lock.updated = now
    locked = lock.failures >= settings.LOGIN_FAILURE_LIMIT
    if locked:
        lock.locked_until = now + _lockout_delta()
        # The counter starts afresh once the lock expires.
        lock.failures = 0
    lock.save()
    if locked:
        audit_record(
            actor=user,
            action="lockout",
            object_repr=attempted,
            changes={
                "locked_until": lock.locked_until,
                "minutes": settings.LOGIN_LOCKOUT_MINUTES,
                "address": lock.address,
            },
            **target,
        )
    return locked


def login_check_password(*, request, username: str, password: str) -> User:
    """Check a username and password; count a failure or raise LoginRefused.

    Success does not reset the counter: that is `login_complete`, after the second factor.
    """
    from django.contrib.auth import authenticate

    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if login_locked(username=username):
        if user is None:
            # Run a hash anyway so timing does not reveal that the name is unknown.
            User().set_password(password)
        else:
            login_failure_record(user=user, username=username, reason="locked")
        raise LoginRefused("locked")
    if user is None:
        User().set_password(password)
        locked = login_failure_record(user=None, username=username, reason="password")
        raise LoginRefused("locked" if locked else "invalid")
    authenticated = authenticate(request, username=username, password=password)
    if authenticated is None:
        locked = login_failure_record(user=user, username=username, reason="password")
        raise LoginRefused("locked" if locked else "invalid")
    return authenticated


@transaction.atomic
def login_complete(*, user: User, second_factor: bool) -> None:
    """The user is fully signed in: reset the failure counter of this address, write `login`."""
    audit_record(actor=user, action="login", obj=user, changes={"second_factor": second_factor})
    user.login_locks().filter(address=_client_address()).delete()


def logout_record(*, user: User) -> None:
    """Write `logout` for a user who signs out."""
    audit_record(actor=user, action="logout", obj=user)


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> User:
    """Lift the account's lock-outs from every address and clear the counters (administrators)."""
    before = {"locked_until": user.locked_until, "failed_logins": user.failed_logins}
    audit_record(
        actor=actor,
        action="unlock",
        obj=user,
        changes=diff(before, {"locked_until": None, "failed_logins": 0}),
    )
    user.login_locks().delete()
    return user


# --- passwords -------------------------------------------------------------------------------


@transaction.atomic
def password_change(*, actor: User, user: User, new_password: str) -> User:
    """Set a new password chosen by the signed-in user (validated by the form)."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="password_change", obj=user)
    return user


@transaction.atomic
def password_reset_complete(*, user: User, new_password: str) -> User:
    """Set the password chosen through an e-mailed reset link; the link proved the identity,
    so a lock-out from the forgotten password is lifted too."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="password_reset", obj=user)
    user.login_locks().delete()
    return user


# --- second factor ---------------------------------------------------------------------------


def _accept_code(user: User, code: str, secret: str | None = None) -> bool:
    """Check a code and remember its time step so it cannot be replayed."""
    step = totp.verify(secret or user.totp_secret, code, after_step=user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


@transaction.atomic
def totp_enable(*, actor: User, user: User, secret: str, code: str) -> User:
    """Turn the second factor on, once the user proved their app holds `secret`."""
    if user.totp_enabled:
        raise ValidationError(_("Two-factor authentication is already on."))
    if not _accept_code(user, code, secret):
        raise ValidationError(_("The code is not valid. Check the time on your phone."))
    user.totp_secret, user.totp_enabled = secret, True
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    audit_record(actor=actor, action="totp_enable", obj=user)
    return user


@transaction.atomic
def totp_disable(*, actor: User, user: User, code: str) -> User:
    """Turn the second factor off; the user must give a valid code."""
    if not user.totp_enabled:
        raise ValidationError(_("Two-factor authentication is not on."))
    if not _accept_code(user, code):
        raise ValidationError(_("The code is not valid. Check the time on your phone."))
    return _totp_clear(actor=actor, user=user, by_admin=False)


@transaction.atomic
def totp_reset(*, actor: User, user: User) -> User:
    """An administrator removes a user's second factor (lost phone)."""
    return _totp_clear(actor=actor, user=user, by_admin=True)


def _totp_clear(*, actor: User, user: User, by_admin: bool) -> User:
    user.totp_secret, user.totp_enabled, user.totp_last_step = "", False, None
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    audit_record(actor=actor, action="totp_disable", obj=user, changes={"by_admin": by_admin})
    return user


@transaction.atomic
def totp_check_login(*, user: User, code: str) -> bool:
    """Check the second-factor code at sign-in; a wrong code counts toward lock-out."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if login_locked(username=user.get_username()):
        return False
    if _accept_code(user, code):
        user.save(update_fields=["totp_last_step"])
        return True
    login_failure_record(user=user, username=user.get_username(), reason="totp")
    return False


# --- profile and administration --------------------------------------------------------------


def profile_update(*, actor: User, user: User, data: dict[str, Any]) -> User:
    """Change a user's own name, e-mail or language preference."""
    allowed = {"first_name", "last_name", "email", "language"}
    if set(data) - allowed:
        raise ValueError(f"profile_update cannot change {sorted(set(data) - allowed)}")
    return object_update(actor=actor, instance=user, data=data)


def _active_admins() -> Q:
    return Q(is_active=True) & (Q(role=Role.ADMIN) | Q(is_superuser=True))


def _guard_last_admin(user: User) -> None:
    """Refuse a change that would leave no active system administrator."""
    still_admin = user.is_active and user.is_system_admin
    if still_admin:
        return
    was_admin = User.objects.filter(_active_admins(), pk=user.pk).exists()
    if was_admin and not User.objects.filter(_active_admins()).exclude(pk=user.pk).exists():
        raise ValidationError(
            _("This is the last active system administrator; appoint another one first.")
        )


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    password: str | None = None,
    username: str = UNSET,
    first_name: str = UNSET,
    last_name: str = UNSET,
    email: str = UNSET,
    language: str = UNSET,
    role: str = UNSET,
    # An org.Unit and an org.Person: the platform never imports the organisation app.
    unit: Model | None = UNSET,
    person: Model | None = UNSET,
    is_active: bool = UNSET,
    is_superuser: bool = UNSET,
    is_staff: bool = UNSET,
) -> User:
    """Create an account; without a password it can only be entered through a reset link."""
    user = User(
        **given(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            language=language,
            role=role,
            unit=unit,
            person=person,
            is_active=is_active,
            is_superuser=is_superuser,
            is_staff=is_staff,
        )
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    return object_create(actor=actor, instance=user)


@transaction.atomic
def user_update(*, actor: User, user: User, data: dict[str, Any]) -> User:
    """Change an account; role, unit, active and superuser changes are `permission_change`.

    Refuses to leave the system without an active administrator.
    """
    before = snapshot(user)
    for name, value in data.items():
        setattr(user, name, value)
    user.full_clean()
    _guard_last_admin(user)
    changes = diff(before, snapshot(user))
    if not changes:
        return user
    user.save()
    granted = {k: v for k, v in changes.items() if k in PERMISSION_FIELDS}
    other = {k: v for k, v in changes.items() if k not in PERMISSION_FIELDS}
    if granted:
        audit_record(actor=actor, action="permission_change", obj=user, changes=granted)
    if other:
        audit_record(actor=actor, action="update", obj=user, changes=other)
    return user


# --- API tokens ------------------------------------------------------------------------------


@transaction.atomic
def token_create(*, actor: User | None, user: User | None = None) -> ApiToken:
    """Issue `user`'s API token (the actor's own by default), replacing any previous one.

    Only the key's digest is stored; the returned token carries the key in `.key` for the
    caller to show once. The key is never audited. `actor` None is the `resilia token`
    command run by the server's operator.
    """
    user = user or actor
    revoked = ApiToken.objects.filter(user=user).delete()[0] > 0
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(user=user, digest=ApiToken.digest_of(key))
    token.key = key
    audit_record(actor=actor, action="token_create", obj=user, changes={"replaced": revoked})
    return token


@transaction.atomic
def token_revoke(*, actor: User | None, user: User | None = None) -> bool:
    """Delete `user`'s API token (the actor's own by default); returns whether there was one."""
    user = user or actor
    deleted = ApiToken.objects.filter(user=user).delete()[0] > 0
    if deleted:
        audit_record(actor=actor, action="token_revoke", obj=user)
    return deleted
