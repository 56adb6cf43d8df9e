"""API of the plans: `/api/plans/` (the plans, their readiness and versions),
`/api/plan-versions/` (structured content, scope, critical path, signatures, call tree) and
`/api/plan-templates/` (the seeded templates a plan starts from).

Reads go through the access choke point; writes through resilia.plans.services, whose
decisions (resilia.plans.access) answer 403 for a role that may not take a step; a step the
version's state does not allow, a wrong password, the same person signing twice, a cycle among
the steps or an unknown placeholder answer 400 naming the field. POST on a version:
`submit/`, `review/`, `approve/` (password, comment), `return/` (comment), `publish/`,
`retire/`, `acknowledge/`; on a plan: `new-version/` (change_note), `verify-contacts/`.
GET `/api/plan-versions/<id>/pack/`: the signed offline pack (zip) of an approved or
published version, recorded and audited as the version page's download is.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from resilia.api.serializers import ScopedPrimaryKeyRelatedField, StrictModelSerializer
from resilia.api.viewsets import BaseApiViewSet
from resilia.core import access
from resilia.core.filters import SearchFilterSet, readable
from resilia.dependencies.models import Activity, Resource
from resilia.org.models import Person, Site, Unit
from resilia.plans import blueprints, selectors, services
from resilia.plans.filters import PlanFilterSet
from resilia.plans.models import Plan, PlanVersion, Status
from resilia.plans.pack import PACKABLE, build_pack
from resilia.plans.readiness import readiness


class VersionFilterSet(SearchFilterSet):
    search_fields = ("plan__code", "plan__name", "change_note")
    plan = django_filters.ModelChoiceFilter(queryset=readable(Plan))
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = PlanVersion
        fields = ["q", "plan", "status"]


class PlanSerializer(StrictModelSerializer):
    """A plan; status follows its versions; readiness is explained line by line."""

    unit = ScopedPrimaryKeyRelatedField(Unit)
    activity = ScopedPrimaryKeyRelatedField(Activity, allow_null=True, required=False)
    resource = ScopedPrimaryKeyRelatedField(Resource, allow_null=True, required=False)
    owner = ScopedPrimaryKeyRelatedField(Person, allow_null=True, required=False)
    distribution = ScopedPrimaryKeyRelatedField(Person, many=True, required=False)
    blueprint = serializers.ChoiceField(
        choices=[b.code for b in blueprints.BLUEPRINTS], write_only=True, required=False
    )
    readiness = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id", "code", "name", "name_en", "kind", "unit", "scenario", "activity", "resource",
            "owner", "review_months", "next_review", "contacts_verified_at", "distribution",
            "status", "blueprint", "readiness",
        ]  # fmt: skip
        read_only_fields = ["scenario", "contacts_verified_at", "status"]

    def get_readiness(self, plan) -> dict:
        if not self.context.get("detail"):
            return None
        r = readiness(plan)
        return {"score": r.score, "lines": [vars(line) for line in r.lines]}


class VersionSerializer(StrictModelSerializer):
    """A plan version: content (content.py), scope, stored critical path, signatures."""

    activities = ScopedPrimaryKeyRelatedField(Activity, many=True, required=False)
    resources = ScopedPrimaryKeyRelatedField(Resource, many=True, required=False)
    sites = ScopedPrimaryKeyRelatedField(Site, many=True, required=False)
    alternate_site = ScopedPrimaryKeyRelatedField(Site, allow_null=True, required=False)
    signatures = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = [
            "id", "plan", "number", "status", "change_note", "content", "activities",
            "resources", "sites", "alternate_site", "schedule", "content_sha256", "signatures",
            "created_at", "published_at",
        ]  # fmt: skip
        read_only_fields = ["plan", "number", "status", "content_sha256", "published_at"]

    def get_signatures(self, v) -> list[dict]:
        return [
            {"role": s.role, "name": s.name, "sha256": s.sha256, "signed_at": s.signed_at}
            for s in v.signatures.all()
        ]


class PlanSignSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True)
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class PlanCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True)


class PlanNoteSerializer(serializers.Serializer):
    change_note = serializers.CharField()


class PlanViewSet(BaseApiViewSet):
    model = Plan
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    ordering_fields = ["code", "status", "next_review", "id"]
    ordering = ["code"]
    services = services

    def get_queryset(self):
        return super().get_queryset().select_related("unit").prefetch_related("distribution")

    def retrieve(self, request, pk=None):
        plan = self.get_object()
        return Response(PlanSerializer(plan, context={"detail": True, "request": request}).data)

    def create(self, request):
        access.require_kind(request.user, Plan, write=True)
        body = PlanSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data.pop("distribution", None)
        with transaction.atomic():
            plan = services.plan_create(actor=request.user, language=request.LANGUAGE_CODE, **data)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        plan = access.get_object_for_user(request.user, Plan, pk, write=True)
        body = PlanSerializer(plan, data=request.data, partial=True, context={"request": request})
        body.is_valid(raise_exception=True)
        allowed = {"name", "name_en", "owner", "review_months", "next_review", "distribution"}
        data = {k: v for k, v in body.validated_data.items() if k in allowed}
        if set(body.validated_data) - allowed:
            raise serializers.ValidationError(
                {k: [_("This field cannot change.")] for k in set(body.validated_data) - allowed}
            )
        with transaction.atomic():
            services.plan_update(actor=request.user, plan=plan, **data)
        return self.retrieve(request, pk)

    @extend_schema(request=PlanNoteSerializer, responses={201: VersionSerializer})
    def new_version(self, request, pk=None):
        plan = access.get_object_for_user(request.user, Plan, pk, write=True)
        body = PlanNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            v = services.version_new(actor=request.user, plan=plan, **body.validated_data)
        return Response(VersionSerializer(v).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PlanSerializer)
    def verify_contacts(self, request, pk=None):
        plan = access.get_object_for_user(request.user, Plan, pk, write=True)
        services.plan_contacts_verify(actor=request.user, plan=plan)
        return self.retrieve(request, pk)


class VersionViewSet(BaseApiViewSet):
    model = PlanVersion
    serializer_class = VersionSerializer
    filterset_class = VersionFilterSet
    ordering_fields = ["number", "id"]
    ordering = ["plan", "-number"]
    services = services

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related("activities", "resources", "sites", "signatures")
        )

    def _version(self, pk) -> PlanVersion:
        v = access.get_object_for_user(self.request.user, PlanVersion, pk)
        return PlanVersion.objects.select_related("plan__unit").get(pk=v.pk)

    def _done(self, v):
        return Response(VersionSerializer(PlanVersion.objects.get(pk=v.pk)).data)

    def partial_update(self, request, pk=None):
        v = self._version(pk)
        if not access.can_write(request.user, v.plan):
            raise PermissionDenied
        body = VersionSerializer(v, data=request.data, partial=True, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        for name in ("activities", "resources", "sites"):
            if name in data:
                data[name] = list(data[name])
        with transaction.atomic():
            services.version_update(actor=request.user, version=v, **data)
        return self._done(v)

    def _sign(self, request, pk, service):
        v = self._version(pk)
        body = PlanSignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        kwargs = dict(body.validated_data)
        if service is services.version_submit:
            kwargs.pop("comment")
        with transaction.atomic():
            service(actor=request.user, version=v, **kwargs)
        return self._done(v)

    @extend_schema(request=PlanSignSerializer, responses=VersionSerializer)
    def submit(self, request, pk=None):
        return self._sign(request, pk, services.version_submit)

    @extend_schema(request=PlanSignSerializer, responses=VersionSerializer)
    def review(self, request, pk=None):
        return self._sign(request, pk, services.version_review)

    @extend_schema(request=PlanSignSerializer, responses=VersionSerializer)
    def approve(self, request, pk=None):
        return self._sign(request, pk, services.version_approve)

    @extend_schema(request=PlanCommentSerializer, responses=VersionSerializer)
    def send_back(self, request, pk=None):
        v = self._version(pk)
        body = PlanCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            services.version_return(actor=request.user, version=v, **body.validated_data)
        return self._done(v)

    def _step(self, request, pk, service):
        v = self._version(pk)
        with transaction.atomic():
            service(actor=request.user, version=v)
        return self._done(v)

    @extend_schema(request=None, responses=VersionSerializer)
    def publish(self, request, pk=None):
        return self._step(request, pk, services.version_publish)

    @extend_schema(request=None, responses=VersionSerializer)
    def retire(self, request, pk=None):
        return self._step(request, pk, services.version_retire)

    @extend_schema(request=None, responses=VersionSerializer)
    def acknowledge(self, request, pk=None):
        return self._step(request, pk, services.version_acknowledge)

    @extend_schema(request=None, responses=dict)
    def contacts(self, request, pk=None):
        v = self._version(pk)
        tree = selectors.call_tree(user=request.user, plan_version=v)
        return Response(
            {
                "call_tree": [
                    {**role, "contacts": [vars(c) for c in role["contacts"]]} for role in tree
                ]
            }
        )

    @extend_schema(
        request=None,
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        description="The signed offline pack (a zip, see docs/plans.md) of an approved or"
        " published version, in the reader's language; each download is recorded.",
    )
    def pack(self, request, pk=None):
        v = self._version(pk)
        if v.status not in PACKABLE:
            raise serializers.ValidationError(
                {"status": [_("Only an approved or published version has an offline pack.")]}
            )
        built = build_pack(v, user=request.user)
        services.pack_issue(actor=request.user, version=v, manifest_sha256=built.manifest_sha256)
        response = HttpResponse(built.content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
        return response


class TemplateViewSet(BaseApiViewSet):
    """The seeded templates (read only, the same for everyone who may read plans)."""

    model = Plan

    @extend_schema(responses=dict)
    def list(self, request):
        access.require_kind(request.user, Plan)
        return Response(
            [
                {"code": b.code, "kind": b.kind, "name": blueprints.pick(b.name)}
                for b in blueprints.BLUEPRINTS
            ]
        )


def _post(viewset, method, route, name):
    return path(route, viewset.as_view({"post": method}), name=name)


urlpatterns = [
    path("plans/", PlanViewSet.as_view({"get": "list", "post": "create"}), name="plan-list"),
    path(
        "plans/<int:pk>/",
        PlanViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="plan-detail",
    ),
    _post(PlanViewSet, "new_version", "plans/<int:pk>/new-version/", "plan-new-version"),
    _post(PlanViewSet, "verify_contacts", "plans/<int:pk>/verify-contacts/", "plan-verify"),
    path("plan-templates/", TemplateViewSet.as_view({"get": "list"}), name="plan-template-list"),
    path("plan-versions/", VersionViewSet.as_view({"get": "list"}), name="plan-version-list"),
    path(
        "plan-versions/<int:pk>/",
        VersionViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="plan-version-detail",
    ),
    path(
        "plan-versions/<int:pk>/contacts/",
        VersionViewSet.as_view({"get": "contacts"}),
        name="plan-version-contacts",
    ),
    path(
        "plan-versions/<int:pk>/pack/",
        VersionViewSet.as_view({"get": "pack"}),
        name="plan-version-pack",
    ),
    *[
        _post(VersionViewSet, method, f"plan-versions/<int:pk>/{step}/", f"plan-version-{step}")
        for step, method in (
            ("submit", "submit"),
            ("review", "review"),
            ("approve", "approve"),
            ("return", "send_back"),
            ("publish", "publish"),
            ("retire", "retire"),
            ("acknowledge", "acknowledge"),
        )
    ],
]
