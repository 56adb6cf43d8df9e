"""Filters of the hazard registers (UI filters == API query parameters)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resilia.core.filters import SearchFilterSet, StrictBooleanFilter, readable, site_filter
from resilia.hazards.models import (
    ChecklistKind,
    ChecklistTemplate,
    Frequency,
    Grade,
    Hazard,
    HazardStatus,
    InspectionRound,
    RoundStatus,
    Schedule,
)
from resilia.org.models import Site

# Age bands of open hazards (days since found): the grade × age view and its filter.
AGES = (
    ("7", _("Up to 7 days"), 0, 7),
    ("30", _("8 to 30 days"), 8, 30),
    ("90", _("31 to 90 days"), 31, 90),
    ("older", _("Over 90 days"), 91, None),
)


class TemplateFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ChecklistKind.choices)

    class Meta:
        model = ChecklistTemplate
        fields = ["q", "kind"]


class ScheduleFilterSet(SearchFilterSet):
    search_fields = ("site__code", "site__name", "template__name")
    site = site_filter(label=_("Site"), queryset=readable(Site))
    frequency = django_filters.ChoiceFilter(
        label=pgettext_lazy("inspection", "Frequency"), choices=Frequency.choices
    )

    class Meta:
        model = Schedule
        fields = ["q", "site", "frequency"]


class RoundFilterSet(SearchFilterSet):
    search_fields = ("site__code", "site__name", "template__name", "template__name_en")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RoundStatus.choices)
    site = site_filter(label=_("Site"), queryset=readable(Site))
    mine = StrictBooleanFilter(label=_("My rounds"), method="filter_mine")

    class Meta:
        model = InspectionRound
        fields = ["q", "status", "site", "mine"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(inspector_id=user.pk)
        return queryset


class HazardFilterSet(SearchFilterSet):
    search_fields = ("title", "description", "location")
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Grade.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=HazardStatus.choices)
    site = site_filter(label=_("Site"), queryset=readable(Site))
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=[(k, label) for k, label, _lo, _hi in AGES], method="filter_age"
    )
    overdue = StrictBooleanFilter(label=_("Overdue"), method="filter_overdue")

    class Meta:
        model = Hazard
        fields = ["q", "grade", "status", "site", "age", "overdue"]

    def filter_age(self, queryset, name, value):
        return queryset.filter(age_q(value))

    def filter_overdue(self, queryset, name, value):
        q = overdue_q()
        return queryset.filter(q) if value else queryset.exclude(q)


def overdue_q() -> Q:
    """Being rectified past the deadline (the fix not reported yet)."""
    return Q(status=HazardStatus.RECTIFYING, rectification__deadline__lt=timezone.localdate())


def age_q(key: str) -> Q:
    """Found within the age band `key` (days before today)."""
    import datetime as dt

    now = timezone.now()
    for k, _label, low, high in AGES:
        if k == key:
            q = Q(found_at__lte=now - dt.timedelta(days=low)) if low else Q()
            if high is not None:
                q &= Q(found_at__gt=now - dt.timedelta(days=high + 1))
            return q
    return Q()
