"""Filter sets of the resources and activities registers (UI filters == API parameters)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resilia.core.filters import (
    AnyYesNoSelect,
    SearchFilterSet,
    StrictBooleanFilter,
    UnitChoiceFilter,
    readable,
)
from resilia.dependencies.models import Activity, Criticality, Resource
from resilia.org.models import Site, Unit


def _subtree(queryset, unit):
    """A unit and its whole subtree."""
    if unit is None:
        return queryset
    return queryset.filter(unit__path__startswith=unit.path)


class ResourceFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en", "description")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Resource.Kind.choices)
    unit = UnitChoiceFilter(label=_("unit"), queryset=readable(Unit), method="filter_unit")
    criticality = django_filters.ChoiceFilter(label=_("criticality"), choices=Criticality.choices)
    redundancy = django_filters.ChoiceFilter(
        label=_("redundancy"), choices=Resource.Redundancy.choices
    )
    site = django_filters.ModelChoiceFilter(label=_("site"), queryset=readable(Site))
    untested = StrictBooleanFilter(
        label=_("has no tested capability"), method="filter_untested", widget=AnyYesNoSelect
    )
    stale = StrictBooleanFilter(
        label=_("capability test older than 1 year"),
        method="filter_stale",
        widget=AnyYesNoSelect,
    )

    class Meta:
        model = Resource
        fields = ["q", "kind", "unit", "criticality", "redundancy", "site", "untested", "stale"]

    def filter_unit(self, queryset, name, value):
        return _subtree(queryset, value)

    def filter_untested(self, queryset, name, value):
        # "Tested" means a test date and at least one achieved measure.
        untested = Q(capability_tested_on__isnull=True) | Q(
            recovery_time__isnull=True, recovery_point__isnull=True
        )
        if value is None:
            return queryset
        return queryset.filter(untested) if value else queryset.exclude(untested)

    def filter_stale(self, queryset, name, value):
        if value is None:
            return queryset
        year_ago = timezone.localdate() - dt.timedelta(days=365)
        stale = Q(capability_tested_on__lt=year_ago)
        return queryset.filter(stale) if value else queryset.exclude(stale)


class ActivityFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en", "products", "description")
    unit = UnitChoiceFilter(label=_("unit"), queryset=readable(Unit), method="filter_unit")
    prioritised = StrictBooleanFilter(
        label=_("prioritised (has an RTO)"),
        field_name="rto",
        lookup_expr="isnull",
        exclude=True,
        widget=AnyYesNoSelect,
    )
    no_rto = StrictBooleanFilter(
        label=_("RTO not set"), field_name="rto", lookup_expr="isnull", widget=AnyYesNoSelect
    )

    class Meta:
        model = Activity
        fields = ["q", "unit", "prioritised", "no_rto"]

    def filter_unit(self, queryset, name, value):
        return _subtree(queryset, value)
