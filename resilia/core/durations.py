"""Durations as a BCM office writes and reads them, stored as whole minutes.

Typed as "240", "4h", "2h30m", "2d", "4小时" or "30 分钟" (`parse_minutes`, the form field
`DurationMinutesField`, the importers' duration cells); shown as "4 h" / "4 小时"
(`human_minutes`, the `minutes` template filter of resilia_ui); kept in a `MinutesField`, which
the audit trail's history recognises to show hours and days rather than raw minutes. MTPD, RTO,
RPO, recovery capabilities and tolerances all use them, and so will the BIA's time points.
"""

from __future__ import annotations

import re

from django import forms
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Ten years: anything longer is a typing mistake, not an objective or a capability.
MAX_MINUTES = 10 * 365 * 24 * 60


class MinutesField(models.PositiveIntegerField):
    """A duration in whole minutes, at most MAX_MINUTES."""

    default_validators = [MaxValueValidator(MAX_MINUTES)]


# Unit words, longest first so that "min" is not read as "m" + "in".
UNITS = {
    "weeks": 10080,
    "week": 10080,
    "w": 10080,
    "周": 10080,
    "days": 1440,
    "day": 1440,
    "d": 1440,
    "天": 1440,
    "日": 1440,
    "hours": 60,
    "hour": 60,
    "hrs": 60,
    "hr": 60,
    "h": 60,
    "小时": 60,
    "个小时": 60,
    "钟头": 60,
    "时": 60,
    "minutes": 1,
    "minute": 1,
    "mins": 1,
    "min": 1,
    "m": 1,
    "分钟": 1,
    "分": 1,
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_PART_RE = re.compile(rf"(\d+(?:\.\d+)?)\s*({_UNIT_RE})", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^\d+$")


class DurationError(ValueError):
    """Why a duration text is refused; `message` is translated."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def parse_minutes(text: str) -> int | None:
    """Whole minutes of a duration text, None for an empty text; DurationError otherwise."""
    text = (text or "").strip().replace("，", " ").replace(",", " ")
    if not text:
        return None
    if text.startswith(("-", "−")):
        raise DurationError(_("A duration cannot be negative."))
    if _NUMBER_RE.match(text):
        minutes = int(text)
    else:
        minutes_f = 0.0
        position = 0
        folded = text.casefold()
        for match in _PART_RE.finditer(folded):
            if folded[position : match.start()].strip():
                raise DurationError(_invalid())
            minutes_f += float(match.group(1)) * UNITS[match.group(2)]
            position = match.end()
        if position == 0 or folded[position:].strip():
            raise DurationError(_invalid())
        if abs(minutes_f - round(minutes_f)) > 1e-6:
            raise DurationError(_("Use whole minutes (for example 1.5h is 90 minutes)."))
        minutes = round(minutes_f)
    if minutes > MAX_MINUTES:
        raise DurationError(_("A duration longer than 10 years is not plausible."))
    return minutes


def _invalid():
    return _("Enter minutes (240) or a duration with units: 4h, 2h30m, 2d, 4小时, 30分钟.")


def compact(minutes: int | None) -> str:
    """A language-neutral, re-parseable form: 150 → "2h30m", 2880 → "2d", 0 → "0"."""
    if minutes is None:
        return ""
    if minutes == 0:
        return "0"
    days, rest = divmod(int(minutes), 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return "".join(parts)


class DurationMinutesField(forms.Field):
    """A duration in whole minutes, typed as minutes or with units (see parse_minutes)."""

    widget = forms.TextInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", _("Minutes, or with units: 4h, 2h30m, 2d, 4小时, 30分钟."))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return compact(value)
        return value

    def to_python(self, value):
        if isinstance(value, int):
            return value
        try:
            return parse_minutes(str(value) if value is not None else "")
        except DurationError as exc:
            raise forms.ValidationError(exc.message, code="invalid") from None

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "text", "autocomplete": "off", "placeholder": "4h"})
        return attrs


def human_minutes(value) -> str:
    """240 → "4 h" / "4 小时"; 150 → "2 h 30 min" / "2 小时 30 分钟"; None → "—"."""
    if value is None or value == "":
        return "—"
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        return str(value)
    if minutes == 0:
        return gettext("%(n)s min") % {"n": 0}
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(gettext("%(n)s d") % {"n": days})
    if hours:
        parts.append(gettext("%(n)s h") % {"n": hours})
    if mins:
        parts.append(gettext("%(n)s min") % {"n": mins})
    return " ".join(parts)
