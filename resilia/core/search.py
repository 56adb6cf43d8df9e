"""Global search: every registered kind, searched through its filter set and `for_user` only.

Apps register the kinds they own from AppConfig.ready()::

    register_search(SearchKind(order=10, model=Unit, filterset=UnitFilterSet, icon="sitemap"))

The filter set's `q` filter decides which fields are searched, so the register page and the
global search agree. A kind the user cannot read is skipped; rows outside the user's scope
never appear (a coordinator of one department never sees another department's people).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.views.decorators.http import require_GET

from resilia.core import access

RESULTS_PER_KIND = 10
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class SearchKind:
    """One searchable kind: its model, the filter set whose `q` searches it, its icon."""

    order: int
    model: type
    filterset: type
    icon: str
    select_related: Sequence[str] = ()
    describe: Callable[[Any], str] | None = None  # secondary line under the result


_KINDS: list[SearchKind] = []


def register_search(kind: SearchKind) -> None:
    if all(existing.model is not kind.model for existing in _KINDS):
        _KINDS.append(kind)
        _KINDS.sort(key=lambda k: k.order)


def kinds_for(user) -> list[SearchKind]:
    """The kinds the search looks in for this user (those they may read)."""
    return [kind for kind in _KINDS if access.can_read_kind(user, kind.model)]


def search(user, query: str, limit: int = RESULTS_PER_KIND) -> list[dict]:
    """Groups of {kind, icon, results, more} for the kinds the user may read."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    groups = []
    for kind in _KINDS:
        if not access.can_read_kind(user, kind.model):
            continue
        queryset = kind.model.objects.for_user(user)
        if kind.select_related:
            queryset = queryset.select_related(*kind.select_related)
        found = list(kind.filterset({"q": query}, queryset=queryset).qs[: limit + 1])
        if not found:
            continue
        groups.append(
            {
                "kind": kind.model._meta.verbose_name_plural,
                "icon": kind.icon,
                "results": [
                    {
                        "obj": obj,
                        "url": _url(obj),
                        "detail": kind.describe(obj) if kind.describe else "",
                    }
                    for obj in found[:limit]
                ],
                "more": len(found) > limit,
            }
        )
    return groups


def _url(obj) -> str:
    """The object's page, or "" while the app that shows it is not installed."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def search_view(request):
    """The results page of the header search box."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    groups = search(request.user, query)
    return render(request, "core/search.html", {"query": query, "groups": groups})
