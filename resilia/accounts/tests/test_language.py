"""The profile language wins over the browser; switching saves it; anonymous: cookie, browser."""

import pytest

from resilia.accounts.models import User
from resilia.accounts.tests.conftest import events

pytestmark = pytest.mark.django_db


def _lang(response):
    return response.wsgi_request.LANGUAGE_CODE


def test_it_uses_the_profile_language_over_the_browser(personas, login, client):
    User.objects.filter(username="coord_a").update(language="en")
    login("coord_a", HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _lang(response) == "en"
    assert "Profile" in response.content.decode()


def test_it_follows_the_browser_when_the_profile_has_no_language(personas, login, client):
    login("coord_a")
    response = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="en")
    assert _lang(response) == "en"
    response = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _lang(response) == "zh-hans" and "个人资料" in response.content.decode()


def test_it_saves_a_signed_in_users_switch_in_the_profile(personas, login, client):
    login("coord_a")
    response = client.post("/accounts/language/", {"language": "en", "next": "/accounts/profile/"})
    assert response["Location"] == "/accounts/profile/"
    assert User.objects.get(username="coord_a").language == "en"
    assert _lang(client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="zh-hans")) == "en"
    [event] = events("update", object_id=str(personas["coord_a"].pk))
    assert event.changes == {"language": ["", "en"]}
    # And it holds at the next sign-in, from any browser.
    client.post("/accounts/logout/")
    client.cookies.clear()
    login("coord_a", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _lang(client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="zh-hans")) == "en"


def test_it_lets_anonymous_users_switch_by_cookie(db, client):
    response = client.post("/accounts/language/", {"language": "en", "next": "/accounts/login/"})
    assert response.cookies["django_language"].value == "en"
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _lang(page) == "en" and "Sign in to your account" in page.content.decode()
    assert events("update") == []


def test_it_ignores_an_unknown_language(personas, login, client):
    login("coord_a")
    client.post("/accounts/language/", {"language": "xx", "next": "/accounts/profile/"})
    assert User.objects.get(username="coord_a").language == ""


def test_it_uses_the_header_switcher_of_the_logged_in_shell(personas, login, client):
    login("coord_a")
    html = client.get("/accounts/profile/").content.decode()
    assert 'action="/accounts/language/"' in html
