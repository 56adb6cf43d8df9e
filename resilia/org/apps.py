from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "resilia.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from resilia.org import access  # noqa: F401  (registers the access policies)
