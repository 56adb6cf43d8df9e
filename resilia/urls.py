"""URLs, written by hand; each app owns its own urls.py."""

from django.urls import include, path

from resilia.core.urls import i18n_urlpatterns
from resilia.incidents.views_intake import report_anomaly
from resilia.site.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The reporting link anyone may use without an account (incidents/intake.py): short, for a
    # QR code on a poster.
    path("r/<str:token>/", report_anomaly, name="report_anomaly"),
    path("", include("resilia.site.urls")),
    path("", include("resilia.core.urls")),
    path("accounts/", include("resilia.accounts.urls")),
    path("org/", include("resilia.org.urls")),
    path("audit/", include("resilia.audit.urls")),
    path("evidence/", include("resilia.evidence.urls")),
    path("dependencies/", include("resilia.dependencies.urls")),
    path("analysis/", include("resilia.analysis.urls")),
    path("bia/", include("resilia.bia.urls")),
    path("risk/", include("resilia.risk.urls")),
    path("hazards/", include("resilia.hazards.urls")),
    path("plans/", include("resilia.plans.urls")),
    path("incidents/", include("resilia.incidents.urls")),
    path("notify/", include("resilia.notify.urls")),
    path("strategies/", include("resilia.strategies.urls")),
    path("reports/", include("resilia.ops.urls")),
    path("api/", include("resilia.api.urls")),
    *i18n_urlpatterns,
]

handler403 = "resilia.site.views.error_403"
handler404 = "resilia.site.views.error_404"
handler500 = "resilia.site.views.error_500"
