from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "resilia.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.core import checks

        from resilia.core.reports.fonts import check_font

        checks.register(check_font)
