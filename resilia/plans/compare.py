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

# The names of the scope's and the activation's parts, as the version's page shows them.
KEYS = {
    "activities": _("Activities in scope"),
    "resources": _("Resources in scope"),
    "sites": _("Sites in scope"),
    "alternate_site": _("Alternate site: "),
    "criteria": _("Activation criteria"),
    "who": _("Who may activate: "),
}

# A row's fields in the order of the content's schema, whatever order the database kept
# (PostgreSQL's jsonb sorts an object's keys by length).
ORDER = (
    *("key", "name", "role", "team", "person", "deputy", "authority"),
    *("to", "within", "path", "content", "audience", "subject", "body"),
    *("phase", "who", "what", "where", "how", "minutes", "after", "criteria", "decides"),
    *("response", "escalate", "report_to", "report_within"),
)


def _label(key: str) -> str:
    return str(KEYS.get(key, key)).rstrip(": ：")


def _text(value) -> list[str]:
    """A section as lines of text, for reading side by side: lists joined, a step's phase by
    its name in the reader's language (never a Python list or a code)."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, dict):
        return [f"{_label(k)}: {'; '.join(_text(v)) or '—'}" for k, v in value.items()]
    phases = dict(c.PHASES)
    lines = []
    for item in value or ():
        if isinstance(item, dict):
            keys = sorted(item, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER))
            shown = [phases.get(item[k], item[k]) if k == "phase" else item[k] for k in keys]
            lines.append(" · ".join(_flat(v) for v in shown if v not in (None, "", [])))
        else:
            lines.append(str(item))
    return lines


def _flat(value) -> str:
    return ", ".join(str(x) for x in value) if isinstance(value, list) else str(value)


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
