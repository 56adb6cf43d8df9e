"""Small helpers of the incident pages: signed minutes to a moment, absolute values."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def minutes_from(moment, now) -> float | None:
    """Minutes from `now` to `moment` (negative once it has passed)."""
    if moment is None or now is None:
        return None
    return (moment - now).total_seconds() / 60


@register.filter(name="abs")
def absolute(value):
    try:
        return abs(value)
    except TypeError:
        return value


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
