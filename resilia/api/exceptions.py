"""Structured, translated JSON errors for the whole API.

Every error leaves the API in one shape, in the language of the request (the user's profile
language, else Accept-Language)::

    {"error": {"code": "validation_error",
               "message": "Some of the submitted values are not valid.",
               "fields": {"name": ["这个字段是必填项。"]},
               "request_id": "4f1c..."}}

`code` is stable and meant for programs; `message` is for people. `fields` appears on
validation errors only. Django's own exceptions raised by the services and the access choke
point are mapped here, so views never translate them by hand: `ValidationError` from
`full_clean()` → 400, `Http404` → 404, `PermissionDenied` → 403, `ProtectedError` → 409,
`IntegrityError` (a race past validation) → 409, a failed lock wait (deadlock, locked
database) → 503 with `Retry-After`. Anything else is logged with its traceback
and answered with a 500 in the same shape, never an HTML page.
"""

from __future__ import annotations

import logging

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from resilia.core.db import BUSY_MESSAGE, RETRY_AFTER_SECONDS, is_contention

logger = logging.getLogger("resilia.api")


def django_validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """{field: [messages]} from a model's full_clean() error, `__all__` renamed like DRF."""
    if hasattr(exc, "error_dict"):
        detail = {}
        for field, messages in exc.message_dict.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
            detail[key] = list(messages)
        return detail
    return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}


def _blocking_summary(exc: ProtectedError | RestrictedError) -> str:
    """'people (2), team memberships (1)': kinds and counts only.

    Names are left out on purpose: the blocking rows may lie outside the user's scope.
    """
    counts: dict[str, int] = {}
    for obj in exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects:
        label = str(capfirst(obj._meta.verbose_name_plural))
        counts[label] = counts.get(label, 0) + 1
    return _(", ").join(f"{label} ({count})" for label, count in sorted(counts.items()))


def _payload(code: str, message: str, fields: dict | None, request) -> dict:
    error: dict = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    request_id = getattr(request, "request_id", None)
    if request_id:
        error["request_id"] = request_id
    return {"error": error}


def _flatten(detail) -> dict | list | str:
    """ErrorDetail objects → plain strings (the JSON renderer would do it; tests read .data)."""
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: map the exception, then wrap it in the error envelope."""
    request = context.get("request")
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_validation_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, ProtectedError | RestrictedError):
        set_rollback()
        message = _(
            "This record cannot be deleted because other records still refer to it: "
            "%(blocking)s. Remove or reassign those first."
        ) % {"blocking": _blocking_summary(exc)}
        return Response(_payload("protected", message, None, request), status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        set_rollback()
        logger.warning("API integrity error: %s", exc)
        message = _("The change conflicts with data saved in the meantime. Reload and try again.")
        return Response(_payload("conflict", message, None, request), status.HTTP_409_CONFLICT)

    if is_contention(exc):
        # A lock wait that failed: nothing was saved. The contention middleware may run the
        # request again (it reads the mark); otherwise the client is told when to retry.
        set_rollback()
        http_request = getattr(request, "_request", request)
        if http_request is not None:
            http_request.contention = exc
        response = Response(
            _payload("busy", str(BUSY_MESSAGE), None, request),
            status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an error we expected: keep the traceback in the log, answer in the same shape.
        logger.error("Unhandled API error", exc_info=exc)
        set_rollback()
        message = _(
            "An unexpected error occurred. It has been logged; quote the request id "
            "when you report it."
        )
        return Response(
            _payload("server_error", message, None, request),
            status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if not isinstance(detail, dict):
            detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
        fields = _flatten(detail)
        response.data = _payload(
            "validation_error",
            _("Some of the submitted values are not valid."),
            fields,
            request,
        )
        return response

    if isinstance(exc, exceptions.ParseError):
        # DRF's text embeds the parser's English explanation; keep that as a detail for
        # developers and give people a translated sentence.
        response.data = _payload(
            "parse_error", _("The request body is not valid JSON."), None, request
        )
        response.data["error"]["detail"] = str(exc.detail)
        return response

    code = exc.default_code if isinstance(exc, exceptions.APIException) else "error"
    detail = getattr(exc, "detail", "")
    message = str(detail) if not isinstance(detail, dict | list) else str(exc.default_detail)
    response.data = _payload(code, message, None, request)
    return response
