"""The API endpoints: one viewset per register, all through the access choke point.

Reads: `Model.objects.for_user(user)` for lists, `access.get_object_for_user()` for one
object (403 when the role cannot read the kind, 404 outside scope, 403 when readable but
not writable). Writes: the entity services (full_clean, transaction, audit event with
source "api"), never `serializer.save()`. After every write the scope is checked again in
the same transaction, so nothing can be created in, or moved to, a place the user could not
have written to; the transaction is then rolled back, audit event included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from resilia.api import serializers as s
from resilia.api.filters import AuditEventFilterSet, StrictOrderingFilter, TeamMembershipFilterSet
from resilia.api.permissions import CanReadKind
from resilia.audit.models import AuditEvent
from resilia.core import access
from resilia.org import services as org
from resilia.org.filters import PersonFilterSet, SiteFilterSet, TeamFilterSet, UnitFilterSet
from resilia.org.models import Person, Site, Team, TeamMembership, Unit

# Query parameters every list accepts besides its filter set's.
_COMMON_PARAMS = {"ordering", "page", "page_size", "format"}


class Pagination(PageNumberPagination):
    """`?page=n&page_size=m` (at most 200); a page past the end is a 404, not a 500."""

    page_size_query_param = "page_size"
    max_page_size = 200


@dataclass(frozen=True)
class Services:
    """The service functions of one entity and the keyword its instance is passed under."""

    create: Callable
    update: Callable
    delete: Callable
    instance_kwarg: str


# Token first so that an anonymous client is told how to authenticate (401 with
# WWW-Authenticate: Token) instead of the bare 403 that session auth would give.
AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


class BaseApiViewSet(viewsets.GenericViewSet):
    """What every endpoint shares: JSON only, token then session auth, strict parameters."""

    model: type = None
    authentication_classes = AUTHENTICATION
    permission_classes = [CanReadKind]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]

    def perform_authentication(self, request):
        super().perform_authentication(request)
        # Token clients have no session: apply the profile language here, as the web UI does.
        language = getattr(request.user, "language", "")
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)

    def get_object(self):
        return access.get_object_for_user(self.request.user, self.model, self.kwargs["pk"])

    def check_query_params(self, request) -> None:
        """Unknown query parameters are a 400: a misspelt filter must not return everything."""
        allowed = set(self.filterset_class.base_filters) | _COMMON_PARAMS
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            message = _("Unknown query parameter. Allowed: %(allowed)s.") % {
                "allowed": ", ".join(sorted(allowed))
            }
            raise ValidationError({name: [message] for name in unknown})

    def list(self, request, *args, **kwargs):
        self.check_query_params(request)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)


class RegisterViewSet(BaseApiViewSet):
    """Create, read, update and delete one register through its services."""

    services: Services = None

    def scope_unit(self, data: dict):
        """The unit a new object would belong to, for `access.can_create`."""
        return data.get("unit")

    def _write_back_check(self, obj) -> None:
        """The saved object must still be one the user may write (raise → rollback)."""
        if not access.can_write(self.request.user, obj):
            raise PermissionDenied(
                _("You may not create or move a record outside the units you manage.")
            )

    def create(self, request, *args, **kwargs):
        user = request.user
        if not access.can_create(user, self.model):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not access.can_create(user, self.model, unit=self.scope_unit(data)):
            raise PermissionDenied
        with transaction.atomic():
            obj = self.services.create(actor=user, **data)
            self._write_back_check(obj)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs):
        user = request.user
        obj = access.get_object_for_user(user, self.model, kwargs["pk"], write=True)
        serializer = self.get_serializer(obj, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            target = {self.services.instance_kwarg: obj}
            obj = self.services.update(actor=user, **target, **serializer.validated_data)
            self._write_back_check(obj)
        return Response(self.get_serializer(obj).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        user = request.user
        obj = access.get_object_for_user(user, self.model, kwargs["pk"], write=True, delete=True)
        self.services.delete(actor=user, **{self.services.instance_kwarg: obj})
        return Response(status=status.HTTP_204_NO_CONTENT)


class UnitViewSet(RegisterViewSet):
    """Organisation units (the tree); a new unit belongs where its parent is."""

    model = Unit
    serializer_class = s.UnitSerializer
    filterset_class = UnitFilterSet
    ordering_fields = ["path", "code", "name", "kind", "depth", "id"]
    ordering = ["path"]
    services = Services(org.unit_create, org.unit_update, org.unit_delete, "unit")

    def scope_unit(self, data: dict):
        return data.get("parent")


class PersonViewSet(RegisterViewSet):
    """People and their contact channels."""

    model = Person
    serializer_class = s.PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ["full_name", "employee_no", "title", "unit", "is_key_person", "id"]
    ordering = ["full_name"]
    services = Services(org.person_create, org.person_update, org.person_delete, "person")


class SiteViewSet(RegisterViewSet):
    """Offices, data centres, DR sites and alternate work areas."""

    model = Site
    serializer_class = s.SiteSerializer
    filterset_class = SiteFilterSet
    ordering_fields = ["code", "name", "kind", "seat_capacity", "id"]
    ordering = ["code"]
    services = Services(org.site_create, org.site_update, org.site_delete, "site")


class TeamViewSet(RegisterViewSet):
    """Standing teams of the BCM organisation."""

    model = Team
    serializer_class = s.TeamSerializer
    filterset_class = TeamFilterSet
    ordering_fields = ["code", "name", "kind", "id"]
    ordering = ["code"]
    services = Services(org.team_create, org.team_update, org.team_delete, "team")


class TeamMembershipViewSet(RegisterViewSet):
    """Who is in which team, with which role; scoped by the team's unit."""

    model = TeamMembership
    serializer_class = s.TeamMembershipSerializer
    filterset_class = TeamMembershipFilterSet
    ordering_fields = ["team", "person", "role", "id"]
    ordering = ["team", "role", "person__full_name"]
    services = Services(
        org.membership_create, org.membership_update, org.membership_delete, "membership"
    )

    def scope_unit(self, data: dict):
        team = data.get("team")
        return team.unit if team is not None else None


class AuditEventViewSet(BaseApiViewSet):
    """The audit trail, for administrators, the BCM office and auditors; read-only."""

    model = AuditEvent
    serializer_class = s.AuditEventSerializer
    filterset_class = AuditEventFilterSet
    ordering_fields = ["seq", "timestamp", "action", "object_type"]
    ordering = ["-seq"]
