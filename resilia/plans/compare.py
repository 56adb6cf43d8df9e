"""Two versions of a plan side by side: section by section, the text of each, changed or not."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from resilia.plans import content as c
from resilia.plans.services import scope_of

SECTIONS = (
    ("purpose", _("Purpose and scope")),
    ("activation", _("Activation")),
    ("levels", _("Response levels")),
    ("escalation", _("Escalation")),
    ("reporting", _("Reporting")),
    ("roles", _("Roles and teams")),
    ("steps", _("Procedures")),
    ("resources", _("Resources needed")),
    ("vital_records", _("Vital records")),
    ("backlog", _("Transactions that pile up")),
    ("communications", _("Communication templates")),
)


def _text(value) -> list[str]:
    """A section as lines of text, for reading side by side."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, dict):
        return [
            f"{k}: {_text(v)}" if not isinstance(v, str) else f"{k}: {v}" for k, v in value.items()
        ]
    lines = []
    for item in value or ():
        if isinstance(item, dict):
            lines.append(" · ".join(str(v) for v in item.values() if v not in (None, "", [])))
        else:
            lines.append(str(item))
    return lines


def rows(a, b) -> list[dict]:
    ca, cb = c.normalised(a.content), c.normalised(b.content)
    out = [
        {
            "label": _("Scope"),
            "a": _text(scope_of(a)),
            "b": _text(scope_of(b)),
            "changed": scope_of(a) != scope_of(b),
        },
        {"label": _("Change note"), "a": [a.change_note], "b": [b.change_note], "changed": True},
    ]
    for key, label in SECTIONS:
        out.append(
            {
                "label": label,
                "a": _text(ca[key]),
                "b": _text(cb[key]),
                "changed": ca[key] != cb[key],
            }
        )
    return out
