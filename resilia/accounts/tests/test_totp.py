"""The optional TOTP second factor: enrolment, the code page, lock-out and removal."""

import time

import pyotp
import pytest

from resilia.accounts import services, totp
from resilia.accounts.models import User
from resilia.accounts.tests.conftest import events

pytestmark = pytest.mark.django_db


def code_for(secret, steps_ahead=0):
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


@pytest.fixture
def totp_user(personas):
    """coord_a with TOTP on; its last accepted step is in the past."""
    user = personas["coord_a"]
    secret = totp.new_secret()
    User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_enabled=True)
    user.refresh_from_db()
    return user


def test_it_enrols_with_a_qr_code_and_a_confirming_code(personas, login, client):
    login("manager")
    page = client.get("/accounts/security/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    secret = client.session["totp_setup_secret"]
    assert secret in html and "otpauth://totp/Resilia:manager" in html
    assert "<svg" in html
    response = client.post("/accounts/security/", {"code": "000000"})
    assert response.status_code == 200
    assert not User.objects.get(username="manager").totp_enabled
    response = client.post("/accounts/security/", {"code": code_for(secret)})
    assert response["Location"] == "/accounts/security/"
    user = User.objects.get(username="manager")
    assert user.totp_enabled and user.totp_secret == secret
    [event] = events("totp_enable")
    assert event.actor == user and secret not in event.canonical()


def test_it_asks_for_the_code_before_anything_else(totp_user, login, client):
    response = login("coord_a")
    assert response["Location"] == "/accounts/login/code/"
    for path in ("/", "/accounts/profile/", "/org/units/", "/audit/"):
        assert client.get(path)["Location"] == "/accounts/login/code/", path
    assert client.get("/accounts/login/code/").status_code == 200
    assert client.get("/static/core/resilia.css").status_code == 200
    assert events("login") == []
    response = client.post("/accounts/login/code/", {"code": code_for(totp_user.totp_secret)})
    assert response["Location"] == "/"
    assert client.get("/accounts/profile/").status_code == 200
    [event] = events("login")
    assert event.changes == {"second_factor": True}


def test_it_refuses_a_replayed_code(totp_user, login, client):
    code = code_for(totp_user.totp_secret)
    login("coord_a")
    client.post("/accounts/login/code/", {"code": code})
    client.post("/accounts/logout/")
    login("coord_a")
    response = client.post("/accounts/login/code/", {"code": code}, HTTP_ACCEPT_LANGUAGE="en")
    assert "The code is not valid" in response.content.decode()
    assert len(events("login")) == 1


def test_it_counts_wrong_codes_toward_lock_out(totp_user, login, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    login("coord_a")
    for _ in range(2):
        response = client.post(
            "/accounts/login/code/", {"code": "000000"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert "验证码无效" in response.content.decode()
    response = client.post("/accounts/login/code/", {"code": "000000"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "该账户已锁定" in response.content.decode()
    assert User.objects.get(pk=totp_user.pk).is_locked()
    assert [e.changes["reason"] for e in events("login_failed")] == ["totp"] * 3
    assert len(events("lockout")) == 1
    assert client.get("/accounts/profile/").status_code == 302


def test_it_does_not_gate_api_token_requests(totp_user, client, login):
    token = services.token_create(actor=totp_user)
    response = client.get("/api/units/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    # A half-signed-in browser session, though, does not reach the API.
    login("coord_a")
    assert client.get("/api/units/")["Location"] == "/accounts/login/code/"


def test_it_disables_only_with_a_valid_code(totp_user, login, client):
    login("coord_a")
    client.post("/accounts/login/code/", {"code": code_for(totp_user.totp_secret)})
    response = client.post("/accounts/security/", {"code": "123456"})
    assert response.status_code == 200
    assert User.objects.get(pk=totp_user.pk).totp_enabled
    response = client.post("/accounts/security/", {"code": code_for(totp_user.totp_secret, 1)})
    assert response["Location"] == "/accounts/security/"
    user = User.objects.get(pk=totp_user.pk)
    assert not user.totp_enabled and user.totp_secret == ""
    [event] = events("totp_disable")
    assert event.actor == user and event.changes == {"by_admin": False}


def test_it_lets_an_administrator_remove_the_second_factor(totp_user, client_for, personas):
    response = client_for("admin").post(f"/accounts/users/{totp_user.pk}/reset-2fa/")
    assert response.status_code == 302
    assert not User.objects.get(pk=totp_user.pk).totp_enabled
    [event] = events("totp_disable")
    assert event.actor == personas["admin"] and event.changes == {"by_admin": True}


def test_it_verifies_codes_in_a_window_of_one_step():
    secret = totp.new_secret()
    now = 1_700_000_000
    otp = pyotp.TOTP(secret)
    assert totp.verify(secret, otp.at(now), now=now) == now // 30
    assert totp.verify(secret, otp.at(now - 30), now=now) == now // 30 - 1
    assert totp.verify(secret, otp.at(now - 90), now=now) is None
    assert totp.verify(secret, otp.at(now), now=now, after_step=now // 30) is None
    assert totp.verify(secret, "abc123", now=now) is None
