"""The registry of audit actions and their translated labels (Wagtail's registered actions).

Apps add their own actions with `register_action()` from AppConfig.ready(); an action that is
not registered is shown as its raw name, so nothing recorded is ever hidden.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, object] = {
    "create": _("Create"),
    "update": _("Update"),
    "delete": _("Delete"),
    "login": _("Log in"),
    "logout": _("Log out"),
    "login_failed": _("Failed login"),
    "lockout": _("Account locked"),
    "unlock": _("Account unlocked"),
    "password_change": _("Password change"),
    "password_reset": _("Password reset"),
    "totp_enable": _("Two-factor authentication enabled"),
    "totp_disable": _("Two-factor authentication disabled"),
    "permission_change": _("Permission change"),
    "export": _("Export"),
    "import": _("Import"),
    "token_create": _("API token created"),
    "token_revoke": _("API token revoked"),
    "upload": _("File upload"),
    "download": _("File download"),
    "verify": _("Audit chain verification"),
    "audit_chain_broken": _("Audit chain found broken"),
    "approve": _("Approve"),
    "submit": _("Submit"),
    "publish": _("Publish"),
    "archive": _("Archive"),
    "restore": _("Restore"),
}


def register_action(name: str, label) -> None:
    """Add (or relabel) an action; `label` should be a lazy translation."""
    ACTION_LABELS[name] = label


def action_label(name: str):
    """The translated label of an action, or the raw name when it is not registered."""
    return ACTION_LABELS.get(name, name)


def action_choices() -> list[tuple[str, object]]:
    """(name, label) pairs for filter forms, in registry order."""
    return list(ACTION_LABELS.items())
