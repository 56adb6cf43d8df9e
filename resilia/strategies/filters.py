"""Filters of the strategy options register (UI filters == API query parameters)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from resilia.core.filters import SearchFilterSet, UnitChoiceFilter, readable
from resilia.org.models import Unit
from resilia.strategies.models import Family, Kind, Option, ResidualRisk, Status, family_of


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
    activity = django_filters.NumberFilter(label=_("activity"), field_name="activity_id")
    resource = django_filters.NumberFilter(label=_("resource"), field_name="resource_id")

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
