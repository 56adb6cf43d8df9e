"""Filters of the BIA registers (UI filters == API query parameters)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from resilia.bia.models import Assessment, Campaign, CampaignStatus, Status
from resilia.core.filters import SearchFilterSet, UnitChoiceFilter, readable
from resilia.org.models import Unit


class CampaignFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields = ["q", "status"]


class AssessmentFilterSet(SearchFilterSet):
    search_fields = ("activity__code", "activity__name", "activity__name_en")
    campaign = django_filters.ModelChoiceFilter(label=_("Campaign"), queryset=readable(Campaign))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    unit = UnitChoiceFilter(label=_("Unit"), queryset=readable(Unit), method="filter_unit")
    mine = django_filters.BooleanFilter(
        label=_("Assigned to me"), method="filter_mine", widget=django_filters.widgets.BooleanWidget
    )

    class Meta:
        model = Assessment
        fields = ["q", "campaign", "status", "unit", "mine"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(activity__unit__path__startswith=value.path)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(assignee_id=user.pk)
        return queryset
