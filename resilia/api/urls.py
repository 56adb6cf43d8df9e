"""The API's URLs, written by hand: `/api/<register>/` and `/api/<register>/<id>/`.

Anything else under /api/ answers a JSON 404 in the API's error shape, never an HTML page.
"""

from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated

from resilia.api import analysis
from resilia.api import dependencies as dep
from resilia.api import viewsets as v
from resilia.api.views import not_found

app_name = "api"

_LIST = {"get": "list", "post": "create"}
_DETAIL = {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}


def register(prefix: str, viewset, basename: str, *, read_only: bool = False) -> list:
    """The list and detail routes of one endpoint."""
    list_actions = {"get": "list"} if read_only else _LIST
    detail_actions = {"get": "retrieve"} if read_only else _DETAIL
    return [
        path(f"{prefix}/", viewset.as_view(list_actions), name=f"{basename}-list"),
        path(f"{prefix}/<int:pk>/", viewset.as_view(detail_actions), name=f"{basename}-detail"),
    ]


urlpatterns = [
    *register("units", v.UnitViewSet, "unit"),
    *register("people", v.PersonViewSet, "person"),
    *register("sites", v.SiteViewSet, "site"),
    *register("teams", v.TeamViewSet, "team"),
    *register("team-memberships", v.TeamMembershipViewSet, "teammembership"),
    *register("audit-events", v.AuditEventViewSet, "auditevent", read_only=True),
    *register("resources", dep.ResourceViewSet, "resource"),
    *register("activities", dep.ActivityViewSet, "activity"),
    *register("dependencies", dep.DependencyViewSet, "dependency"),
    path("analysis/whatif/", analysis.WhatIfView.as_view(), name="analysis-whatif"),
    path("analysis/order/", analysis.OrderView.as_view(), name="analysis-order"),
    path("analysis/gaps/", analysis.GapsView.as_view(), name="analysis-gaps"),
    path("analysis/spof/", analysis.SpofView.as_view(), name="analysis-spof"),
    path(
        "schema/",
        SpectacularAPIView.as_view(
            authentication_classes=v.AUTHENTICATION, permission_classes=[IsAuthenticated]
        ),
        name="schema",
    ),
    path(
        "docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
    re_path(r"^.*$", not_found, name="not_found"),
]
