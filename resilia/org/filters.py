"""One filter set per register: it drives the UI filters and the API query parameters."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from resilia.core.filters import (
    ALL,
    AnyYesNoSelect,
    SearchFilterSet,
    StrictBooleanFilter,
    UnitChoiceFilter,
    readable,
    site_filter,
)
from resilia.org.models import Person, Site, Team, Unit, UnitKind


class UnitFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en", "code", "description")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=UnitKind.choices, empty_label=ALL)
    parent = UnitChoiceFilter(label=_("parent unit"), queryset=readable(Unit))

    class Meta:
        model = Unit
        fields = ["q", "kind", "parent"]


class PersonFilterSet(SearchFilterSet):
    search_fields = ("full_name", "employee_no", "title", "email", "mobile")
    unit = UnitChoiceFilter(label=_("unit"), queryset=readable(Unit), method="filter_unit")
    site = site_filter(label=_("site"), queryset=readable(Site))
    is_key_person = StrictBooleanFilter(label=_("key person"), widget=AnyYesNoSelect)
    has_deputy = StrictBooleanFilter(
        label=_("has a deputy"),
        field_name="deputy",
        lookup_expr="isnull",
        exclude=True,
        widget=AnyYesNoSelect,
    )
    is_active = StrictBooleanFilter(label=_("active"), widget=AnyYesNoSelect)

    class Meta:
        model = Person
        fields = ["q", "unit", "site", "is_key_person", "has_deputy", "is_active"]

    def filter_unit(self, queryset, name, value):
        """A unit and its whole subtree."""
        if value is None:
            return queryset
        return queryset.filter(unit__path__startswith=value.path)


class SiteFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en", "code", "address")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Site.Kind.choices, empty_label=ALL)
    unit = UnitChoiceFilter(label=_("owning unit"), queryset=readable(Unit))

    class Meta:
        model = Site
        fields = ["q", "kind", "unit"]


class TeamFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en", "code", "responsibilities")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Team.Kind.choices, empty_label=ALL)
    unit = UnitChoiceFilter(label=_("unit"), queryset=readable(Unit))
    # Bounded to a database id: a larger number overflowed the query (a 500, not a 400).
    member = django_filters.NumberFilter(
        label=_("member"),
        field_name="memberships__person_id",
        distinct=True,
        min_value=1,
        max_value=2**63 - 1,
        decimal_places=0,
    )

    class Meta:
        model = Team
        fields = ["q", "kind", "unit", "member"]
