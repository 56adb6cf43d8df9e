from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DependenciesConfig(AppConfig):
    name = "resilia.dependencies"
    label = "dependencies"
    verbose_name = _("Resources and dependencies")

    def ready(self):
        from resilia.dependencies import access  # noqa: F401  (registers the access policies)
