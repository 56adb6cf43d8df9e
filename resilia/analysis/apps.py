from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "resilia.analysis"
    label = "analysis"
    verbose_name = _("Analysis")

    def ready(self):
        from resilia.analysis import jobs

        jobs.register()
