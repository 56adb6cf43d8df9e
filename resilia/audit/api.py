"""The audit trail's API: the events, read-only, for administrators, the BCM office and
auditors, with the exact instants a program collecting events since its last run needs."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from resilia.api.viewsets import BaseApiViewSet, routes
from resilia.audit import filters as audit_filters
from resilia.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    """One event of the audit trail, with the hashes that chain it."""

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "seq",
            "timestamp",
            "actor",
            "actor_repr",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "request_id",
            "client_ip",
            "source",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


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


class AuditEventViewSet(BaseApiViewSet):
    """The audit trail, for administrators, the BCM office and auditors; read-only."""

    model = AuditEvent
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    ordering_fields = ["seq", "timestamp", "action", "object_type"]
    ordering = ["-seq"]


urlpatterns = [*routes("audit-events", AuditEventViewSet, "auditevent", read_only=True)]
