"""The API's URLs, written by hand: `/api/<register>/` and `/api/<register>/<id>/`.

Each app owns its endpoints and their URL list in `<app>/api.py`; this router only collects
them (by name, so the API package never imports a domain app), and adds the schema, the docs
and the catch-all: anything else under /api/ answers a JSON 404 in the API's error shape,
never an HTML page.
"""

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from resilia.api.views import not_found
from resilia.api.viewsets import AUTHENTICATION

app_name = "api"

APPS = (
    "resilia.org.api",
    "resilia.audit.api",
    "resilia.dependencies.api",
    "resilia.bia.api",
    "resilia.risk.api",
    "resilia.hazards.api",
    "resilia.plans.api",
    "resilia.incidents.api",
    "resilia.notify.api",
    "resilia.strategies.api",
    "resilia.analysis.api",
)

urlpatterns = [
    *[path("", include(module)) for module in APPS],
    path(
        "schema/",
        SpectacularAPIView.as_view(
            authentication_classes=AUTHENTICATION, permission_classes=[IsAuthenticated]
        ),
        name="schema",
    ),
    path(
        "docs/",
        # The split view serves its start-up script as a file (?script), so script-src stays
        # 'self'; Swagger UI's page and widgets carry inline styles.
        csp_update({"style-src": ["'unsafe-inline'"]})(
            login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))
        ),
        name="docs",
    ),
    re_path(r"^.*$", not_found, name="not_found"),
]
