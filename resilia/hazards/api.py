"""API of hazard inspection: `/api/hazards/templates/`, `/api/hazards/rounds/`,
`/api/hazards/answers/`, `/api/hazards/hazards/` and the steps of a hazard's loop.

Reads through the access choke point (resilia.hazards.access) with the registers' filter
sets; writes through resilia.hazards.services, with the same decisions as the pages:
POST `rounds/<id>/answers/` ({"answers": [{"item", "result", "remark"}]}; an item not on
the round is a 400 and nothing is saved), `rounds/<id>/complete/`, POST `hazards/` on a
round, `hazards/<id>/rectification/` (the five items), `fixed/`, `verify/` and `promote/`
(a risk of the register made from the hazard: threat, likelihood, impact, owner), and
`hazards/<id>/photos/` (more photos on an open hazard); `rounds/<id>/cancel/` and
`hazards/<id>/withdraw/` ({"reason": "..."}) and DELETE `rounds/<id>/` (nothing recorded on
it). Photos travel either in JSON as base64
(`{"name": "x.jpg", "content": "..."}`) or, from a phone or a form, as multipart/form-data
with one `photos` part per file (the recording, the fix, the verification and `photos/`);
either way they are checked (JPEG or PNG, the evidence size limit) and cleaned like uploads,
and a bad one is a 400 with a translated message, nothing saved.
A role that may not take a step answers 403; a step the record's state does not allow, 409.
"""

from __future__ import annotations

import base64
import binascii

import django_filters
from django.core.files.base import ContentFile
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from resilia.api.serializers import StrictSerializer
from resilia.api.viewsets import BaseApiViewSet
from resilia.core import access
from resilia.core.filters import SearchFilterSet
from resilia.evidence.models import Attachment
from resilia.hazards import access as hz_access
from resilia.hazards import services
from resilia.hazards.filters import HazardFilterSet, RoundFilterSet, TemplateFilterSet
from resilia.hazards.models import (
    ChecklistTemplate,
    Hazard,
    InspectionRound,
    Rectification,
    Result,
    RoundItem,
)
from resilia.org.models import Person, Site
from resilia.risk.models import Threat


class Conflict(exceptions.APIException):
    """The record's state does not allow this step (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PhotoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    content = serializers.CharField(help_text="base64")

    def validate(self, attrs):
        try:
            data = base64.b64decode(attrs["content"], validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError({"content": [_("Not valid base64.")]}) from None
        return ContentFile(data, name=attrs["name"])


@extend_schema_field(OpenApiTypes.BINARY)
class PhotoFileField(serializers.FileField):
    """One uploaded photo (a binary part of a multipart/form-data body)."""


class PhotoFilesField(serializers.ListField):
    """Photos as multipart/form-data: one `photos` part per file (checked by the services)."""

    child = PhotoFileField(allow_empty_file=False, use_url=False)

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", list)
        kwargs.setdefault("help_text", "JPEG or PNG photos, one part per file.")
        super().__init__(**kwargs)


def _multipart(request) -> bool:
    return (request.content_type or "").startswith("multipart/form-data")


def _input(request, json_serializer, upload_serializer, **kwargs):
    """The request body, validated by the serializer of its content type."""
    serializer = upload_serializer if _multipart(request) else json_serializer
    body = serializer(data=request.data, **kwargs)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class AttachmentSerializer(serializers.ModelSerializer):
    """A stored photo: its id (served at /hazards/photo/<id>/), name, size and digest."""

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "mime_type", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistTemplate.items.rel.related_model
        fields = ["position", "text", "text_en"]


class TemplateSerializer(serializers.ModelSerializer):
    """A checklist template with its checks, in both languages."""

    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "code", "name", "name_en", "kind", "version", "description",
                  "is_active", "items"]  # fmt: skip
        read_only_fields = fields


class TemplateInputSerializer(StrictSerializer):
    code = serializers.CharField(max_length=50, required=False)
    name = serializers.CharField(max_length=200, required=False)
    name_en = serializers.CharField(max_length=200, allow_blank=True, required=False)
    kind = serializers.CharField(max_length=20, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    is_active = serializers.BooleanField(required=False)
    items = ItemSerializer(many=True, required=False)

    def validate(self, attrs):
        if "items" in attrs:
            attrs["items"] = [(i["text"], i.get("text_en", "")) for i in attrs["items"]]
        return attrs


class TemplateViewSet(BaseApiViewSet):
    model = ChecklistTemplate
    serializer_class = TemplateSerializer
    filterset_class = TemplateFilterSet
    ordering_fields = ["code", "kind", "id"]
    ordering = ["code"]
    services = services

    def get_queryset(self):
        return super().get_queryset().prefetch_related("items")

    @extend_schema(request=TemplateInputSerializer, responses=TemplateSerializer)
    def create(self, request):
        if not access.can_create(request.user, ChecklistTemplate):
            raise exceptions.PermissionDenied()
        body = TemplateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        template = services.template_save(actor=request.user, **body.validated_data)
        return Response(TemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TemplateInputSerializer, responses=TemplateSerializer)
    def partial_update(self, request, pk=None):
        template = access.get_object_for_user(request.user, ChecklistTemplate, pk, write=True)
        body = TemplateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.template_save(actor=request.user, template=template, **body.validated_data)
        template.refresh_from_db()
        return Response(TemplateSerializer(template).data)


class AnswerSerializer(serializers.ModelSerializer):
    """One check of a round and its answer."""

    class Meta:
        model = RoundItem
        fields = ["id", "round", "position", "text", "text_en", "result", "remark", "answered_at"]
        read_only_fields = fields


class RoundSerializer(serializers.ModelSerializer):
    items = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = InspectionRound
        fields = ["id", "template", "template_version", "site", "resource", "schedule",
                  "inspector", "due_date", "status", "started_at", "completed_at", "notes",
                  "items"]  # fmt: skip
        read_only_fields = fields


class RoundInputSerializer(StrictSerializer):
    template = serializers.PrimaryKeyRelatedField(queryset=ChecklistTemplate.objects.all())
    site = serializers.IntegerField()
    inspector = serializers.IntegerField()
    due_date = serializers.DateField()
    notes = serializers.CharField(allow_blank=True, required=False, default="")

    def validate(self, attrs):
        user = self.context["user"]
        site = Site.objects.for_user(user).filter(pk=attrs["site"]).first()
        if site is None:
            raise serializers.ValidationError({"site": [_("Unknown or unreadable id.")]})
        if not hz_access.may_plan(user, site):
            raise exceptions.PermissionDenied()
        inspector = hz_access.inspectors_for(user).filter(pk=attrs["inspector"]).first()
        if inspector is None:
            raise serializers.ValidationError({"inspector": [_("Unknown or unreadable id.")]})
        return {**attrs, "site": site, "inspector": inspector}


class AnswerInput(serializers.Serializer):
    item = serializers.IntegerField()
    result = serializers.ChoiceField(choices=[c for c, _l in Result.choices if c != "pending"])
    remark = serializers.CharField(allow_blank=True, required=False, default="", max_length=500)


class AnswersInputSerializer(serializers.Serializer):
    answers = AnswerInput(many=True, allow_empty=False)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class RoundViewSet(BaseApiViewSet):
    model = InspectionRound
    serializer_class = RoundSerializer
    filterset_class = RoundFilterSet
    ordering_fields = ["due_date", "status", "id"]
    ordering = ["-due_date", "-id"]
    services = services

    def get_queryset(self):
        return super().get_queryset().prefetch_related("items")

    def _fillable(self, request, pk) -> InspectionRound:
        round_ = access.get_object_for_user(request.user, InspectionRound, pk)
        if not access.can_write(request.user, round_):
            raise exceptions.PermissionDenied()
        if not round_.editable:
            raise Conflict(_("This round is completed: its checklist cannot change."))
        return round_

    def _done(self, round_):
        return Response(RoundSerializer(InspectionRound.objects.get(pk=round_.pk)).data)

    @extend_schema(request=RoundInputSerializer, responses=RoundSerializer)
    def create(self, request):
        if not hz_access.may_plan(request.user, None):
            raise exceptions.PermissionDenied()
        body = RoundInputSerializer(data=request.data, context={"user": request.user})
        body.is_valid(raise_exception=True)
        round_ = services.round_create(actor=request.user, **body.validated_data)
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswersInputSerializer, responses=RoundSerializer)
    def answer(self, request, pk=None):
        round_ = self._fillable(request, pk)
        body = AnswersInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answers = {a["item"]: (a["result"], a["remark"]) for a in body.validated_data["answers"]}
        services.round_answer(actor=request.user, round=round_, answers=answers)
        return self._done(round_)

    @extend_schema(request=None, responses=RoundSerializer)
    def complete(self, request, pk=None):
        round_ = self._fillable(request, pk)
        services.round_complete(actor=request.user, round=round_)
        return self._done(round_)

    def _plannable(self, request, pk) -> InspectionRound:
        round_ = access.get_object_for_user(request.user, InspectionRound, pk)
        if not round_.editable:
            raise Conflict(_("This round is completed: its checklist cannot change."))
        if not hz_access.may_cancel(request.user, round_):
            raise exceptions.PermissionDenied()
        return round_

    @extend_schema(request=ReasonInputSerializer, responses=RoundSerializer)
    def cancel(self, request, pk=None):
        """Cancel the round with a reason (required); no longer due nor overdue."""
        round_ = self._plannable(request, pk)
        body = ReasonInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.round_cancel(actor=request.user, round=round_, **body.validated_data)
        return self._done(round_)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        """Delete a round with nothing recorded on it (else 400: cancel it instead)."""
        round_ = self._plannable(request, pk)
        services.round_delete(actor=request.user, round=round_)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnswerFilterSet(SearchFilterSet):
    search_fields = ("text", "text_en", "remark")
    round = django_filters.NumberFilter(field_name="round_id", label=_("Round"))
    result = django_filters.ChoiceFilter(choices=Result.choices, label=_("Result"))

    class Meta:
        model = RoundItem
        fields = ["q", "round", "result"]


class AnswerViewSet(BaseApiViewSet):
    model = RoundItem
    serializer_class = AnswerSerializer
    filterset_class = AnswerFilterSet
    ordering_fields = ["position", "id"]
    ordering = ["round", "position"]


class RectificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rectification
        fields = [
            "responsible",
            "measures",
            "funding_amount",
            "funding_source",
            "deadline",
            "contingency",
            "issued_by",
            "issued_at",
            "completion_note",
            "completed_at",
        ]
        read_only_fields = fields  # fmt: skip


class HazardSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    rectification = RectificationSerializer(read_only=True)
    verifications = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = ["id", "number", "round", "item", "site", "resource", "grade", "title",
                  "description", "location", "found_by", "found_at", "status", "closed_at",
                  "rectification", "verifications"]  # fmt: skip
        read_only_fields = fields

    def get_verifications(self, obj) -> list[dict]:
        return [
            {"verifier": v.verifier_id, "passed": v.passed, "note": v.note,
             "verified_at": v.verified_at.isoformat()}
            for v in obj.verifications.all()
        ]  # fmt: skip


class HazardInputSerializer(StrictSerializer):
    round = serializers.IntegerField()
    item = serializers.IntegerField(required=False, allow_null=True)
    grade = serializers.ChoiceField(choices=Hazard._meta.get_field("grade").choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    location = serializers.CharField(max_length=200)
    photos = PhotoSerializer(many=True, required=False, default=list)


class HazardUploadSerializer(HazardInputSerializer):
    """POST hazards/ as multipart/form-data."""

    photos = PhotoFilesField()


class OrderInputSerializer(StrictSerializer):
    responsible = serializers.IntegerField(required=False, allow_null=True)
    measures = serializers.CharField(allow_blank=True, required=False, default="")
    funding_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    funding_source = serializers.CharField(allow_blank=True, required=False, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    contingency = serializers.CharField(allow_blank=True, required=False, default="")

    def validate(self, attrs):
        pid = attrs.pop("responsible", None)
        person = None
        if pid is not None:
            person = Person.objects.for_user(self.context["user"]).filter(pk=pid).first()
            if person is None:
                raise serializers.ValidationError({"responsible": [_("Unknown or unreadable id.")]})
        return {**attrs, "responsible": person}


class FixInputSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)
    photos = PhotoSerializer(many=True, required=False, default=list)


class FixUploadSerializer(FixInputSerializer):
    photos = PhotoFilesField()


class VerifyInputSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)
    photos = PhotoSerializer(many=True, required=False, default=list)


class VerifyUploadSerializer(VerifyInputSerializer):
    photos = PhotoFilesField()


class PhotosInputSerializer(serializers.Serializer):
    photos = PhotoSerializer(many=True, allow_empty=False)


class PhotosUploadSerializer(serializers.Serializer):
    photos = PhotoFilesField(required=True, allow_empty=False, default=serializers.empty)


class RiskCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    band = serializers.CharField()
    score = serializers.IntegerField()


class PromoteInputSerializer(StrictSerializer):
    threat = serializers.IntegerField(required=False, allow_null=True)
    likelihood = serializers.IntegerField(min_value=1)
    impact = serializers.IntegerField(min_value=1)
    owner = serializers.IntegerField(required=False, allow_null=True)

    def validate(self, attrs):
        user = self.context["user"]
        for name, model in (("threat", Threat), ("owner", Person)):
            pk = attrs.pop(name, None)
            obj = model.objects.for_user(user).filter(pk=pk).first() if pk is not None else None
            if pk is not None and obj is None:
                raise serializers.ValidationError({name: [_("Unknown or unreadable id.")]})
            attrs[name] = obj
        return attrs


def _bodies(json_serializer, upload_serializer) -> dict:
    return {"application/json": json_serializer, "multipart/form-data": upload_serializer}


class HazardViewSet(BaseApiViewSet):
    model = Hazard
    serializer_class = HazardSerializer
    # Photos may come as multipart/form-data (a phone's camera); everything else is JSON.
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = HazardFilterSet
    ordering_fields = ["found_at", "grade", "status", "id"]
    ordering = ["-found_at", "-id"]
    services = services

    def get_queryset(self):
        return (
            super().get_queryset().select_related("rectification")
            .prefetch_related("verifications")
        )  # fmt: skip

    def _done(self, hazard, code=status.HTTP_200_OK):
        hazard = self.get_queryset().get(pk=hazard.pk)
        return Response(HazardSerializer(hazard).data, status=code)

    @extend_schema(
        request=_bodies(HazardInputSerializer, HazardUploadSerializer), responses=HazardSerializer
    )
    def create(self, request):
        data = _input(request, HazardInputSerializer, HazardUploadSerializer)
        round_ = access.get_object_for_user(request.user, InspectionRound, data.pop("round"))
        if not access.can_write(request.user, round_):
            raise exceptions.PermissionDenied()
        item_id = data.pop("item", None)
        item = RoundItem.objects.filter(pk=item_id).first() if item_id else None
        if item_id and item is None:
            raise exceptions.ValidationError(
                {"item": [_("This check is not on this round's checklist.")]}
            )  # noqa: E501
        hazard = services.hazard_report(actor=request.user, round=round_, item=item, **data)
        return self._done(hazard, status.HTTP_201_CREATED)

    def _step(self, request, pk, *, may, state, serializer, run, upload=None):
        hazard = access.get_object_for_user(request.user, Hazard, pk)
        if hazard.status not in state:
            raise Conflict(
                _("This hazard is %(status)s: this step does not apply to it.")
                % {"status": hazard.get_status_display()}
            )
        if not may(request.user, hazard):
            raise exceptions.PermissionDenied()
        data = _input(request, serializer, upload or serializer, context={"user": request.user})
        run(actor=request.user, hazard=hazard, **data)
        return self._done(hazard)

    @extend_schema(request=OrderInputSerializer, responses=HazardSerializer)
    def rectification(self, request, pk=None):
        return self._step(
            request,
            pk,
            may=hz_access.may_issue,
            state=("open", "rectifying"),
            serializer=OrderInputSerializer,
            run=services.rectification_issue,
        )

    @extend_schema(request=_bodies(FixInputSerializer, FixUploadSerializer),
                   responses=HazardSerializer)  # fmt: skip
    def fixed(self, request, pk=None):
        return self._step(
            request,
            pk,
            may=hz_access.may_report_fix,
            state=("rectifying",),
            serializer=FixInputSerializer,
            upload=FixUploadSerializer,
            run=services.rectification_report,
        )

    @extend_schema(request=_bodies(VerifyInputSerializer, VerifyUploadSerializer),
                   responses=HazardSerializer)  # fmt: skip
    def verify(self, request, pk=None):
        return self._step(
            request,
            pk,
            may=hz_access.may_verify,
            state=("verifying",),
            serializer=VerifyInputSerializer,
            upload=VerifyUploadSerializer,
            run=services.hazard_verify,
        )

    @extend_schema(request=ReasonInputSerializer, responses=HazardSerializer)
    def withdraw(self, request, pk=None):
        """Withdraw a hazard recorded by mistake, with a reason; once its rectification has
        started, 409."""
        hazard = access.get_object_for_user(request.user, Hazard, pk)
        if hazard.status != "open":
            raise Conflict(
                _("The rectification of this hazard has started: it can no longer be withdrawn. "
                  "Verify and close the fix instead.")
                if hazard.is_open else
                _("This hazard is %(status)s: this step does not apply to it.")
                % {"status": hazard.get_status_display()}
            )  # fmt: skip
        if not hz_access.may_withdraw(request.user, hazard):
            raise exceptions.PermissionDenied()
        body = ReasonInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.hazard_withdraw(actor=request.user, hazard=hazard, **body.validated_data)
        return self._done(hazard)

    @extend_schema(
        request=_bodies(PhotosInputSerializer, PhotosUploadSerializer),
        responses={201: AttachmentSerializer(many=True)},
    )
    def photos(self, request, pk=None):
        """Add photos to an open hazard (201, the stored photos); a closed or withdrawn one
        is a 409; a user who may not write the hazard, 403."""
        hazard = access.get_object_for_user(request.user, Hazard, pk)
        if not hazard.is_open:
            raise Conflict(
                _("This hazard is %(status)s: this step does not apply to it.")
                % {"status": hazard.get_status_display()}
            )
        if not access.can_write(request.user, hazard):
            raise exceptions.PermissionDenied()
        data = _input(request, PhotosInputSerializer, PhotosUploadSerializer)
        stored = services.photo_add(actor=request.user, target=hazard, photos=data["photos"])
        return Response(
            AttachmentSerializer(stored, many=True).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=PromoteInputSerializer, responses=RiskCreatedSerializer)
    def promote(self, request, pk=None):
        """Promote the hazard to a risk of the register (201, the new risk's id and code);
        already promoted, 409; no right to create a risk in its unit, 403."""
        hazard = access.get_object_for_user(request.user, Hazard, pk)
        if hazard.promoted_risk_id is not None:
            raise Conflict(_("This hazard was already promoted to a risk."))
        if not services.may_promote(request.user, hazard):
            raise exceptions.PermissionDenied()
        body = PromoteInputSerializer(data=request.data, context={"user": request.user})
        body.is_valid(raise_exception=True)
        risk = services.hazard_promote(actor=request.user, hazard=hazard, **body.validated_data)
        return Response(RiskCreatedSerializer(risk).data, status=status.HTTP_201_CREATED)


def _routes(prefix, viewset, name, list_actions, detail_actions, steps=()):
    return [
        path(f"hazards/{prefix}/", viewset.as_view(list_actions), name=f"{name}-list"),
        path(f"hazards/{prefix}/<int:pk>/", viewset.as_view(detail_actions), name=f"{name}-detail"),
        *[
            path(f"hazards/{prefix}/<int:pk>/{step}/", viewset.as_view({"post": method}),
                 name=f"{name}-{step}")
            for step, method in steps
        ],
    ]  # fmt: skip


urlpatterns = [
    *_routes("templates", TemplateViewSet, "hazards-template",
             {"get": "list", "post": "create"}, {"get": "retrieve", "patch": "partial_update"}),
    *_routes("rounds", RoundViewSet, "hazards-round", {"get": "list", "post": "create"},
             {"get": "retrieve", "delete": "destroy"},
             (("answers", "answer"), ("complete", "complete"), ("cancel", "cancel"))),
    *_routes("answers", AnswerViewSet, "hazards-answer", {"get": "list"}, {"get": "retrieve"}),
    *_routes("hazards", HazardViewSet, "hazards-hazard", {"get": "list", "post": "create"},
             {"get": "retrieve"}, (("rectification", "rectification"), ("fixed", "fixed"),
                                   ("verify", "verify"), ("promote", "promote"),
                                   ("photos", "photos"), ("withdraw", "withdraw"))),
]  # fmt: skip
