"""A usable API key for a test client, without the audit event of `token_create`."""

from __future__ import annotations

import secrets

from resilia.accounts.models import ApiToken


def api_key(user) -> str:
    """The user's API key: the same one on each call within a test, created on the first."""
    key = getattr(user, "_test_api_key", None)
    if key and ApiToken.objects.filter(user=user, digest=ApiToken.digest_of(key)).exists():
        return key
    key = secrets.token_hex(20)
    ApiToken.objects.update_or_create(user=user, defaults={"digest": ApiToken.digest_of(key)})
    user._test_api_key = key
    return key
