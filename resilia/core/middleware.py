"""Middleware that gives every request a request id and records the client address."""

from __future__ import annotations

import re

from django.conf import settings

from resilia.core.context import RequestContext, reset_context, set_context

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request) -> str | None:
    """The client's address; X-Forwarded-For only when the proxy is trusted by setting."""
    if settings.USE_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Bind a RequestContext for the request; echo the request id in a response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        kwargs = {"client_ip": client_ip(request)}
        if _REQUEST_ID_RE.match(incoming):
            kwargs["request_id"] = incoming
        kwargs["source"] = "api" if request.path.startswith("/api/") else "web"
        ctx = RequestContext(**kwargs)
        request.request_id = ctx.request_id
        token = set_context(ctx)
        try:
            response = self.get_response(request)
        finally:
            reset_context(token)
        response["X-Request-ID"] = ctx.request_id
        return response
