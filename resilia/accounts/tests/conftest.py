"""Fixtures of the account tests."""

import pytest
from django.core.cache import cache

from resilia.audit.models import AuditEvent
from resilia.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Failures of unknown names are counted in the cache; no test may inherit another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def login(client):
    """login(username, password=PASSWORD, **extra) → the response of the login POST."""

    def post(username, password=PASSWORD, **extra):
        return client.post(
            "/accounts/login/", {"username": username, "password": password}, **extra
        )

    return post


def events(action, **filters):
    """Audit events of one action, oldest first."""
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("seq"))
