"""The API's catch-all: unknown paths and non-integer ids get a JSON 404."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes, renderer_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@extend_schema(exclude=True)
@api_view(_ALL_METHODS)
@permission_classes([AllowAny])
@renderer_classes([JSONRenderer])
def not_found(request, *args, **kwargs):
    """No such endpoint (or an id that is not a number): the same 404 as a missing object."""
    raise NotFound
