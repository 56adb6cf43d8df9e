from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "resilia.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from resilia.incidents import access as incidents_access  # noqa: F401  (policies)
        from resilia.incidents import services as incidents_services  # noqa: F401  (actions)
