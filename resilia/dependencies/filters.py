"""Filter sets of the resources and activities registers (UI filters == API parameters)."""

from __future__ import annotations

import datetime as dt

import django_filters
import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from resilia.core.filters import (
    AnyYesNoSelect,
    SearchFilterSet,
    StrictBooleanFilter,
    UnitChoiceFilter,
    readable,
    site_filter,
)
from resilia.dependencies.models import Activity, Criticality, Resource
from resilia.dependencies.selectors import compiled_model
from resilia.org.models import Site, Unit


def stale_before() -> dt.date:
    """Capability tests dated before this day are stale (settings.CAPABILITY_TEST_STALE_DAYS)."""
    return timezone.localdate() - dt.timedelta(days=settings.CAPABILITY_TEST_STALE_DAYS)


def _stale_label() -> str:
    days = settings.CAPABILITY_TEST_STALE_DAYS
    return ngettext(
        "capability test older than %(days)d day",
        "capability test older than %(days)d days",
        days,
    ) % {"days": days}


stale_label = lazy(_stale_label, str)

# "Tested" means a test date and at least one achieved measure.
UNTESTED = Q(capability_tested_on__isnull=True) | Q(
    recovery_time__isnull=True, recovery_point__isnull=True
)
# An activity without objectives lacks any of MTPD, RTO and RPO.
WITHOUT_OBJECTIVES = Q(mtpd__isnull=True) | Q(rto__isnull=True) | Q(rpo__isnull=True)


def _pks(name: str, nodes, *, activities: bool) -> list[int]:
    """Database pks of engine nodes, sorted; memoised with the compiled model under `name`
    (a page at a bank's scale must not rebuild tens of thousands of result rows each time)."""
    model = compiled_model()

    def compute(graph) -> list[int]:
        found = np.unique(np.fromiter(nodes(model), dtype=np.int64))
        if activities:
            return model.index.activity_ids[found].tolist()
        return model.index.resource_ids[found - len(model.index.activity_ids)].tolist()

    return model.derived(name, compute)


def gap_resource_pks() -> list[int]:
    """Resources whose tested capability cannot meet what depends on them (the gap analysis of
    the current model state, computed once per revision)."""
    return _pks(
        "pks:gap_resources", lambda m: (g.node for g in m.gaps().resources), activities=False
    )


def unmet_rto_activity_pks() -> list[int]:
    """Activities whose RTO is below the lower bound their dependencies allow."""
    return _pks("pks:unmet_rto", lambda m: (g.node for g in m.gaps().activities), activities=True)


def spof_resource_pks() -> list[int]:
    """Resources whose failure alone stops a prioritised activity."""
    n_act = len(compiled_model().index.activity_ids)
    return _pks(
        "pks:spof_resources",
        lambda m: (s.node for s in m.spof().spofs if s.node >= n_act),
        activities=False,
    )


def _by_pks(queryset, pks: list[int], value):
    if value is None:
        return queryset
    ids = pks
    if connection.vendor == "postgresql":
        # One array parameter rather than tens of thousands of IN parameters: at a bank's
        # scale binding and planning those costs seconds.
        ids = RawSQL("SELECT unnest(%s::bigint[])", (pks,))
    return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


def _subtree(queryset, unit):
    """A unit and its whole subtree."""
    if unit is None:
        return queryset
    return queryset.filter(unit__path__startswith=unit.path)


class ResourceStateFilters(django_filters.FilterSet):
    """What the home page counts about resources; shared by the register and the API."""

    untested = StrictBooleanFilter(
        label=_("has no tested capability"), method="filter_untested", widget=AnyYesNoSelect
    )
    stale = StrictBooleanFilter(label=stale_label(), method="filter_stale", widget=AnyYesNoSelect)
    gap = StrictBooleanFilter(label=_("capability gap"), method="filter_gap", widget=AnyYesNoSelect)
    spof = StrictBooleanFilter(
        label=_("single point of failure"), method="filter_spof", widget=AnyYesNoSelect
    )

    def filter_untested(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(UNTESTED) if value else queryset.exclude(UNTESTED)

    def filter_stale(self, queryset, name, value):
        if value is None:
            return queryset
        stale = Q(capability_tested_on__lt=stale_before())
        return queryset.filter(stale) if value else queryset.exclude(stale)

    def filter_gap(self, queryset, name, value):
        return _by_pks(queryset, gap_resource_pks() if value is not None else [], value)

    def filter_spof(self, queryset, name, value):
        return _by_pks(queryset, spof_resource_pks() if value is not None else [], value)


class ActivityStateFilters(django_filters.FilterSet):
    """What the home page counts about activities; shared by the register and the API."""

    rto_unmet = StrictBooleanFilter(
        label=_("RTO cannot be met"), method="filter_rto_unmet", widget=AnyYesNoSelect
    )
    no_objectives = StrictBooleanFilter(
        label=_("MTPD, RTO or RPO missing"), method="filter_no_objectives", widget=AnyYesNoSelect
    )

    def filter_rto_unmet(self, queryset, name, value):
        return _by_pks(queryset, unmet_rto_activity_pks() if value is not None else [], value)

    def filter_no_objectives(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(WITHOUT_OBJECTIVES) if value else queryset.exclude(WITHOUT_OBJECTIVES)
        )


class ResourceFilterSet(SearchFilterSet, ResourceStateFilters):
    search_fields = ("code", "name", "name_en", "description")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Resource.Kind.choices)
    unit = UnitChoiceFilter(label=_("unit"), queryset=readable(Unit), method="filter_unit")
    criticality = django_filters.ChoiceFilter(label=_("criticality"), choices=Criticality.choices)
    redundancy = django_filters.ChoiceFilter(
        label=_("redundancy"), choices=Resource.Redundancy.choices
    )
    site = site_filter(label=_("site"), queryset=readable(Site))

    class Meta:
        model = Resource
        fields = [
            "q",
            "kind",
            "unit",
            "criticality",
            "redundancy",
            "site",
            "untested",
            "stale",
            "gap",
            "spof",
        ]

    def filter_unit(self, queryset, name, value):
        return _subtree(queryset, value)


class ActivityFilterSet(SearchFilterSet, ActivityStateFilters):
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
        fields = ["q", "unit", "prioritised", "no_rto", "rto_unmet", "no_objectives"]

    def filter_unit(self, queryset, name, value):
        return _subtree(queryset, value)
