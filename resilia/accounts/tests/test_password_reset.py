"""Password reset by e-mail through a real SMTP server, and password change."""

import re

import pytest

from resilia.accounts.models import LoginLock, User
from resilia.accounts.tests.conftest import events
from resilia.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-New-Horse-77!"
LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/[^/\s]+/[^/\s]+/)")


def _request_reset(client, email, language):
    return client.post("/accounts/password-reset/", {"email": email}, HTTP_ACCEPT_LANGUAGE=language)


def test_it_mails_a_chinese_reset_link_to_a_chinese_user(personas, client, smtp_server):
    User.objects.filter(username="coord_a").update(language="zh-hans")
    response = _request_reset(client, "coord_a@example.com", "en")
    assert response["Location"] == "/accounts/password-reset/sent/"
    [message] = smtp_server.messages
    assert message["To"] == "coord_a@example.com"
    assert message["Subject"] == "Resilia：设置新密码"
    body = message.get_content()
    assert "您好" in body and "该链接只能使用一次" in body
    assert LINK.search(body)


def test_it_mails_in_the_request_language_when_the_profile_has_none(personas, client, smtp_server):
    _request_reset(client, "coord_a@example.com", "en")
    [message] = smtp_server.messages
    assert message["Subject"] == "Resilia: choose a new password"
    assert "Open this link to choose it" in message.get_content()


def test_it_sets_the_new_password_through_the_link_and_audits_it(personas, client, smtp_server):
    user = User.objects.get(username="coord_a")
    LoginLock.objects.create(username="coord_a", address="203.0.113.66", failures=3)
    _request_reset(client, "coord_a@example.com", "zh-hans")
    path = LINK.search(smtp_server.messages[0].get_content()).group(1)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and user.failed_logins == 0
    [event] = events("password_reset")
    assert event.actor == user and NEW_PASSWORD not in event.canonical()
    # The link works once.
    again = client.get(path, follow=True)
    assert "new_password1" not in again.content.decode()
    assert "链接无效" in again.content.decode()


def test_it_sends_nothing_for_an_unknown_address_and_says_the_same(db, client, smtp_server):
    response = _request_reset(client, "nobody@example.com", "en")
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert smtp_server.messages == []


def test_it_changes_the_password_of_a_signed_in_user(personas, login, client):
    login("contrib_a")
    response = client.post(
        "/accounts/security/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/accounts/security/"
    user = User.objects.get(username="contrib_a")
    assert user.check_password(NEW_PASSWORD)
    # The session survives its own password change.
    assert client.get("/accounts/profile/").status_code == 200
    [event] = events("password_change")
    assert event.actor == user and NEW_PASSWORD not in event.canonical()


def test_it_refuses_a_wrong_old_password_in_chinese(personas, login, client):
    login("contrib_a")
    response = client.post(
        "/accounts/security/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "旧密码" in response.content.decode()
    assert User.objects.get(username="contrib_a").check_password(PASSWORD)
    assert events("password_change") == []
