from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "resilia.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from resilia.audit import access  # noqa: F401  (registers the access policies)
        from resilia.audit.services import audit_record
        from resilia.core import trail

        trail.connect(audit_record)
