"""Template helpers of the dependency pages: durations shown the way people read them."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()


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


@register.filter(name="minutes")
def minutes_filter(value) -> str:
    return human_minutes(value)
