from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _can_use_api(user) -> bool:
    """The docs link is shown to roles that can read at least one API endpoint."""
    from resilia.audit.models import AuditEvent
    from resilia.core import access
    from resilia.org.models import Unit

    return any(access.can_read_kind(user, model) for model in (Unit, AuditEvent))


class ApiConfig(AppConfig):
    name = "resilia.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from resilia.core.navigation import NavItem, register

        register(
            NavItem(
                order=900,
                label=_("API"),
                url_name="api:docs",
                icon="ti ti-api",
                visible=_can_use_api,
                menu="user",
            )
        )
