"""Middleware: a request id and the client address for every request; contention answered;
no caching of what a signed-in user or an API client is shown."""

from __future__ import annotations

import logging
import re
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from resilia.core.context import RequestContext, reset_context, set_context
from resilia.core.db import BUSY_MESSAGE, RETRY_AFTER_SECONDS, is_contention, worth_retrying

logger = logging.getLogger("resilia.db")

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request) -> str | None:
    """The client's address; X-Forwarded-For only when the proxy is trusted by setting."""
    if settings.USE_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The last entry is the one the trusted proxy added; those before it are whatever
            # the client sent, and a forged one would dodge the per-address sign-in lock-out.
            return forwarded.split(",")[-1].strip()[:45]
    return request.META.get("REMOTE_ADDR")


def over_limit(request, scope: str, *, limit: int, window: int = 60) -> bool:
    """Whether this client address went over `limit` requests to `scope` in the current window
    (seconds): the rate limit of the endpoints that take requests without an account."""
    from django.core.cache import cache

    key = f"limit:{scope}:{client_ip(request) or '-'}:{int(time.time() // window)}"
    if cache.add(key, 1, window):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # the key expired between add and incr
        return False


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


def busy_page(request):
    """The 503 page of a busy database, with Retry-After."""
    response = render(request, "core/busy.html", {"message": BUSY_MESSAGE}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _keep_body(request) -> bool:
    """Read the body now so that a second run can read it again; False: cannot run twice."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    if request.content_type == "multipart/form-data":
        return False  # uploads are streamed to files, not kept
    try:
        request.body  # noqa: B018 (cached on the request for the second run)
    except RequestDataTooBig:
        return False  # the view refuses it as usual
    return True


class ContentionMiddleware:
    """No user sees a 500 for a lock: a deadlock is run again once, then a 503 is answered.

    A view's exception reaches `process_exception`; the API's exception handler answers in
    its own shape and marks the request the same way (`request.contention`). The whole
    request — sessions, authentication, the view — runs again only when every transaction
    of the first run was rolled back and the body can be read twice.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        repeatable = _keep_body(request)
        request.contention = None
        response = self.get_response(request)
        exc = request.contention
        if exc is not None and worth_retrying(exc) and repeatable:
            if not connection.in_atomic_block:
                logger.warning(
                    "%s %s lost a lock wait (%s); running it again",
                    request.method,
                    request.path,
                    exc,
                )
                request.contention = None
                response = self.get_response(request)
                exc = request.contention
        if exc is not None:
            logger.warning("%s %s answered 503: %s", request.method, request.path, exc)
        return response

    def process_exception(self, request, exception):
        if not is_contention(exception):
            return None
        request.contention = exception
        return busy_page(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page of a signed-in user and every API answer.

    They hold names, phone numbers and plans: neither a shared proxy nor the browser's
    back-forward cache on a shared PC may keep a copy once the user has signed out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
