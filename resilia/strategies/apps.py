from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategiesConfig(AppConfig):
    name = "resilia.strategies"
    label = "strategies"
    verbose_name = _("Continuity strategies")

    def ready(self):
        from resilia.dependencies.modelio import register_section
        from resilia.dependencies.panels import register_panel
        from resilia.strategies import access as strategies_access  # noqa: F401  (policies)
        from resilia.strategies import services as strategies_services  # noqa: F401  (actions)
        from resilia.strategies.modelfile import SECTION
        from resilia.strategies.panels import subject_panel

        register_section("strategies", SECTION)
        register_panel(subject_panel)
