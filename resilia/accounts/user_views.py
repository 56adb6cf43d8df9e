"""User administration, for system administrators only (policy in accounts/access.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from resilia.accounts import services
from resilia.accounts.forms import UserCreateForm, UserForm
from resilia.accounts.models import User
from resilia.accounts.registers import USERS
from resilia.core import access
from resilia.core.lists import list_view


def _add_errors(form, exc: ValidationError) -> None:
    """Show a service's validation error on the form fields it names, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def user_list(request):
    """Accounts with search, filters, sort and export (resilia.core.lists)."""
    return list_view(request, USERS)


@sensitive_post_parameters("password1", "password2")
@login_required
def user_create(request):
    access.require_kind(request.user, User, write=True)
    form = UserCreateForm(
        request.POST if request.method == "POST" else None,
        allow_superuser=request.user.is_superuser,
    )
    if form.is_bound and form.is_valid():
        try:
            user = services.user_create(
                actor=request.user,
                password=form.cleaned_data["password1"],
                **form.changed_data_dict(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The account %(name)s was created.") % {"name": user})
            return redirect("accounts:user_edit", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def user_edit(request, pk):
    """Role, scope, person and status of one account, with unlock and 2FA reset."""
    user = access.get_object_for_user(request.user, User, pk, write=True)
    form = UserForm(
        request.POST if request.method == "POST" else None,
        instance=user,
        allow_superuser=request.user.is_superuser,
    )
    if form.is_bound and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, data=form.changed_data_dict())
        except ValidationError as exc:
            user.refresh_from_db()
            _add_errors(form, exc)
        else:
            messages.success(request, _("The account %(name)s was saved.") % {"name": user})
            return redirect("accounts:user_edit", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "account": user})


@require_POST
@login_required
def user_unlock(request, pk):
    user = access.get_object_for_user(request.user, User, pk, write=True)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, _("The account %(name)s was unlocked.") % {"name": user})
    return redirect("accounts:user_edit", pk=user.pk)


@require_POST
@login_required
def user_reset_totp(request, pk):
    user = access.get_object_for_user(request.user, User, pk, write=True)
    if user.totp_enabled:
        services.totp_reset(actor=request.user, user=user)
        messages.success(
            request,
            _("Two-factor authentication of %(name)s was removed.") % {"name": user},
        )
    return redirect("accounts:user_edit", pk=user.pk)
