"""System checks of the audit trail (`resilia check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def audit_key_check(app_configs, **kwargs):
    """A production trail has its own HMAC key, not one derived from SECRET_KEY."""
    if settings.AUDIT_HMAC_KEY:
        return []
    return [
        Warning(
            "AUDIT_HMAC_KEY is not set: the audit chain's key is derived from SECRET_KEY, so"
            " rotating SECRET_KEY would make every later event fail verification.",
            hint="Set AUDIT_HMAC_KEY or AUDIT_HMAC_KEY_FILE (docs/audit-trail.md).",
            id="resilia.W001",
        )
    ]
