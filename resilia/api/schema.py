"""The OpenAPI schema of the API (drf-spectacular): what each operation really answers.

drf-spectacular describes the success response of each operation; the errors come from the
shared handler (`api/exceptions.py`) and have one shape, `ErrorResponse`. `ResiliaAutoSchema`
adds them to every operation by what it can answer:

- 401 without credentials and 403 when the role may not use the endpoint, everywhere;
- 400 for a bad query parameter (lists and reports) or a bad body (writes);
- 404 for an id outside the reader's scope or that does not exist, and a list page past the end;
- 409 when a write conflicts with data saved meanwhile, or a delete is blocked by references.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    """The error itself: a stable code for programs, a translated message for people."""

    code = serializers.CharField(help_text="validation_error, not_found, permission_denied, ...")
    message = serializers.CharField(help_text="In the language of the request.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors only: messages by field or query parameter.",
    )
    request_id = serializers.CharField(required=False)
    detail = serializers.CharField(required=False, help_text="Parse errors: the parser's words.")


class ErrorResponseSerializer(serializers.Serializer):
    """Every error of the API: `{"error": {...}}`."""

    error = ErrorBodySerializer()


ERROR = ErrorResponseSerializer

UNAUTHENTICATED = "No or invalid credentials (Token or session)."
FORBIDDEN = "Your role may not use this endpoint, or may not change this record."
BAD_QUERY = "An unknown or invalid query parameter."
BAD_BODY = "Invalid or unknown fields, or a rule of the record refused the change."
NOT_FOUND = "No such record among those you may read."
PAGE_NOT_FOUND = "A page past the end of the list."
CONFLICT = "The change conflicts with data saved meanwhile, or other records block the delete."


class ResiliaAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with the error responses each operation can give."""

    def error_responses(self) -> dict[str, str]:
        method = self.method
        by_id = "{" in self.path
        codes = {"401": UNAUTHENTICATED, "403": FORBIDDEN}
        if method == "GET":
            codes["400"] = BAD_QUERY
            if by_id:
                codes["404"] = NOT_FOUND
            elif self._is_list_view():
                codes["404"] = PAGE_NOT_FOUND
        elif method in ("POST", "PUT", "PATCH"):
            codes["400"] = BAD_BODY
            if by_id:
                codes["404"] = NOT_FOUND
            if getattr(self.view, "services", None) is not None:
                codes["409"] = CONFLICT
        elif method == "DELETE":
            codes["404"] = NOT_FOUND
            codes["409"] = CONFLICT
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in self.error_responses().items():
            if code not in responses:
                response = OpenApiResponse(ERROR, description=description)
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
