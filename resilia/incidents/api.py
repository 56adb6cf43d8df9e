"""API of incidents: `/api/incidents/` and the steps of an incident.

Reads through the access choke point (resilia.incidents.access) with the register's filter
set; writes through resilia.incidents.services, with the same decisions as the pages:
POST `incidents/` declares, PATCH `incidents/<id>/` changes what is known (the grade and the
deadlines follow), POST `<id>/level/` (a level the rules do not give needs a reason),
`<id>/status/`, `<id>/reports/` (against a deadline or on its own), `<id>/journal/`,
`<id>/roles/`, `<id>/review/` and `<id>/close/`; GET `<id>/clock/` is the live clock.
`incidents/alertmanager/` takes Alertmanager's webhook (version 4): a firing group opens an
incident, or updates the one it opened, from the labels `resilia_site`, `resilia_resource`,
`resilia_activity` (codes, comma-separated), `resilia_category` and `resilia_pack`.
A role that may not take a step answers 403; a step the incident's state does not allow, 409.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from resilia.api.serializers import StrictSerializer
from resilia.api.viewsets import BaseApiViewSet
from resilia.core import access
from resilia.dependencies.models import Activity, Resource
from resilia.incidents import access as inc_access
from resilia.incidents import services
from resilia.incidents.clock import clock
from resilia.incidents.filters import IncidentFilterSet
from resilia.incidents.models import (
    Category,
    Deadline,
    EntryKind,
    GradingPack,
    Incident,
    JournalEntry,
    LevelChange,
    Report,
    Role,
    RoleKind,
    Status,
)
from resilia.org.models import Person, Site, Unit


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class DeadlineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    recipient = serializers.CharField(source="display_recipient")
    path = serializers.CharField(source="display_path")
    report = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = ["id", "code", "n", "name", "due_at", "recipient", "path", "reminded_at",
                  "report"]  # fmt: skip
        read_only_fields = fields

    def get_report(self, obj) -> int | None:
        report = getattr(obj, "report", None)
        return report.pk if report else None


class LevelChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LevelChange
        fields = ["at", "from_level", "to_level", "by_rules", "decided_by", "reason"]
        read_only_fields = fields


class RoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "role", "person", "note"]
        read_only_fields = fields


class IncidentSerializer(serializers.ModelSerializer):
    pack = serializers.SlugRelatedField(slug_field="code", read_only=True)
    pack_version = serializers.IntegerField(source="pack.version", read_only=True)
    level_name = serializers.CharField(read_only=True)
    deadlines = DeadlineSerializer(many=True, read_only=True)
    level_changes = LevelChangeSerializer(many=True, read_only=True)
    roles = RoleSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = ["id", "code", "title", "category", "description", "is_drill", "status", "unit",
                  "sites", "resources", "activities", "detected_at", "reporter", "pack",
                  "pack_version", "facts", "computed_level", "level", "level_name",
                  "level_reason", "resolved_at", "closed_at", "deadlines", "level_changes",
                  "roles"]  # fmt: skip
        read_only_fields = fields


def _pick(model, user, ids, field):
    ids = list(dict.fromkeys(ids or ()))
    found = list(model.objects.for_user(user).filter(pk__in=ids))
    if len(found) != len(ids):
        raise serializers.ValidationError({field: [_("Unknown or unreadable id.")]})
    return found


class IncidentInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    is_drill = serializers.BooleanField(required=False, default=False)
    unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    pack = serializers.CharField(help_text="the code of a grading pack")
    detected_at = serializers.DateTimeField()
    sites = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    resources = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    activities = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    facts = serializers.DictField(required=False, default=dict)
    level = serializers.CharField(required=False, allow_blank=True, default=None)
    level_reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        user = self.context["user"]
        pack = services.current_packs().filter(code=attrs["pack"]).first()
        if pack is None:
            raise serializers.ValidationError({"pack": [_("There is no such grading pack.")]})
        unit = None
        if attrs.get("unit") is not None:
            unit = Unit.objects.for_user(user).filter(pk=attrs["unit"]).first()
            if unit is None:
                raise serializers.ValidationError({"unit": [_("Unknown or unreadable id.")]})
        if not inc_access.may_declare(user, unit):
            raise exceptions.PermissionDenied()
        return {
            **attrs,
            "pack": pack,
            "unit": unit,
            "sites": _pick(Site, user, attrs["sites"], "sites"),
            "resources": _pick(Resource, user, attrs["resources"], "resources"),
            "activities": _pick(Activity, user, attrs["activities"], "activities"),
        }


class IncidentUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    detected_at = serializers.DateTimeField(required=False)
    sites = serializers.ListField(child=serializers.IntegerField(), required=False)
    resources = serializers.ListField(child=serializers.IntegerField(), required=False)
    activities = serializers.ListField(child=serializers.IntegerField(), required=False)
    facts = serializers.DictField(required=False)

    def validate(self, attrs):
        user = self.context["user"]
        for name, model in (("sites", Site), ("resources", Resource), ("activities", Activity)):
            if name in attrs:
                attrs[name] = _pick(model, user, attrs[name], name)
        return attrs


class LevelInputSerializer(StrictSerializer):
    level = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class StatusInputSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(allow_blank=True, required=False, default="")


class ReportInputSerializer(StrictSerializer):
    deadline = serializers.IntegerField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()


class ReportSerializer(serializers.ModelSerializer):
    late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Report
        fields = ["id", "incident", "deadline", "title", "body", "filed_at", "filed_by", "late"]
        read_only_fields = fields


class JournalInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    text = serializers.CharField()
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class JournalSerializer(serializers.ModelSerializer):
    class Meta:
        model = JournalEntry
        fields = ["id", "at", "kind", "text", "author", "recorded_at"]
        read_only_fields = fields


class RoleInputSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=RoleKind.choices)
    person = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=200)

    def validate(self, attrs):
        person = Person.objects.for_user(self.context["user"]).filter(pk=attrs["person"]).first()
        if person is None:
            raise serializers.ValidationError({"person": [_("Unknown or unreadable id.")]})
        return {**attrs, "person": person}


class ReviewInputSerializer(StrictSerializer):
    timeline = serializers.CharField()
    downtime_minutes = serializers.IntegerField(min_value=0)
    data_loss_minutes = serializers.IntegerField(min_value=0, required=False, default=0)
    cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    causes = serializers.CharField()
    lessons = serializers.CharField()


class ClockRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()
    stop_at = serializers.FloatField(allow_null=True)
    downtime = serializers.FloatField()
    rto = serializers.FloatField(allow_null=True)
    mtpd = serializers.FloatField(allow_null=True)
    to_rto = serializers.FloatField(allow_null=True)
    to_mtpd = serializers.FloatField(allow_null=True)
    impact_next = serializers.DictField(allow_null=True)


class ClockSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    elapsed = serializers.FloatField()
    total = serializers.IntegerField()
    hidden = serializers.IntegerField()
    activities = ClockRowSerializer(many=True)
    escalation = serializers.DictField(allow_null=True)


class IncidentViewSet(BaseApiViewSet):
    model = Incident
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    ordering_fields = ["detected_at", "status", "code", "id"]
    ordering = ["-detected_at", "-id"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("pack")
            .prefetch_related(
                "sites", "resources", "activities", "deadlines__report", "level_changes", "roles"
            )
        )

    def _done(self, incident, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=incident.pk)
        return Response(IncidentSerializer(fresh).data, status=code)

    def _runnable(self, request, pk, *, open_only=True) -> Incident:
        incident = access.get_object_for_user(request.user, Incident, pk)
        if not inc_access.may_run(request.user, incident):
            raise exceptions.PermissionDenied()
        if open_only and not incident.is_open:
            raise Conflict(_("A resolved or closed incident can no longer be changed."))
        return incident

    @extend_schema(request=IncidentInputSerializer, responses=IncidentSerializer)
    def create(self, request):
        if not inc_access.may_declare(request.user):
            raise exceptions.PermissionDenied()
        body = IncidentInputSerializer(data=request.data, context={"user": request.user})
        body.is_valid(raise_exception=True)
        incident = services.incident_declare(actor=request.user, **body.validated_data)
        return self._done(incident, status.HTTP_201_CREATED)

    @extend_schema(request=IncidentUpdateSerializer, responses=IncidentSerializer)
    def partial_update(self, request, pk=None):
        incident = self._runnable(request, pk)
        body = IncidentUpdateSerializer(data=request.data, context={"user": request.user})
        body.is_valid(raise_exception=True)
        services.incident_update(actor=request.user, incident=incident, **body.validated_data)
        return self._done(incident)

    @extend_schema(request=LevelInputSerializer, responses=IncidentSerializer)
    def set_level(self, request, pk=None):
        incident = self._runnable(request, pk)
        body = LevelInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.level_set(actor=request.user, incident=incident, **body.validated_data)
        return self._done(incident)

    @extend_schema(request=StatusInputSerializer, responses=IncidentSerializer)
    def set_status(self, request, pk=None):
        incident = self._runnable(request, pk, open_only=False)
        if incident.status == Status.CLOSED:
            raise Conflict(_("A resolved or closed incident can no longer be changed."))
        body = StatusInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.status_set(actor=request.user, incident=incident, **body.validated_data)
        return self._done(incident)

    @extend_schema(request=ReportInputSerializer, responses=ReportSerializer)
    def report(self, request, pk=None):
        incident = self._runnable(request, pk, open_only=False)
        if incident.status == Status.CLOSED:
            raise Conflict(_("The incident is closed: no report can be filed any more."))
        body = ReportInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        deadline = None
        if data.pop("deadline") is not None:
            deadline = incident.deadlines.filter(pk=body.validated_data["deadline"]).first()
            if deadline is None:
                raise serializers.ValidationError({"deadline": [_("Unknown or unreadable id.")]})
        report = services.report_file(
            actor=request.user, incident=incident, deadline=deadline, **data
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=JournalInputSerializer, responses=JournalSerializer)
    def journal(self, request, pk=None):
        incident = self._runnable(request, pk, open_only=False)
        body = JournalInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.journal_add(actor=request.user, incident=incident, **body.validated_data)
        return Response(JournalSerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RoleInputSerializer, responses=IncidentSerializer)
    def roles(self, request, pk=None):
        incident = self._runnable(request, pk, open_only=False)
        body = RoleInputSerializer(data=request.data, context={"user": request.user})
        body.is_valid(raise_exception=True)
        services.role_assign(actor=request.user, incident=incident, **body.validated_data)
        return self._done(incident)

    @extend_schema(request=ReviewInputSerializer, responses=IncidentSerializer)
    def review(self, request, pk=None):
        incident = self._runnable(request, pk, open_only=False)
        if incident.status != Status.RESOLVED:
            raise Conflict(_("Review the incident once it is resolved."))
        body = ReviewInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.review_save(actor=request.user, incident=incident, **body.validated_data)
        return self._done(incident)

    @extend_schema(request=None, responses=IncidentSerializer)
    def close(self, request, pk=None):
        incident = self._runnable(request, pk, open_only=False)
        if incident.status != Status.RESOLVED:
            raise Conflict(_("Only a resolved incident can be closed."))
        services.incident_close(actor=request.user, incident=incident)
        return self._done(incident)

    @extend_schema(responses=ClockSerializer)
    def clock(self, request, pk=None):
        incident = access.get_object_for_user(request.user, Incident, pk)
        state = clock(incident, request.user)
        _grade, esc = services.evaluate(incident)
        return Response(
            {
                "at": state.at,
                "elapsed": round(state.elapsed, 1),
                "total": state.total,
                "hidden": state.hidden,
                "activities": [row.as_json() for row in state.rows],
                "escalation": None
                if esc is None
                else {"level": esc.level, "at_minutes": esc.at_minutes, "criterion": esc.text},
            }
        )


class PackSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradingPack
        fields = ["id", "code", "version", "name", "name_en", "rules", "enabled", "created_at"]
        read_only_fields = fields


class PackViewSet(BaseApiViewSet):
    model = GradingPack
    serializer_class = PackSerializer
    filterset_class = None
    ordering_fields = ["code", "version"]
    ordering = ["code", "-version"]
    filter_backends = []

    def check_query_params(self, request) -> None:
        return None


# Alertmanager ------------------------------------------------------------------------------


# Alertmanager's states of an alert and of a group.
ALERT_STATUSES = (("firing", "firing"), ("resolved", "resolved"))


class AlertSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ALERT_STATUSES)
    labels = serializers.DictField(child=serializers.CharField(allow_blank=True))
    annotations = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, default=dict
    )
    startsAt = serializers.DateTimeField(required=False)  # noqa: N815  (Alertmanager's name)


class AlertmanagerSerializer(serializers.Serializer):
    """Alertmanager's webhook body (version 4); fields the service does not use are ignored, as
    Alertmanager adds fields between versions."""

    version = serializers.CharField(required=False)
    groupKey = serializers.CharField(max_length=300)  # noqa: N815
    status = serializers.ChoiceField(choices=ALERT_STATUSES)
    commonLabels = serializers.DictField(  # noqa: N815
        child=serializers.CharField(allow_blank=True), required=False, default=dict
    )
    commonAnnotations = serializers.DictField(  # noqa: N815
        child=serializers.CharField(allow_blank=True), required=False, default=dict
    )
    alerts = AlertSerializer(many=True, allow_empty=False)


def _codes(alerts, label) -> list[str]:
    found = []
    for alert in alerts:
        for code in (alert["labels"].get(label) or "").split(","):
            if code.strip() and code.strip() not in found:
                found.append(code.strip())
    return found


class AlertmanagerView(BaseApiViewSet):
    model = Incident
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet

    @extend_schema(request=AlertmanagerSerializer, responses=IncidentSerializer)
    def receive(self, request):
        """Open an incident for a firing alert group, or update the one it opened (its affected
        nodes, a journal entry); a resolved group is journaled, and people decide the status."""
        user = request.user
        if not inc_access.may_declare(user):
            raise exceptions.PermissionDenied()
        body = AlertmanagerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        alerts = data["alerts"]
        labels = data["commonLabels"]
        picked = {}
        unknown = []
        for name, model, label in (
            ("sites", Site, "resilia_site"),
            ("resources", Resource, "resilia_resource"),
            ("activities", Activity, "resilia_activity"),
        ):
            codes = _codes(alerts, label)
            rows = list(model.objects.for_user(user).filter(code__in=codes))
            unknown += sorted(set(codes) - {r.code for r in rows})
            picked[name] = rows
        if unknown:
            raise serializers.ValidationError(
                {"alerts": [_("Unknown codes: %(codes)s.") % {"codes": ", ".join(unknown)}]}
            )
        summary = (
            data["commonAnnotations"].get("summary")
            or labels.get("alertname")
            or alerts[0]["labels"].get("alertname")
            or _("Monitoring alert")
        )
        with transaction.atomic():
            incident = (
                Incident.objects.for_user(user)
                .select_for_update()
                .filter(external_key=data["groupKey"], status__in=services.OPEN)
                .first()
            )
            if incident is None:
                if data["status"] == "resolved":
                    return Response({"detail": _("No open incident for this alert.")})
                category = labels.get("resilia_category") or Category.IT
                if category not in Category.values:
                    raise serializers.ValidationError(
                        {"commonLabels": [_("Unknown category: %(c)s.") % {"c": category}]}
                    )
                pack = (
                    services.current_packs()
                    .filter(code=labels.get("resilia_pack") or "generic")
                    .first()
                )
                if pack is None:
                    raise serializers.ValidationError(
                        {"commonLabels": [_("There is no such grading pack.")]}
                    )
                starts = [a["startsAt"] for a in alerts if a.get("startsAt")]
                detected = min(starts) if starts else timezone.now()
                detected = min(detected, timezone.now())
                incident = services.incident_declare(
                    actor=user,
                    title=summary[:200],
                    category=category,
                    pack=pack,
                    detected_at=detected,
                    description=data["commonAnnotations"].get("description", ""),
                    **picked,
                )
                Incident.objects.filter(pk=incident.pk).update(external_key=data["groupKey"])
                return self._done(incident, status.HTTP_201_CREATED)
            if data["status"] == "firing":
                services.incident_update(
                    actor=user,
                    incident=incident,
                    sites=sorted({*incident.sites.all(), *picked["sites"]}, key=lambda o: o.pk),
                    resources=sorted(
                        {*incident.resources.all(), *picked["resources"]}, key=lambda o: o.pk
                    ),
                    activities=sorted(
                        {*incident.activities.all(), *picked["activities"]}, key=lambda o: o.pk
                    ),
                )
            text = (
                _("Alert still firing: %(summary)s") if data["status"] == "firing"
                else _("Alert resolved: %(summary)s")
            ) % {"summary": summary}  # fmt: skip
            services.journal_add(actor=user, incident=incident, kind=EntryKind.EVENT, text=text)
        return self._done(incident)

    def _done(self, incident, code=status.HTTP_200_OK):
        return Response(IncidentSerializer(Incident.objects.get(pk=incident.pk)).data, status=code)


# URL step → view method.
_STEPS = (
    ("level", "set_level"),
    ("status", "set_status"),
    ("reports", "report"),
    ("journal", "journal"),
    ("roles", "roles"),
    ("review", "review"),
    ("close", "close"),
)

urlpatterns = [
    path("incidents/", IncidentViewSet.as_view({"get": "list", "post": "create"}),
         name="incidents-incident-list"),
    path("incidents/packs/", PackViewSet.as_view({"get": "list"}), name="incidents-pack-list"),
    path("incidents/packs/<int:pk>/", PackViewSet.as_view({"get": "retrieve"}),
         name="incidents-pack-detail"),
    path("incidents/alertmanager/", AlertmanagerView.as_view({"post": "receive"}),
         name="incidents-alertmanager"),
    path("incidents/<int:pk>/",
         IncidentViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="incidents-incident-detail"),
    path("incidents/<int:pk>/clock/", IncidentViewSet.as_view({"get": "clock"}),
         name="incidents-incident-clock"),
    *[
        path(f"incidents/<int:pk>/{step}/", IncidentViewSet.as_view({"post": method}),
             name=f"incidents-incident-{step}")
        for step, method in _STEPS
    ],
]  # fmt: skip
