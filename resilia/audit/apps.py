from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "resilia.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from resilia.audit import access, checks  # noqa: F401  (policies, system checks)
        from resilia.audit.services import audit_record, audit_record_many
        from resilia.core import trail

        trail.connect(audit_record, audit_record_many)
