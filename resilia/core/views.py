"""The home page and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from resilia.core.dashboard import home_context


@login_required
def home(request):
    """The organisation at a glance: counts the user may see and recent activity."""
    return render(request, "core/home.html", home_context(request.user))


def error_403(request, exception=None):
    return render(request, "core/error.html", {"status": 403}, status=403)


def error_404(request, exception=None):
    return render(request, "core/error.html", {"status": 404}, status=404)


def error_500(request):
    return render(request, "core/error.html", {"status": 500}, status=500)
