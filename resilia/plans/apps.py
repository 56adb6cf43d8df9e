from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "resilia.plans"
    label = "plans"
    verbose_name = _("Plans")

    def ready(self):
        from resilia.analysis.activation import register_source
        from resilia.plans import access as plans_access  # noqa: F401  (policies)
        from resilia.plans import services as plans_services  # noqa: F401  (audit actions)
        from resilia.plans.selectors import activations

        register_source(activations)

        from resilia.dependencies.modelio import register_section
        from resilia.plans.modelfile import SECTION

        register_section("plans", SECTION)
