"""API of the analysis: `/api/analysis/whatif/` (POST), `/api/analysis/order/`, `.../gaps/`,
`.../spof/` (GET). The JSON shapes are those of `resilia analyze ... --json`
(docs/analysis.md); access as on the pages (resilia.analysis.scope): the whole model for
admin, BCM manager, auditor and executive, nodes in scope for coordinators and contributors.
"""

from __future__ import annotations

from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from resilia.analysis.reports import GapsReport, OrderReport, SpofReport
from resilia.analysis.results import Analysis
from resilia.analysis.scope import can_analyse
from resilia.analysis.whatif import (
    FailureError,
    TimeWindowError,
    WhatIfReport,
    check_t0,
    parse_failures,
)
from resilia.api.schema import ERROR
from resilia.api.serializers import StrictSerializer
from resilia.api.viewsets import BaseApiViewSet


class CanAnalyse(BasePermission):
    """Every role but none: the analysis pages are reports, executives included."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and can_analyse(user))


def _node():
    return serializers.DictField(
        allow_null=True, help_text="{key, kind, code, name}; all null outside your scope."
    )


_MIN = {"allow_null": True, "help_text": "minutes; null: never / unknown / none"}


class CauseLinkSerializer(serializers.Serializer):
    """One link of a cause chain, from the failed node outwards."""

    dependent = serializers.DictField(allow_null=True)
    dependency = serializers.DictField(allow_null=True)
    group = serializers.CharField(allow_null=True, help_text="OR redundancy group, null: AND")
    tolerance = serializers.FloatField(help_text="minutes")


def _team():
    return inline_serializer(
        "OwningTeam", {"code": serializers.CharField(), "name": serializers.CharField()}
    )


def _impact():
    return {
        "key": serializers.CharField(),
        "kind": serializers.CharField(),
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "failed": serializers.BooleanField(),
        "stop_at": serializers.FloatField(**_MIN),
        "back_at": serializers.FloatField(**_MIN),
        "rto_breach_at": serializers.FloatField(**_MIN),
        "mtpd_breach_at": serializers.FloatField(**_MIN),
        "stop_time": serializers.DateTimeField(allow_null=True),
        "back_time": serializers.DateTimeField(allow_null=True),
        "rto_breach_time": serializers.DateTimeField(allow_null=True),
        "mtpd_breach_time": serializers.DateTimeField(allow_null=True),
        "cause": serializers.ListField(child=CauseLinkSerializer()),
    }


WHATIF_RESULT = inline_serializer(
    "WhatIfResult",
    {
        "analysis": serializers.CharField(),
        "revision": serializers.IntegerField(),
        "at": serializers.DateTimeField(),
        "failed": serializers.ListField(child=serializers.CharField()),
        "activities": serializers.ListField(
            child=inline_serializer(
                "AffectedActivity",
                {
                    **_impact(),
                    "rto": serializers.FloatField(**_MIN),
                    "mtpd": serializers.FloatField(**_MIN),
                    "teams": serializers.ListField(child=_team()),
                },
            )
        ),
        "resources": serializers.ListField(child=inline_serializer("AffectedResource", _impact())),
        "hidden": serializers.IntegerField(),
    },
)


def _node_fields():
    return {
        "key": serializers.CharField(allow_null=True),
        "kind": serializers.CharField(allow_null=True),
        "code": serializers.CharField(allow_null=True),
        "name": serializers.CharField(allow_null=True),
    }


ORDER_RESULT = inline_serializer(
    "RecoveryOrderResult",
    {
        "analysis": serializers.CharField(),
        "revision": serializers.IntegerField(),
        "order": serializers.ListField(
            child=inline_serializer(
                "RecoveryStep",
                {
                    "rank": serializers.IntegerField(),
                    **_node_fields(),
                    "required_rto": serializers.FloatField(**_MIN),
                    "required_rpo": serializers.FloatField(**_MIN),
                    "rto_by": _node(),
                    "rpo_by": _node(),
                    "mtpd": serializers.FloatField(**_MIN),
                },
            )
        ),
        "cycles": serializers.ListField(
            child=inline_serializer(
                "DependencyCycle",
                {
                    "members": serializers.ListField(child=_node()),
                    "blocked": serializers.ListField(child=_node()),
                },
            )
        ),
        "blocked": serializers.ListField(child=_node()),
        "hidden": serializers.IntegerField(),
    },
)
GAPS_RESULT = inline_serializer(
    "GapsResult",
    {
        "analysis": serializers.CharField(),
        "revision": serializers.IntegerField(),
        "resources": serializers.ListField(
            child=inline_serializer(
                "ResourceGap",
                {
                    **_node_fields(),
                    "measure": serializers.ChoiceField(["recovery_time", "recovery_point"]),
                    "capability": serializers.FloatField(**_MIN),
                    "objective": serializers.FloatField(),
                    "activity": _node(),
                },
            )
        ),
        "activities": serializers.ListField(
            child=inline_serializer(
                "ActivityGap",
                {
                    **_node_fields(),
                    "rto": serializers.FloatField(),
                    "bound": serializers.FloatField(),
                    "limited_by": _node(),
                    "untested": serializers.BooleanField(
                        help_text="True: the RTO cannot be shown to be met because `limited_by`,"
                        " which the activity needs, was never tested (no recovery time)."
                    ),
                },
            )
        ),
        "hidden": serializers.IntegerField(),
    },
)


class SinglePointOfFailureSerializer(serializers.Serializer):
    """One single point of failure, ranked."""

    rank = serializers.IntegerField()
    key = serializers.CharField(allow_null=True)
    kind = serializers.CharField(allow_null=True)
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    breaks = serializers.IntegerField()
    strictest_rto = serializers.FloatField(**_MIN)
    key_person = serializers.BooleanField()


SPOF_RESULT = inline_serializer(
    "SpofResult",
    {
        "analysis": serializers.CharField(),
        "revision": serializers.IntegerField(),
        "spofs": serializers.ListField(child=SinglePointOfFailureSerializer()),
        "key_persons": serializers.ListField(child=SinglePointOfFailureSerializer()),
        "hidden": serializers.IntegerField(),
    },
)


class WhatIfRequest(StrictSerializer):
    """`fail`: nodes as KIND:KEY (activity, resource, site, supplier); `at`: T0, default now."""

    fail = serializers.ListField(
        child=serializers.CharField(
            help_text=(
                "A failed node as KIND:KEY: activity:<code>, resource:<code>, site:<code> "
                "(everything located there) or supplier:<code>; only nodes you may read."
            )
        ),
        allow_empty=False,
        min_length=1,  # says so in the schema too (minItems)
        help_text="The nodes that fail at T0, at least one.",
    )
    at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="T0, an ISO 8601 date-time with offset; default (or null): now.",
    )

    def validate_at(self, value):
        try:
            return check_t0(value)
        except TimeWindowError as exc:
            raise ValidationError(str(exc)) from None


class AnalysisView(GenericAPIView):
    """Shared set-up: JSON only, token then session auth, the analysis access rule."""

    authentication_classes = BaseApiViewSet.authentication_classes
    renderer_classes = BaseApiViewSet.renderer_classes
    parser_classes = BaseApiViewSet.parser_classes
    permission_classes = [CanAnalyse]
    pagination_class = None
    filter_backends = []

    def perform_authentication(self, request):
        super().perform_authentication(request)
        # Token clients have no session: apply the profile language, as the registers do.
        language = getattr(request.user, "language", "")
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language

    def check_no_params(self, request) -> None:
        if request.query_params:
            message = _("This endpoint takes no query parameters.")
            raise ValidationError({name: [message] for name in sorted(request.query_params)})


class WhatIfView(AnalysisView):
    serializer_class = WhatIfRequest

    @extend_schema(
        summary="What-if: what stops, when, and which objectives it breaches",
        request=WhatIfRequest,
        responses={
            200: WHATIF_RESULT,
            400: OpenApiResponse(
                ERROR, description="No, unknown or unreadable failed nodes; a bad T0."
            ),
        },
        examples=[
            OpenApiExample(
                "Core system down at 9:00",
                value={"fail": ["resource:CORE"], "at": "2026-03-02T09:00:00+08:00"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        self.check_no_params(request)
        serializer = WhatIfRequest(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            keys = parse_failures(request.user, serializer.validated_data["fail"])
        except FailureError as exc:
            raise ValidationError({"fail": [str(exc)]}) from None
        report = WhatIfReport.run(Analysis(request.user), keys, serializer.validated_data.get("at"))
        return Response(report.as_json())


def _report_view(report_class, result, summary: str):
    class ReportView(AnalysisView):
        @extend_schema(summary=summary, responses={200: result})
        def get(self, request):
            self.check_no_params(request)
            return Response(report_class(Analysis(request.user)).as_json())

    ReportView.__name__ = f"{report_class.__name__}View"
    ReportView.__qualname__ = ReportView.__name__
    return ReportView


OrderView = _report_view(
    OrderReport, ORDER_RESULT, "Recovery order (dependencies first, then RTO, then RPO)"
)
GapsView = _report_view(GapsReport, GAPS_RESULT, "Objective/capability gaps")
SpofView = _report_view(SpofReport, SPOF_RESULT, "Single points of failure, ranked")


urlpatterns = [
    path("analysis/whatif/", WhatIfView.as_view(), name="analysis-whatif"),
    path("analysis/order/", OrderView.as_view(), name="analysis-order"),
    path("analysis/gaps/", GapsView.as_view(), name="analysis-gaps"),
    path("analysis/spof/", SpofView.as_view(), name="analysis-spof"),
]

# The saved what-ifs (resilia.analysis.api_saved), imported last: it builds on WhatIfRequest.
from resilia.analysis.api_saved import urlpatterns as _saved  # noqa: E402

urlpatterns += _saved
