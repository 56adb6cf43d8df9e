from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The shell on top of every app: home and dashboard, health, the menu, the scheduler and
    task wiring, and the `serve`, `demo` and `scheduler` commands. Nothing imports it."""

    name = "resilia.site"
    label = "site"
    verbose_name = _("Home")
