from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "resilia.analysis"
    label = "analysis"
    verbose_name = _("Analysis")

    def ready(self):
        from resilia.analysis.scope import can_analyse
        from resilia.core.navigation import NavItem, register

        register(
            NavItem(
                order=70,
                label=_("Analysis"),
                url_name="analysis:whatif",
                icon="chart-infographic",
                visible=can_analyse,
            )
        )
