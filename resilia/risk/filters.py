"""Filters of the risk registers (UI filters == API query parameters)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from resilia.core.filters import (
    SearchFilterSet,
    StrictBooleanFilter,
    UnitChoiceFilter,
    person_filter,
    readable,
)
from resilia.org.models import Person, Unit
from resilia.risk.models import (
    MatrixVersion,
    Measure,
    MeasureStatus,
    Risk,
    RiskAssessment,
    RiskStatus,
    Threat,
    ThreatClass,
    ThreatGroup,
    Treatment,
)

LEVELS = [(n, str(n)) for n in range(1, 7)]


def band_choices():
    """The bands of the current matrix (older versions use the same codes or none)."""
    from resilia.bia.models import local_name
    from resilia.risk.services import latest_matrix

    return [(b["code"], local_name(b)) for b in latest_matrix().bands]


class ThreatFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en", "description")
    threat_class = django_filters.ChoiceFilter(
        label=_("Class of emergency"), choices=ThreatClass.choices
    )
    group = django_filters.ChoiceFilter(label=_("Group"), choices=ThreatGroup.choices)

    class Meta:
        model = Threat
        fields = ["q", "threat_class", "group"]


class RiskFilterSet(SearchFilterSet):
    search_fields = ("code", "title", "title_en", "cause", "description")
    threat = django_filters.ModelChoiceFilter(label=_("Threat"), queryset=readable(Threat))
    unit = UnitChoiceFilter(label=_("Unit"), queryset=readable(Unit), method="filter_unit")
    band = django_filters.ChoiceFilter(label=_("Band"), choices=band_choices)
    treatment = django_filters.ChoiceFilter(label=_("Treatment"), choices=Treatment.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RiskStatus.choices)
    needs_treatment = StrictBooleanFilter(label=_("Needs treatment"))
    matrix = django_filters.ModelChoiceFilter(
        label=_("Risk matrix"), queryset=readable(MatrixVersion)
    )
    inherent_likelihood = django_filters.ChoiceFilter(
        label=_("Inherent likelihood"), choices=LEVELS
    )
    inherent_impact = django_filters.ChoiceFilter(label=_("Inherent impact"), choices=LEVELS)
    residual_likelihood = django_filters.ChoiceFilter(
        label=_("Residual likelihood"), choices=LEVELS
    )
    residual_impact = django_filters.ChoiceFilter(label=_("Residual impact"), choices=LEVELS)

    class Meta:
        model = Risk
        fields = [
            "q",
            "threat",
            "unit",
            "band",
            "treatment",
            "status",
            "needs_treatment",
            "matrix",
            "inherent_likelihood",
            "inherent_impact",
            "residual_likelihood",
            "residual_impact",
        ]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)


class MeasureFilterSet(SearchFilterSet):
    search_fields = ("title", "risk__code", "risk__title")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MeasureStatus.choices)
    owner = person_filter(label=_("Owner"), queryset=readable(Person))
    overdue = StrictBooleanFilter(label=_("Overdue"), method="filter_overdue")

    class Meta:
        model = Measure
        fields = ["q", "status", "owner", "overdue"]

    def filter_overdue(self, queryset, name, value):
        from resilia.risk.services import overdue_measures

        if value is True:
            return overdue_measures(queryset)
        if value is False:
            return queryset.exclude(pk__in=overdue_measures(queryset).values("pk"))
        return queryset


class AssessmentFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en")

    class Meta:
        model = RiskAssessment
        fields = ["q"]
