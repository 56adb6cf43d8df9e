"""Forms of the account pages: they validate input and call the services, nothing more."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from resilia.accounts import services
from resilia.accounts.models import Role, User
from resilia.core.forms import autocomplete

SCOPED_ROLES = (Role.COORDINATOR, Role.CONTRIBUTOR)
NEEDS_UNIT = _("Coordinators and contributors need a unit.")


def _language_choices():
    return [("", _("Follow the browser")), *settings.LANGUAGES]


class TablerMixin:
    """Give every widget the Tabler/Bootstrap class it needs, and mark invalid fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid"


class LoginForm(TablerMixin, forms.Form):
    """Username and password; failures are counted and audited by the service."""

    username = forms.CharField(label=_("Username"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        # One message for an unknown name and a wrong password: the form never says which.
        "invalid": _("The username or password is not correct."),
        "locked": _(
            "Too many failed attempts: this account is locked for %(minutes)s minutes. "
            "Try again later or ask an administrator to unlock it."
        ),
    }

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autofocus=True, autocomplete="username")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.user = services.login_check_password(
                request=self.request, username=data["username"], password=data["password"]
            )
        except services.LoginRefused as exc:
            raise ValidationError(
                self.error_messages[exc.reason],
                code=exc.reason,
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            ) from None
        return data


class CodeForm(TablerMixin, forms.Form):
    """A six-digit code from the authenticator app."""

    code = forms.CharField(
        label=_("Authentication code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class ProfileForm(TablerMixin, forms.ModelForm):
    """What users change about themselves."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = _language_choices()


class PasswordResetForm(TablerMixin, auth_forms.PasswordResetForm):
    """Django's reset form; the e-mail speaks the user's language, else the request's."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        language = context["user"].language or translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class SetPasswordForm(TablerMixin, auth_forms.SetPasswordForm):
    """The password chosen through a reset link, saved and audited by the service."""

    def save(self, commit=True):
        return services.password_reset_complete(
            user=self.user, new_password=self.cleaned_data["new_password1"]
        )


class PasswordChangeForm(TablerMixin, auth_forms.PasswordChangeForm):
    """Old password, new password twice; saved and audited by the service."""

    def save(self, commit=True):
        return services.password_change(
            actor=self.user, user=self.user, new_password=self.cleaned_data["new_password1"]
        )


class UserForm(TablerMixin, forms.ModelForm):
    """An administrator's view of an account: identity, role, scope, link to a person."""

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "language",
            "role",
            "unit",
            "person",
            "is_active",
        ]
        help_texts = {
            "unit": _("Coordinators and contributors see and edit only this unit's subtree."),
            "person": _("The person record this account belongs to."),
        }

    def __init__(self, *args, allow_superuser: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # The units and people come from the relations themselves: accounts is part of the
        # platform and never imports the organisation app.
        self.fields["unit"].queryset = self.fields["unit"].queryset.order_by("path")
        # Indent by depth so the select reads as the organisation tree.
        self.fields["unit"].label_from_instance = lambda u: "\u2003" * u.depth + u.display_name
        self.fields["language"].choices = _language_choices()
        self.fields["person"].queryset = self.fields["person"].queryset.order_by("full_name")
        autocomplete(self.fields["unit"], ("org:autocomplete", ["unit"]))
        autocomplete(self.fields["person"], ("org:autocomplete", ["person"]))
        if allow_superuser:
            self.fields["is_superuser"] = forms.BooleanField(
                label=_("superuser"),
                required=False,
                initial=self.instance.is_superuser,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    def clean(self):
        data = super().clean()
        if data.get("role") in SCOPED_ROLES and not data.get("unit"):
            self.add_error("unit", NEEDS_UNIT)
        return data

    def _post_clean(self):
        # The service validates the model itself; the form only collects the fields.
        pass

    def changed_data_dict(self) -> dict:
        fields = list(self.Meta.fields) + (
            ["is_superuser"] if "is_superuser" in self.fields else []
        )
        return {name: self.cleaned_data[name] for name in fields if name in self.cleaned_data}


class UserCreateForm(UserForm):
    """A new account with its initial password."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("A user with that username already exists."))
        return username

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            candidate = User(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data
