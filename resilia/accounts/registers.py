"""The user register (see resilia.core.lists): list page, filters, sort and export."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower, Now
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from resilia.accounts.filters import UserFilterSet
from resilia.accounts.models import LoginLock, User
from resilia.core.lists import Column, Register


def _last_login(user) -> str:
    return date_format(localtime(user.last_login), "Y-m-d H:i") if user.last_login else ""


def _name(user) -> str:
    """The account's own name, else the name of the person record it belongs to."""
    return user.get_full_name() or (user.person.full_name if user.person else "")


def _two_factor(user):
    return _("On") if user.totp_enabled else _("Off")


def _with_lock(queryset):
    """`locked`: whether some address is locked out of the account now (the status column)."""
    locks = LoginLock.objects.filter(username=Lower(OuterRef("username")), locked_until__gt=Now())
    return queryset.annotate(locked=Exists(locks))


USERS = Register(
    model=User,
    filterset=UserFilterSet,
    title=_("Users"),
    basename="users",
    columns=[
        Column("username", _("Username"), "username", order="username", link=True),
        Column("name", _("Name"), _name, order=("last_name", "first_name", "person__full_name")),
        Column("role", _("Role"), "get_role_display", order="role"),
        Column("unit", _("Unit"), "unit.display_name", order="unit__path"),
        Column("person", _("Person"), "person.full_name", order="person__full_name"),
        Column(
            "status",
            _("Status"),
            "is_active",
            export=lambda u: _("Active") if u.is_active else _("Inactive"),
            template="accounts/_user_status_cell.html",
        ),
        Column("totp", _("Two-factor authentication"), _two_factor, order="totp_enabled"),
        Column("last_login", _("Last sign-in"), _last_login, order="last_login"),
    ],
    ordering=("username",),
    select_related=("unit", "person"),
    annotate=_with_lock,
    create_url="accounts:user_create",
)
