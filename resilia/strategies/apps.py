from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategiesConfig(AppConfig):
    name = "resilia.strategies"
    label = "strategies"
    verbose_name = _("Continuity strategies")

    def ready(self):
        from resilia.dependencies.modelio import register_section
        from resilia.strategies import access as strategies_access  # noqa: F401  (policies)
        from resilia.strategies import services as strategies_services  # noqa: F401  (actions)
        from resilia.strategies.modelfile import SECTION

        register_section("strategies", SECTION)
