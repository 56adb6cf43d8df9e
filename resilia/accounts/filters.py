"""The filters of the user list (search, role, unit, active); they also serve the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from resilia.accounts.models import Role, User
from resilia.core.filters import SearchFilterSet, StrictBooleanFilter, UnitChoiceFilter, readable


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "first_name", "last_name", "email", "person__full_name")
    role = django_filters.ChoiceFilter(
        label=_("role"), choices=Role.choices, empty_label=_("All roles")
    )
    unit = UnitChoiceFilter(
        label=_("unit"),
        queryset=readable(User.unit.field.related_model),
        method="filter_unit",
        empty_label=_("All units"),
    )
    is_active = StrictBooleanFilter(
        label=_("Status"),
        widget=forms.Select(
            choices=[
                ("", _("Active and inactive")),
                ("true", _("Active")),
                ("false", _("Inactive")),
            ]
        ),
    )

    class Meta:
        model = User
        fields = ["q", "role", "unit", "is_active"]

    def filter_unit(self, queryset, name, value):
        """Users scoped to a unit or anywhere below it."""
        return queryset.filter(unit__path__startswith=value.path)
