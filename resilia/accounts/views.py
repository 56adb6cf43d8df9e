"""Sign-in, second factor, language, profile, security and API token pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from resilia.accounts import services, totp
from resilia.accounts.forms import CodeForm, LoginForm, PasswordChangeForm, ProfileForm
from resilia.accounts.middleware import LANGUAGE_SESSION_KEY, SECOND_FACTOR_PENDING
from resilia.accounts.models import ApiToken, User

NEXT_SESSION_KEY = "second_factor_next"
SETUP_SESSION_KEY = "totp_setup_secret"


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _remember_language(request, language: str) -> None:
    if language:
        request.session[LANGUAGE_SESSION_KEY] = language
    else:
        request.session.pop(LANGUAGE_SESSION_KEY, None)


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    """Username and password; then the code page for users with a second factor."""
    next_url = request.POST.get("next") or request.GET.get("next")
    if request.user.is_authenticated and not request.session.get(SECOND_FACTOR_PENDING):
        return redirect(_safe_next(request, next_url))
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        user = form.user
        auth_login(request, user)
        _remember_language(request, user.language)
        if user.totp_enabled:
            request.session[SECOND_FACTOR_PENDING] = True
            request.session[NEXT_SESSION_KEY] = _safe_next(request, next_url)
            return redirect("accounts:second_factor")
        services.login_complete(user=user, second_factor=False)
        return redirect(_safe_next(request, next_url))
    return render(request, "accounts/login.html", {"form": form, "next": next_url or ""})


@sensitive_post_parameters("code")
@never_cache
def second_factor(request):
    """The authenticator code after the password; wrong codes count toward lock-out."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if not request.session.get(SECOND_FACTOR_PENDING):
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        user = request.user
        if services.totp_check_login(user=user, code=form.cleaned_data["code"]):
            next_url = request.session.pop(NEXT_SESSION_KEY, None)
            del request.session[SECOND_FACTOR_PENDING]
            request.session.cycle_key()
            services.login_complete(user=user, second_factor=True)
            return redirect(_safe_next(request, next_url))
        if services.login_locked(username=user.get_username()):
            auth_logout(request)
            messages.error(
                request,
                LoginForm.error_messages["locked"] % {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
            return redirect("accounts:login")
        form.add_error("code", _("The code is not valid. Check the time on your phone."))
    return render(request, "accounts/second_factor.html", {"form": form})


@require_POST
def logout_view(request):
    """Sign out (POST only, so a link or image cannot log anyone out)."""
    if request.user.is_authenticated:
        services.logout_record(user=request.user)
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_POST
def set_language(request):
    """Django's language switch; a signed-in user's choice is also saved in their profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    signed_in = request.user.is_authenticated and not request.session.get(SECOND_FACTOR_PENDING)
    if signed_in and language in dict(settings.LANGUAGES):
        services.profile_update(actor=request.user, user=request.user, data={"language": language})
        _remember_language(request, language)
    return response


@login_required
def profile(request):
    """Name, e-mail and language preference."""
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        instance=User.objects.get(pk=request.user.pk),  # a copy: the service diffs the original
    )
    if form.is_bound and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ProfileForm.Meta.fields}
        services.profile_update(actor=request.user, user=request.user, data=data)
        _remember_language(request, data["language"])
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def security(request):
    """Password and the optional second factor (enable with a code, disable with a code)."""
    user = request.user
    form = CodeForm(request.POST if request.method == "POST" else None)
    if not user.totp_enabled and SETUP_SESSION_KEY not in request.session:
        request.session[SETUP_SESSION_KEY] = totp.new_secret()
    secret = request.session.get(SETUP_SESSION_KEY, "")
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if user.totp_enabled:
                services.totp_disable(actor=user, user=user, code=code)
                messages.success(request, _("Two-factor authentication is off."))
            else:
                services.totp_enable(actor=user, user=user, secret=secret, code=code)
                request.session.pop(SETUP_SESSION_KEY, None)
                messages.success(request, _("Two-factor authentication is on."))
            return redirect("accounts:security")
        except ValidationError as exc:
            form.add_error("code", exc)
    context = {"form": form, "secret": secret}
    if not user.totp_enabled:
        uri = totp.provisioning_uri(secret, user.get_username())
        context.update(uri=uri, qr_svg=totp.qr_svg(uri))
    return render(request, "accounts/security.html", context)


@sensitive_post_parameters()
@login_required
def password_change(request):
    """Change one's own password; other sessions of the account are signed out."""
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def api_token(request):
    """Create (the key is shown once) or revoke one's own API token."""
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if services.token_revoke(actor=request.user):
                messages.success(request, _("Your API token was revoked."))
            return redirect("accounts:api_token")
        new_key = services.token_create(actor=request.user).key
    token = ApiToken.objects.filter(user=request.user).first()
    return render(request, "accounts/api_token.html", {"token": token, "new_key": new_key})
