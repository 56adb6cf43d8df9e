"""The request context that services read when they write audit events.

A request id groups the audit events of one user action; the middleware sets it
for web requests, and CLI commands and tasks set their own with `request_context`.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    """Who acts, from where, as part of which user action."""

    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    client_ip: str | None = None
    source: str = "system"  # web, api, cli, task, system


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "resilia_request_context", default=None
)


def current_context() -> RequestContext:
    """Return the active context, or a fresh one-off context (e.g. in a shell)."""
    ctx = _current.get()
    return ctx if ctx is not None else RequestContext()


@contextmanager
def request_context(**kwargs) -> Iterator[RequestContext]:
    """Run a block inside its own request context (CLI, tasks, tests)."""
    ctx = RequestContext(**kwargs)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_context(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset_context(token: contextvars.Token) -> None:
    _current.reset(token)
