"""Filters of the incident register (UI filters == API query parameters)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from resilia.core.filters import SearchFilterSet, StrictBooleanFilter
from resilia.incidents.models import OPEN_STATUSES, Category, Incident, Status


class IncidentFilterSet(SearchFilterSet):
    search_fields = ("code", "title")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    drill = StrictBooleanFilter(label=_("Drills"), field_name="is_drill")
    open = StrictBooleanFilter(label=_("Open"), method="filter_open")

    class Meta:
        model = Incident
        fields = ["q", "status", "category", "drill", "open"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.exclude(status__in=OPEN_STATUSES)
