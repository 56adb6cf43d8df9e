"""`user_create` names the fields it accepts: secrets and counters cannot be set through it."""

import pytest

from resilia.accounts import services
from resilia.accounts.models import Role, User


@pytest.mark.parametrize("field", ["totp_secret", "failed_logins", "no_such_field"])
def test_it_refuses_a_field_it_does_not_accept(db, field):
    with pytest.raises(TypeError, match=field):
        services.user_create(actor=None, username="eve", **{field: "x"})
    assert not User.objects.filter(username="eve").exists()


def test_it_creates_an_account_with_the_fields_passed(db):
    user = services.user_create(
        actor=None, username="dan", email="dan@example.com", role=Role.AUDITOR
    )
    user.refresh_from_db()
    assert (user.username, user.email, user.role) == ("dan", "dan@example.com", Role.AUDITOR)
    assert user.is_active  # not passed: the model's default
    assert not user.has_usable_password()
