from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "resilia.risk"
    label = "risk"
    verbose_name = _("Risk assessment")

    def ready(self):
        from resilia.core import reports
        from resilia.risk import access as risk_access  # noqa: F401  (policies)
        from resilia.risk import services as risk_services  # noqa: F401  (audit actions)
        from resilia.risk.report import BUILDER

        reports.register_builder("risk.report", BUILDER)

        from resilia.dependencies.modelio import register_section
        from resilia.risk.modelfile import SECTION

        register_section("risk", SECTION)
