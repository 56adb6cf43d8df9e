"""The base of every app's API endpoints (`<app>/api.py`): all through the access choke point.

Reads: `Model.objects.for_user(user)` for lists, `access.get_object_for_user()` for one
object (403 when the role cannot read the kind, 404 outside scope, 403 when readable but
not writable). Writes: the entity services (full_clean, transaction, audit event with
source "api"), never `serializer.save()`. Before anything is saved, the object's placement
in the unit tree (its unit, a unit's parent) is checked by the app's placement rule, the one
its forms and importers ask, so a field-level move across scopes (`{"unit": null}`) is refused
with the form's message (400). After every write the scope is checked again in
the same transaction, so nothing can be created in, or moved to, a place the user could not
have written to; the transaction is then rolled back, audit event included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from resilia.api.filters import StrictOrderingFilter
from resilia.api.permissions import CanReadKind
from resilia.core import access

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


# settings.REST_FRAMEWORK names them (the accounts app's hashed tokens, which this platform
# layer may not import). Token first so that an anonymous client is told how to
# authenticate (401 with WWW-Authenticate: Token) instead of the bare 403 of session auth.
AUTHENTICATION = api_settings.DEFAULT_AUTHENTICATION_CLASSES


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
    # (field, rule): the field that places an object in the unit tree and the app's rule
    # `rule(actor, model, unit, *, instance=None) -> message | None` (e.g.
    # `org.rules.placement_error`), asked on create and whenever a change names the field.
    placement: tuple[str, Callable] | None = None

    def check_placement(self, data: dict, instance=None) -> None:
        """Refuse (400, on the field) a placement the user may not make, before any save."""
        if self.placement is None:
            return
        field, rule = self.placement
        if instance is not None and field not in data:
            return
        message = rule(self.request.user, self.model, data.get(field), instance=instance)
        if message:
            raise ValidationError({field: [message]})

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
        self.check_placement(data)
        with transaction.atomic():
            obj = self.services.create(actor=user, **data)
            self._write_back_check(obj)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs):
        user = request.user
        obj = access.get_object_for_user(user, self.model, kwargs["pk"], write=True)
        serializer = self.get_serializer(obj, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.check_placement(serializer.validated_data, instance=obj)
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


_LIST = {"get": "list", "post": "create"}
_DETAIL = {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}


def routes(prefix: str, viewset, basename: str, *, read_only: bool = False) -> list:
    """The list and detail routes of one endpoint, for an app's `urlpatterns`."""
    list_actions = {"get": "list"} if read_only else _LIST
    detail_actions = {"get": "retrieve"} if read_only else _DETAIL
    return [
        path(f"{prefix}/", viewset.as_view(list_actions), name=f"{basename}-list"),
        path(f"{prefix}/<int:pk>/", viewset.as_view(detail_actions), name=f"{basename}-detail"),
    ]
