"""Query parameters of the API: strict ordering and the filter sets the org app lacks.

The registers' filter sets live in `resilia.org.filters` and are shared with the UI; the two
below cover what has no UI register (memberships are edited on the team page; the audit
trail's query parameters are the ones its API promises).
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from resilia.audit.models import AuditEvent
from resilia.org.filters import SearchFilterSet
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


class AuditEventFilterSet(django_filters.FilterSet):
    """The audit trail by who, what, which object, which user action and when."""

    actor = django_filters.NumberFilter(label=_("actor"), field_name="actor_id")
    action = django_filters.CharFilter(label=_("action"))
    object_type = django_filters.CharFilter(label=_("object type"))
    object_id = django_filters.CharFilter(label=_("object id"))
    request_id = django_filters.CharFilter(label=_("request id"))
    source = django_filters.CharFilter(label=_("source"))
    since = django_filters.IsoDateTimeFilter(
        label=_("since"), field_name="timestamp", lookup_expr="gte"
    )
    until = django_filters.IsoDateTimeFilter(
        label=_("until"), field_name="timestamp", lookup_expr="lte"
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")

    class Meta:
        model = AuditEvent
        fields = [
            "actor",
            "action",
            "object_type",
            "object_id",
            "request_id",
            "source",
            "since",
            "until",
            "q",
        ]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(object_repr__icontains=value) | Q(actor_repr__icontains=value))
