"""Filter pieces every register shares; one filter set drives a register's UI filters and the
API's query parameters."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.forms import NullBooleanSelect
from django.utils.translation import gettext_lazy as _

from resilia.core.forms import TreeUnitChoiceField
from resilia.core.pickers import Picker, PickerMultiple, row_ids_checked


def readable(model):
    """Choices of a filter: only the rows the requesting user may read (no request: none)."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.for_user(request.user)

    return queryset


# django-filter's empty choice is a row of dashes; say what choosing it means.
ALL = _("All")


class PickerFilter(django_filters.ModelChoiceFilter):
    """A choice filter over a possibly large table, shown as the kit's picker.

    `picker` is the endpoint as (URL name, args), e.g. ("org:autocomplete", ["site"]); the
    page renders only the chosen row, whatever the table's size.
    """

    def __init__(self, *args, picker, **kwargs):
        kwargs.setdefault("empty_label", ALL)
        kwargs["widget"] = Picker(picker)
        super().__init__(*args, **kwargs)


class PickerMultipleFilter(django_filters.ModelMultipleChoiceFilter):
    """`PickerFilter` for a choice of several rows (any of them matches)."""

    field_class = row_ids_checked(django_filters.fields.ModelMultipleChoiceField)

    def __init__(self, *args, picker, **kwargs):
        kwargs["widget"] = PickerMultiple(picker)
        super().__init__(*args, **kwargs)


class UnitChoiceFilter(PickerFilter):
    """A unit, picked among the readable ones (the filter's method may take its subtree)."""

    field_class = TreeUnitChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("picker", ("org:autocomplete", ["unit"]))
        super().__init__(*args, **kwargs)


def site_filter(**kwargs) -> PickerFilter:
    """A site filter over the readable sites."""
    return PickerFilter(picker=("org:autocomplete", ["site"]), **kwargs)


def person_filter(**kwargs) -> PickerFilter:
    """A person filter over the readable people."""
    return PickerFilter(picker=("org:autocomplete", ["person"]), **kwargs)


class AnyYesNoSelect(NullBooleanSelect):
    """A yes/no filter whose empty choice reads "Any" rather than Django's "Unknown".

    A value it does not know is passed on as sent, for `StrictBooleanField` to refuse:
    Django's widget turns it into "any", so `?is_key_person=maybe` would list everyone.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if value in (None, "") or value in _ANY or value in _TRUE or value in _FALSE:
            return super().value_from_datadict(data, files, name)
        return value


# The values a yes/no filter accepts (query strings and the select's own choices).
_TRUE = ("true", "True", "1", "2", True)
_FALSE = ("false", "False", "0", "3", False)
_ANY = ("unknown",)


class StrictBooleanField(forms.NullBooleanField):
    """A yes/no filter value: true/false (or the select's choices), empty for any; anything
    else is an error (400 in the API) rather than silently no filter."""

    default_error_messages = {"invalid": _("Enter true or false.")}

    def to_python(self, value):
        if value in (None, "") or value in _ANY:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    """The yes/no filter of every filter set: see `StrictBooleanField`."""

    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", AnyYesNoSelect)
        super().__init__(*args, **kwargs)


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
