"""The audit log's filters: one declaration for the page, its export and any API list."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from resilia.audit.actions import action_choices
from resilia.audit.models import AuditEvent


def object_type_choices() -> list[tuple[str, str]]:
    """Every Resilia model (and the user model), labelled with its translated name."""
    choices = []
    for model in apps.get_models():
        if model.__module__.startswith("resilia."):
            choices.append((model._meta.label_lower, str(model._meta.verbose_name)))
    return sorted(choices, key=lambda c: c[1])


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# Days far outside any audit trail would overflow the time-zone arithmetic below.
_DATE_RANGE = [MinValueValidator(dt.date(1970, 1, 1)), MaxValueValidator(dt.date(9998, 12, 31))]


class AuditEventFilterSet(django_filters.FilterSet):
    """Filters by who, what, which object, which user action, when, and text of the object."""

    actor = django_filters.CharFilter(
        label=capfirst(_("actor")), field_name="actor_repr", lookup_expr="iexact"
    )
    action = django_filters.ChoiceFilter(
        label=capfirst(_("action")), choices=action_choices, empty_label=_("Any")
    )
    object_type = django_filters.ChoiceFilter(
        label=capfirst(_("object type")), choices=object_type_choices, empty_label=_("Any")
    )
    object_id = django_filters.CharFilter(label=capfirst(_("object id")))
    request_id = django_filters.CharFilter(label=capfirst(_("request id")))
    date_from = django_filters.DateFilter(
        label=capfirst(_("from")),
        method="filter_date_from",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=_DATE_RANGE,
    )
    date_to = django_filters.DateFilter(
        label=capfirst(_("to")),
        method="filter_date_to",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=_DATE_RANGE,
    )
    q = django_filters.CharFilter(
        label=_("Search"), field_name="object_repr", lookup_expr="icontains"
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "request_id"]

    # Dates are days of the user's time zone; compare with its midnights so the index is used.
    def filter_date_from(self, queryset, name, value):
        return queryset.filter(timestamp__gte=_local_midnight(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(timestamp__lt=_local_midnight(value + dt.timedelta(days=1)))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
