"""Filters of the strategy options register (UI filters == API query parameters)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from resilia.core.filters import SearchFilterSet, UnitChoiceFilter, readable
from resilia.org.models import Unit
from resilia.strategies.models import Family, Kind, Option, ResidualRisk, Status, family_of


class IdFilter(django_filters.Filter):
    """A row id: a whole number the database can hold (a huge or fractional one is a 400,
    not an overflow in the query)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class OptionFilterSet(SearchFilterSet):
    search_fields = (
        "name",
        "name_en",
        "activity__code",
        "activity__name",
        "resource__code",
        "resource__name",
    )
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Kind.choices)
    family = django_filters.ChoiceFilter(
        label=_("family"), choices=Family.choices, method="filter_family"
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=Status.choices)
    residual_risk = django_filters.ChoiceFilter(
        label=_("residual risk"), choices=ResidualRisk.choices
    )
    unit = UnitChoiceFilter(label=_("unit"), queryset=readable(Unit), method="filter_unit")
    # The options of one subject (the comparison page's "all options" link, the API): no
    # visible field, a picker over 100,000 nodes would not earn its place in the filter bar.
    activity = IdFilter(label=_("activity"), field_name="activity_id", widget=forms.HiddenInput)
    resource = IdFilter(label=_("resource"), field_name="resource_id", widget=forms.HiddenInput)

    class Meta:
        model = Option
        fields = ["q", "kind", "family", "status", "residual_risk", "unit", "activity", "resource"]

    def filter_family(self, queryset, name, value):
        return queryset.filter(kind__in=[k for k in Kind.values if family_of(k) == value])

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(
            Q(activity__unit__path__startswith=value.path)
            | Q(resource__unit__path__startswith=value.path)
        )
