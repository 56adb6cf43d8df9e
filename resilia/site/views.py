"""The home page and the error pages."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control

from resilia.core.db import is_contention
from resilia.core.middleware import busy_page
from resilia.site.dashboard import home_context


@login_required
def home(request):
    """The organisation at a glance: counts the user may see and recent activity."""
    return render(request, "site/home.html", home_context(request.user))


ERROR_HEADINGS = {
    403: _("Access denied"),
    404: _("Page not found"),
    500: _("Server error"),
}


def _error(request, status: int):
    return render(
        request,
        "site/error.html",
        {"status": status, "heading": ERROR_HEADINGS[status]},
        status=status,
    )


def error_403(request, exception=None):
    return _error(request, 403)


def error_404(request, exception=None):
    return _error(request, 404)


def error_500(request):
    # A lock wait that failed outside a view (a middleware's write) is busy, not broken.
    if is_contention(sys.exc_info()[1]):
        return busy_page(request)
    return _error(request, 500)


# Browsers ask for /favicon.ico whatever the page links; answer instead of logging a 404.
@cache_control(max_age=86400, public=True)
def favicon(request):
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))
