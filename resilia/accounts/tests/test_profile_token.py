"""The profile page, the user menu and the API token page."""

import re

import pytest

from resilia.accounts.models import ApiToken, User
from resilia.accounts.tests.conftest import events

pytestmark = pytest.mark.django_db


def shown_key(response) -> str:
    return re.search(r'data-testid="token-key">(\w+)<', response.content.decode()).group(1)


def test_it_shows_the_user_menu_items(personas, login, client):
    login("contrib_a")
    html = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for url in ("/accounts/profile/", "/accounts/security/", "/accounts/token/"):
        assert f'href="{url}"' in html


def test_it_saves_the_profile_and_audits_it(personas, login, client):
    login("contrib_a")
    response = client.post(
        "/accounts/profile/",
        {"first_name": "娜", "last_name": "李", "email": "li.na@example.com", "language": "en"},
    )
    assert response["Location"] == "/accounts/profile/"
    user = User.objects.get(username="contrib_a")
    assert (user.get_full_name(), user.email, user.language) == ("娜 李", "li.na@example.com", "en")
    [event] = events("update", object_id=str(user.pk))
    assert event.actor == user
    assert set(event.changes) == {"first_name", "last_name", "email", "language"}
    page = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.wsgi_request.LANGUAGE_CODE == "en"


def test_it_refuses_a_bad_email_in_chinese(personas, login, client):
    login("contrib_a")
    response = client.post(
        "/accounts/profile/",
        {"email": "not-an-address", "language": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200 and "请输入有效的电子邮箱地址。" in response.content.decode()
    assert User.objects.get(username="contrib_a").email == "contrib_a@example.com"


def test_it_creates_a_token_shown_once_and_usable(personas, login, client):
    login("coord_a")
    response = client.post("/accounts/token/", {"action": "create"})
    key = shown_key(response)
    token = ApiToken.objects.get(user=personas["coord_a"])
    assert token.digest == ApiToken.digest_of(key) != key
    assert key not in client.get("/accounts/token/").content.decode()
    [event] = events("token_create")
    assert event.actor == personas["coord_a"] and key not in event.canonical()
    api = client.__class__()
    assert api.get("/api/units/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_it_replaces_and_revokes_the_token(personas, login, client):
    login("coord_a")
    first = shown_key(client.post("/accounts/token/", {"action": "create"}))
    second = shown_key(client.post("/accounts/token/", {"action": "create"}))
    assert first != second
    assert events("token_create")[-1].changes == {"replaced": True}
    response = client.post("/accounts/token/", {"action": "revoke"})
    assert response["Location"] == "/accounts/token/"
    assert not ApiToken.objects.filter(user=personas["coord_a"]).exists()
    assert len(events("token_revoke")) == 1
    api = client.__class__()
    assert api.get("/api/units/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
    assert api.get("/api/units/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 401
