"""Query parameters of the API: strict ordering and the filter sets the org app lacks.

The registers' filter sets live in `resilia.org.filters` and `resilia.audit.filters` and are
shared with the UI; memberships have no UI register (they are edited on the team page), so
their filter set is here, and the audit log's gains the exact instants programs need.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from resilia.audit import filters as audit_filters
from resilia.core.filters import SearchFilterSet
from resilia.org.models import Person, Team, TeamMembership


def _readable(model):
    """Filter choices: the rows the requesting user may read (none without a request)."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.for_user(request.user)

    return queryset


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=a,-b` over the view's whitelist; anything else is a 400, not ignored.

    Silently ignoring a misspelt field would return rows in an order the client did not ask
    for. The primary key is always the last sort key, so pages never overlap or skip rows.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params is None:
            return self.get_default_ordering(view)
        fields = [param.strip() for param in params.split(",") if param.strip()]
        allowed = {
            name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
        }
        unknown = [f for f in fields if f.lstrip("-") not in allowed]
        if unknown or not fields:
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("Unknown sort field %(fields)s. Allowed: %(allowed)s.")
                        % {
                            "fields": ", ".join(unknown) or '""',
                            "allowed": ", ".join(sorted(allowed)),
                        }
                    ]
                }
            )
        return fields

    def get_schema_operation_parameters(self, view):
        """Document the whitelist: a comma-separated list of fields, `-` for descending."""
        fields = sorted(view.ordering_fields)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(
                    _("Sort keys, comma-separated; prefix a key with - for descending order.")
                ),
                "style": "form",
                "explode": False,
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "enum": [key for f in fields for key in (f, f"-{f}")],
                    },
                },
            }
        ]

    def filter_queryset(self, request, queryset, view):
        ordering = list(self.get_ordering(request, queryset, view) or queryset.query.order_by)
        if not ordering:
            ordering = list(queryset.model._meta.ordering)
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("pk")
        return queryset.order_by(*ordering)


class TeamMembershipFilterSet(SearchFilterSet):
    """Memberships by team, person, role, or text in the names and responsibilities."""

    search_fields = ("person__full_name", "team__name", "team__code", "responsibilities")
    # Choices limited to readable rows, like the org filter sets: an id outside the user's
    # scope is an invalid choice (400), never a way to probe what exists.
    team = django_filters.ModelChoiceFilter(label=_("team"), queryset=_readable(Team))
    person = django_filters.ModelChoiceFilter(label=_("person"), queryset=_readable(Person))
    role = django_filters.ChoiceFilter(label=_("role"), choices=TeamMembership.Role.choices)

    class Meta:
        model = TeamMembership
        fields = ["q", "team", "person", "role"]


# The audit trail cannot hold events outside these years; the bounds keep the conversion of
# a filter's instant to UTC (and the database's date range) safe on SQLite and PostgreSQL.
_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(9000, 12, 31)


class AuditEventFilterSet(audit_filters.AuditEventFilterSet):
    """The audit log page's filter set, plus instants and the source for programs.

    The page filters whole days (`date_from`, `date_to`); a program collecting events since
    its last run needs an exact instant (`since`, `until`, ISO 8601) and the channel.
    """

    since = django_filters.IsoDateTimeFilter(
        label=_("since"), field_name="timestamp", lookup_expr="gte"
    )
    until = django_filters.IsoDateTimeFilter(
        label=_("until"), field_name="timestamp", lookup_expr="lte"
    )
    source = django_filters.CharFilter(label=_("source"))

    class Meta(audit_filters.AuditEventFilterSet.Meta):
        fields = [*audit_filters.AuditEventFilterSet.Meta.fields, "since", "until", "source"]

    def is_valid(self) -> bool:
        """Also refuse dates so far out that converting them to UTC overflows (a 500)."""
        if not super().is_valid():
            return False
        for name in ("since", "until", "date_from", "date_to"):
            value = self.form.cleaned_data.get(name)
            if value is not None and not _EARLIEST.year <= value.year <= _LATEST.year:
                message = _("Enter a date between %(earliest)s and %(latest)s.") % {
                    "earliest": _EARLIEST.isoformat(),
                    "latest": _LATEST.isoformat(),
                }
                self.form.add_error(name, message)
        return not self.form.errors
