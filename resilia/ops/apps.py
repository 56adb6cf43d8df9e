from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "resilia.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from resilia.audit.actions import register_action
        from resilia.core import reports
        from resilia.ops import access  # noqa: F401 (registers the policies)
        from resilia.ops.services import template_bytes

        reports.connect_template(template_bytes)
        register_action("report_request", _("Report requested"))
        register_action("report_failed", _("Report failed"))
