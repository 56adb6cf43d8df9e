"""Account services: sign-in, lock-out, passwords, profile, user administration, API tokens.

Every change is validated, saved and audited in one transaction (CONVENTIONS §3-4). Secrets
never reach the trail: snapshots honour `User.AUDIT_EXCLUDE`, and passwords, TOTP secrets and
token keys are never passed to `audit_record`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resilia.accounts import totp
from resilia.accounts.models import ApiToken, Role, User
from resilia.audit.services import audit_record, diff, snapshot
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


def _unknown_key(username: str) -> str:
    digest = hashlib.sha256(username.lower().encode("utf-8")).hexdigest()
    return f"accounts:unknown-login:{digest}"


def _lockout_delta() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _unknown_failure(username: str) -> bool:
    """Count failures of a name that has no account, so that it locks like a real one.

    Without this, an attacker would learn which names exist by watching which ones lock.
    Returns whether the name is now "locked".
    """
    key = _unknown_key(username)
    timeout = int(_lockout_delta().total_seconds())
    cache.add(key, 0, timeout)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout)
        count = 1
    return count >= settings.LOGIN_FAILURE_LIMIT


def _unknown_locked(username: str) -> bool:
    return (cache.get(_unknown_key(username)) or 0) >= settings.LOGIN_FAILURE_LIMIT


@transaction.atomic
def login_failure_record(*, user: User | None, username: str, reason: str) -> bool:
    """Count one failed attempt (password or second-factor code) and lock at the limit.

    Writes `login_failed` (actor None when the name has no account) and, when the limit is
    reached, `lockout`. Returns whether the account is now locked.
    """
    attempted = (username or "")[:ATTEMPT_REPR_LENGTH]
    if user is None:
        audit_record(
            actor=None,
            action="login_failed",
            object_type="accounts.user",
            object_repr=attempted,
            changes={"reason": reason},
        )
        return _unknown_failure(attempted)
    # Lock the row: two parallel wrong passwords must both count.
    user = User.objects.select_for_update().get(pk=user.pk)
    audit_record(
        actor=user,
        action="login_failed",
        obj=user,
        object_repr=attempted,
        changes={"reason": reason},
    )
    if user.is_locked():
        return True
    user.failed_logins += 1
    locked = user.failed_logins >= settings.LOGIN_FAILURE_LIMIT
    if locked:
        user.locked_until = timezone.now() + _lockout_delta()
        # The counter starts afresh once the lock expires.
        user.failed_logins = 0
    user.save(update_fields=["failed_logins", "locked_until"])
    if locked:
        audit_record(
            actor=user,
            action="lockout",
            obj=user,
            changes={
                "locked_until": user.locked_until,
                "minutes": settings.LOGIN_LOCKOUT_MINUTES,
            },
        )
    return locked


def login_check_password(*, request, username: str, password: str) -> User:
    """Check a username and password; count a failure or raise LoginRefused.

    Success does not reset the counter: that is `login_complete`, after the second factor.
    """
    from django.contrib.auth import authenticate

    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        if _unknown_locked(username):
            raise LoginRefused("locked")
        # Run a hash anyway so timing does not reveal that the name is unknown.
        User().set_password(password)
        locked = login_failure_record(user=None, username=username, reason="password")
        raise LoginRefused("locked" if locked else "invalid")
    if user.is_locked():
        login_failure_record(user=user, username=username, reason="locked")
        raise LoginRefused("locked")
    authenticated = authenticate(request, username=username, password=password)
    if authenticated is None:
        locked = login_failure_record(user=user, username=username, reason="password")
        raise LoginRefused("locked" if locked else "invalid")
    return authenticated


@transaction.atomic
def login_complete(*, user: User, second_factor: bool) -> None:
    """The user is fully signed in: reset the failure counter and write `login`."""
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None
    audit_record(actor=user, action="login", obj=user, changes={"second_factor": second_factor})


def logout_record(*, user: User) -> None:
    """Write `logout` for a user who signs out."""
    audit_record(actor=user, action="logout", obj=user)


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> User:
    """Lift a lock-out and clear the failure counter (administrators)."""
    before = {"locked_until": user.locked_until, "failed_logins": user.failed_logins}
    user.locked_until, user.failed_logins = None, 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit_record(
        actor=actor,
        action="unlock",
        obj=user,
        changes=diff(before, {"locked_until": None, "failed_logins": 0}),
    )
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
    user.failed_logins, user.locked_until = 0, None
    user.save(update_fields=["password", "failed_logins", "locked_until"])
    audit_record(actor=user, action="password_reset", obj=user)
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
    if user.is_locked():
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
