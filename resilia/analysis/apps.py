from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "resilia.analysis"
    label = "analysis"
    verbose_name = _("Analysis")

    def ready(self):
        from resilia.analysis import access, jobs  # noqa: F401  (registers the policy)
        from resilia.analysis.documents import TITLES
        from resilia.audit.presenters import register_type_label

        jobs.register()
        for kind, title in TITLES.items():
            register_type_label(f"analysis.{kind}", title)
