from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "resilia.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from resilia.accounts import access  # noqa: F401  (registers the access policy)
