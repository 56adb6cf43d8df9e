from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "resilia.notify"
    label = "notify"
    verbose_name = _("Notification and call trees")

    def ready(self):
        from resilia.notify import access as notify_access  # noqa: F401  (policies)
        from resilia.notify import services as notify_services  # noqa: F401  (audit actions)
