"""The navigation: each entry appears only for users whose role can read what it leads to.

Apps add their entries with `register()` in their AppConfig.ready(); order decides position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    order: int
    label: object  # a lazy translation
    url_name: str
    icon: str
    visible: Callable  # visible(user) -> bool
    menu: str = "main"  # "main" bar or the "user" dropdown


_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _ITEMS):
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: i.order)


def items_for(user, path: str, menu: str = "main") -> list[dict]:
    result = []
    for item in _ITEMS:
        if item.menu != menu or not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = url != "/" and path.startswith(url) or url == path
        result.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return result
