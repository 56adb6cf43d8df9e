"""One filter set per register: it drives the UI filters and the API query parameters."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.forms import NullBooleanSelect
from django.utils.translation import gettext_lazy as _

from resilia.org.models import Person, Site, Team, Unit, UnitKind


def _readable(model):
    """Choices of a filter: only the rows the requesting user may read (no request: none)."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.for_user(request.user)

    return queryset


class TreeUnitChoiceField(forms.ModelChoiceField):
    """Units indented by their depth, so the select reads as the organisation tree."""

    def label_from_instance(self, obj):
        return "\u2003" * obj.depth + obj.display_name


# django-filter's empty choice is a row of dashes; say what choosing it means.
ALL = _("All")


class UnitChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = TreeUnitChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", ALL)
        super().__init__(*args, **kwargs)


class AnyYesNoSelect(NullBooleanSelect):
    """A yes/no filter whose empty choice reads "Any" rather than Django's "Unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]


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
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=UnitKind.choices, empty_label=ALL)
    parent = UnitChoiceFilter(label=_("parent unit"), queryset=_readable(Unit))

    class Meta:
        model = Unit
        fields = ["q", "kind", "parent"]


class PersonFilterSet(SearchFilterSet):
    search_fields = ("full_name", "employee_no", "title", "email", "mobile")
    unit = UnitChoiceFilter(label=_("unit"), queryset=_readable(Unit), method="filter_unit")
    site = django_filters.ModelChoiceFilter(
        label=_("site"), queryset=_readable(Site), empty_label=ALL
    )
    is_key_person = django_filters.BooleanFilter(label=_("key person"), widget=AnyYesNoSelect)
    has_deputy = django_filters.BooleanFilter(
        label=_("has a deputy"),
        field_name="deputy",
        lookup_expr="isnull",
        exclude=True,
        widget=AnyYesNoSelect,
    )
    is_active = django_filters.BooleanFilter(label=_("active"), widget=AnyYesNoSelect)

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
    unit = UnitChoiceFilter(label=_("owning unit"), queryset=_readable(Unit))

    class Meta:
        model = Site
        fields = ["q", "kind", "unit"]


class TeamFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en", "code", "responsibilities")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Team.Kind.choices, empty_label=ALL)
    unit = UnitChoiceFilter(label=_("unit"), queryset=_readable(Unit))
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
