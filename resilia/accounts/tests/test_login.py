"""Signing in and out through the real views, with the audit trail."""

import pytest

from resilia.accounts.models import User
from resilia.accounts.tests.conftest import events

pytestmark = pytest.mark.django_db


def test_it_shows_a_branded_login_page_with_the_language_switcher(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Resilia" in html and "Sign in to your account" in html
    assert 'id="language-switcher"' in html and 'action="/accounts/language/"' in html
    assert "简体中文" in html


def test_it_shows_the_login_page_in_chinese(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "登录" in response.content.decode()


def test_it_redirects_anonymous_users_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_it_signs_in_and_audits_the_login(personas, login, client):
    response = login("coord_a")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/accounts/profile/").status_code == 200
    [event] = events("login")
    assert event.actor == personas["coord_a"]
    assert event.object_id == str(personas["coord_a"].pk)
    assert event.changes == {"second_factor": False}
    personas["coord_a"].refresh_from_db()
    assert personas["coord_a"].last_login is not None


def test_it_follows_a_safe_next_url_only(personas, client):
    data = {"username": "admin", "password": "Correct-Horse-42!"}
    response = client.post("/accounts/login/", {**data, "next": "/org/"})
    assert response["Location"] == "/org/"
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {**data, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_it_refuses_a_wrong_password_with_one_message_for_every_cause(personas, login):
    wrong = login("coord_a", "not-the-password", HTTP_ACCEPT_LANGUAGE="en")
    unknown = login("nobody", "not-the-password", HTTP_ACCEPT_LANGUAGE="en")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "The username or password is not correct." in response.content.decode()
    assert "_auth_user_id" not in wrong.wsgi_request.session


def test_it_audits_failed_logins_without_the_password(personas, login):
    login("coord_a", "secret-guess-1")
    login("x" * 200, "secret-guess-2")
    known, unknown = events("login_failed")
    assert known.actor == personas["coord_a"] and known.object_repr == "coord_a"
    assert known.changes == {"reason": "password"}
    assert unknown.actor is None and unknown.object_id == ""
    assert unknown.object_repr == "x" * 150
    for event in (known, unknown):
        assert "secret-guess" not in event.canonical()


def test_it_refuses_an_inactive_account(personas, login):
    User.objects.filter(username="manager").update(is_active=False)
    response = login("manager")
    assert response.status_code == 200
    assert events("login") == []


def test_it_logs_out_by_post_only_and_audits_it(personas, login, client):
    login("auditor")
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert client.get("/accounts/profile/").status_code == 302
    [event] = events("logout")
    assert event.actor == personas["auditor"]


def test_it_sends_a_signed_in_user_away_from_the_login_page(personas, login, client):
    login("auditor")
    assert client.get("/accounts/login/")["Location"] == "/"


def test_it_lets_createsuperuser_make_an_audited_system_administrator(db, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Another-Horse-43!")
    call_command("createsuperuser", interactive=False, username="root", email="root@example.com")
    root = User.objects.get(username="root")
    assert root.is_superuser and root.role == "admin" and root.unit is None
    assert root.is_system_admin
    [event] = events("create", object_id=str(root.pk))
    assert "password" not in event.changes and event.changes["role"] == [None, "admin"]
