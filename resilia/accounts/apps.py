from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_system_admin(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_system_admin


def _signed_in(user) -> bool:
    return user.is_authenticated


class AccountsConfig(AppConfig):
    name = "resilia.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from resilia.accounts import access  # noqa: F401  (registers the access policy)
        from resilia.core.navigation import NavItem, register

        register(NavItem(90, _("Users"), "accounts:user_list", "user-cog", _is_system_admin))
        for order, label, url_name, icon in (
            (10, _("Profile"), "accounts:profile", "user"),
            (20, _("Security"), "accounts:security", "shield-lock"),
            (30, _("API token"), "accounts:api_token", "key"),
        ):
            register(NavItem(order, label, url_name, icon, _signed_in, menu="user"))
