from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "resilia.hazards"
    label = "hazards"
    verbose_name = _("Hazard inspection and rectification")

    def ready(self):
        from resilia.core import reports
        from resilia.hazards import access as hazards_access  # noqa: F401  (policies)
        from resilia.hazards import services as hazards_services  # noqa: F401  (audit actions)
        from resilia.hazards.ledger import BUILDER

        reports.register_builder("hazards.ledger", BUILDER)
