from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiaConfig(AppConfig):
    name = "resilia.bia"
    label = "bia"
    verbose_name = _("Business impact analysis")

    def ready(self):
        from resilia.bia import access as bia_access  # noqa: F401  (policies)
        from resilia.bia import services as bia_services  # noqa: F401  (audit actions)
        from resilia.bia.report import BUILDER
        from resilia.core import reports

        reports.register_builder("bia.report", BUILDER)

        from resilia.analysis.cli import register_subcommand
        from resilia.bia.cli import SUBCOMMAND

        register_subcommand("bia", SUBCOMMAND)

        from resilia.bia.modelfile import SECTION
        from resilia.dependencies.modelio import register_section

        register_section("bia", SECTION)
