"""Filters of the plan register (UI filters == API query parameters)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from resilia.core.filters import SearchFilterSet, UnitChoiceFilter, readable
from resilia.org.models import Unit
from resilia.plans.models import Kind, Plan, Status


class PlanFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en")
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    unit = UnitChoiceFilter(label=_("Unit"), queryset=readable(Unit), method="filter_unit")

    class Meta:
        model = Plan
        fields = ["q", "kind", "status", "unit"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)
