from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "resilia.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from resilia.audit import access  # noqa: F401  (registers the access policies)
        from resilia.audit.models import AuditEvent
        from resilia.core import access as core_access
        from resilia.core.navigation import NavItem, register

        register(
            NavItem(
                order=900,
                label=_("Audit log"),
                url_name="audit:log",
                icon="history",
                visible=lambda user: core_access.can_read_kind(user, AuditEvent),
            )
        )
