"""Message templates: declared placeholders, rendering in a recipient's language, and the
length of an SMS (70 Chinese or 160 Latin characters in one segment; 67 / 153 per segment
of a longer one, the 3GPP TS 23.040 concatenation header taking the rest)."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The placeholders a template may use; anything else is refused when the template is saved.
PLACEHOLDERS = (
    "name",  # the recipient
    "title",  # the send's title
    "incident",
    "plan",
    "activity",
    "deadline",
    "site",
    "unit",
    "ack_link",
    "reply_code",
)
SAMPLE = {
    "name": "张伟",
    "title": "数据中心停电",
    "incident": "INC-2026-001 数据中心停电",
    "plan": "数据中心停电应急预案",
    "activity": "支付清算",
    "deadline": "2026-12-02 18:00",
    "site": "主数据中心",
    "unit": "信息科技部",
    "ack_link": "https://resilia.example/n/a/XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "reply_code": "K7M2QX",
}


def placeholders_of(text: str) -> list[str]:
    """The placeholder names used in `text` ({name}); a malformed brace raises ValidationError."""
    try:
        return [
            field
            for _lit, field, _spec, _conv in string.Formatter().parse(text)
            if field is not None
        ]
    except ValueError as exc:
        raise ValidationError(
            _("A brace is not closed or not opened: %(error)s") % {"error": exc}
        ) from exc


def check_placeholders(template) -> None:
    """Refuse a template that names a placeholder outside PLACEHOLDERS."""
    errors = {}
    for field in ("subject", "subject_en", "body", "body_en"):
        try:
            names = placeholders_of(getattr(template, field) or "")
        except ValidationError as exc:
            errors[field] = exc.messages
            continue
        unknown = sorted({n for n in names if n not in PLACEHOLDERS})
        if unknown:
            errors[field] = [
                _("Unknown placeholder %(names)s; use %(known)s.")
                % {
                    "names": ", ".join("{" + n + "}" for n in unknown),
                    "known": ", ".join("{" + n + "}" for n in PLACEHOLDERS),
                }
            ]
    if errors:
        raise ValidationError(errors)


class _Values(dict):
    def __missing__(self, key):
        return ""


def render(template, language: str, values: dict) -> tuple[str, str]:
    """(subject, body) in `language` ("en" uses the English text when there is one)."""
    english = language.startswith("en")
    subject = template.subject_en if english and template.subject_en else template.subject
    body = template.body_en if english and template.body_en else template.body
    data = _Values({k: "" if v is None else str(v) for k, v in values.items()})
    return subject.format_map(data), body.format_map(data)


def sms_segments(text: str) -> int:
    """How many SMS segments `text` takes: GSM-7 Latin 160 (153 each when split), anything
    else (Chinese) in UCS-2, 70 (67 each when split)."""
    if not text:
        return 0
    latin = all(ord(ch) < 128 for ch in text)
    single, part = (160, 153) if latin else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // part)
