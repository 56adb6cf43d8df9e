"""One filter set per register: it drives the UI filters and the API query parameters."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from resilia.org.models import Person, Site, Team, Unit, UnitKind


class SearchFilterSet(django_filters.FilterSet):
    """Adds `q`, a case-insensitive search over `search_fields`."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)


class UnitFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en", "code", "description")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=UnitKind.choices)
    parent = django_filters.NumberFilter(label=_("parent unit"), field_name="parent_id")

    class Meta:
        model = Unit
        fields = ["q", "kind", "parent"]


class PersonFilterSet(SearchFilterSet):
    search_fields = ("full_name", "employee_no", "title", "email", "mobile")
    unit = django_filters.NumberFilter(label=_("unit"), method="filter_unit")
    site = django_filters.NumberFilter(label=_("site"), field_name="site_id")
    is_key_person = django_filters.BooleanFilter(label=_("key person"))
    has_deputy = django_filters.BooleanFilter(
        label=_("has a deputy"), field_name="deputy", lookup_expr="isnull", exclude=True
    )
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Person
        fields = ["q", "unit", "site", "is_key_person", "has_deputy", "is_active"]

    def filter_unit(self, queryset, name, value):
        """A unit and its whole subtree."""
        unit = Unit.objects.filter(pk=value).only("path").first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)


class SiteFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en", "code", "address")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Site.Kind.choices)
    unit = django_filters.NumberFilter(label=_("owning unit"), field_name="unit_id")

    class Meta:
        model = Site
        fields = ["q", "kind", "unit"]


class TeamFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en", "code", "responsibilities")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Team.Kind.choices)
    unit = django_filters.NumberFilter(label=_("unit"), field_name="unit_id")
    member = django_filters.NumberFilter(
        label=_("member"), field_name="memberships__person_id", distinct=True
    )

    class Meta:
        model = Team
        fields = ["q", "kind", "unit", "member"]
