"""Small template helpers shared by the register pages."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def url_if_exists(name: str, *args) -> str:
    """The URL of `name` with `args`, or "" when no such view is installed (optional tabs)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
