"""Template helpers of the dependency pages: durations shown the way people read them."""

from __future__ import annotations

from django import template

from resilia.core.durations import human_minutes

register = template.Library()


@register.filter(name="minutes")
def minutes_filter(value) -> str:
    return human_minutes(value)
