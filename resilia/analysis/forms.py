"""The what-if form: failed nodes as KIND:CODE values, and an optional T0."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resilia.analysis.scope import readable
from resilia.analysis.whatif import (
    FailureError,
    TimeWindowError,
    check_t0,
    parse_failures,
)
from resilia.core.forms import style_widgets
from resilia.dependencies.models import Activity, Resource
from resilia.org.models import Site


class WhatIfForm(forms.Form):
    """Bound to the query string, so that a what-if is a link one can share."""

    fail = forms.CharField(required=False)
    at = forms.DateTimeField(
        label=_("Failure time (T0)"),
        required=False,
        # No input_formats: Django's default reads ISO 8601 (what the browser's picker sends,
        # whatever its language) and then the formats of the reader's language
        # (DATETIME_INPUT_FORMATS, e.g. 2026/05/01 09:00 in Chinese).
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When the nodes fail, in your time zone; leave empty for now."),
        error_messages={
            "invalid": _(
                "The failure time (T0) is not a date and time: write it as 2026-05-01 09:00."
            )
        },
    )

    def __init__(self, data=None, *, user):
        super().__init__(data)
        style_widgets(self)
        self.user = user
        self.specs = [s for s in (data.getlist("fail") if data is not None else []) if s.strip()]

    def clean_at(self):
        try:
            return check_t0(self.cleaned_data.get("at"))
        except TimeWindowError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["keys"] = parse_failures(self.user, self.specs)
        except FailureError as exc:
            self.add_error(None, str(exc))
        cleaned["at"] = cleaned.get("at") or timezone.now()
        return cleaned


def describe(user, spec: str) -> str:
    """A readable label for a KIND:CODE value the user picked ("name (CODE)")."""
    kind, _sep, code = spec.partition(":")
    model = {"activity": Activity, "resource": Resource, "supplier": Resource, "site": Site}.get(
        kind
    )
    obj = readable(user, model).filter(code=code).first() if model else None
    return f"{obj.display_name} ({code})" if obj else spec
