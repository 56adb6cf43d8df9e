"""Lock-out after repeated failures, per account and client address, in both languages, and
the administrator's unlock."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from resilia.accounts.models import LoginLock, User
from resilia.accounts.tests.conftest import PASSWORD, events

pytestmark = pytest.mark.django_db

LOCKED_EN = "this account is locked for 15 minutes"
LOCKED_ZH = "该账户已锁定 15 分钟"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15


def sign_in(address: str, username: str, password: str = PASSWORD, **extra):
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        "/accounts/login/", {"username": username, "password": password}, **extra
    )
    return client, response


def test_it_locks_the_account_at_the_limit_and_says_so_in_chinese(personas, login):
    for _ in range(2):
        response = login("coord_a", "wrong", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert "用户名或密码不正确" in response.content.decode()
    assert User.objects.get(username="coord_a").failed_logins == 2
    response = login("coord_a", "wrong", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert LOCKED_ZH in response.content.decode()
    user = User.objects.get(username="coord_a")
    assert user.is_locked()
    assert user.locked_until > timezone.now() + dt.timedelta(minutes=14)
    [lockout] = events("lockout")
    assert lockout.actor == user and lockout.changes["minutes"] == 15
    assert lockout.changes["address"] == "127.0.0.1"
    assert len(events("login_failed")) == 3


def test_it_refuses_the_right_password_while_locked_in_english(personas, login, client):
    for _ in range(3):
        login("coord_a", "wrong")
    response = login("coord_a", HTTP_ACCEPT_LANGUAGE="en")
    assert LOCKED_EN in response.content.decode()
    assert client.get("/accounts/profile/").status_code == 302
    assert events("login") == []
    assert events("login_failed")[-1].changes == {"reason": "locked"}


def test_it_does_not_let_an_outsider_lock_the_administrator_out(personas):
    for _ in range(5):
        _, response = sign_in(ATTACKER, "admin", "wrong", HTTP_ACCEPT_LANGUAGE="en")
    assert LOCKED_EN in response.content.decode()
    _, response = sign_in(ATTACKER, "admin", HTTP_ACCEPT_LANGUAGE="en")
    assert LOCKED_EN in response.content.decode()
    owner, response = sign_in(OWNER, "admin")
    assert response["Location"] == "/"
    assert owner.get("/accounts/profile/").status_code == 200
    # The owner's success does not lift the attacker's lock.
    _, response = sign_in(ATTACKER, "admin", HTTP_ACCEPT_LANGUAGE="en")
    assert LOCKED_EN in response.content.decode()
    [lockout] = events("lockout")
    assert lockout.changes["address"] == ATTACKER


def test_it_counts_case_variants_of_a_name_as_one(personas):
    for name in ("COORD_A", "Coord_A", "coord_a"):
        sign_in(ATTACKER, name, "wrong")
    assert LoginLock.objects.get(address=ATTACKER).is_active()


def test_it_locks_unknown_names_alike_so_they_cannot_be_told_apart(db, login):
    for _ in range(2):
        response = login("ghost", "wrong", HTTP_ACCEPT_LANGUAGE="en")
        assert "The username or password is not correct." in response.content.decode()
    response = login("ghost", "wrong", HTTP_ACCEPT_LANGUAGE="en")
    assert LOCKED_EN in response.content.decode()
    assert all(event.actor is None for event in events("login_failed"))
    assert not User.objects.filter(username="ghost").exists()


def test_it_lets_the_lock_expire(personas, login, client):
    for _ in range(3):
        login("coord_a", "wrong")
    LoginLock.objects.filter(username="coord_a").update(
        locked_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert login("coord_a")["Location"] == "/"


def test_it_resets_the_counter_on_success(personas, login, client):
    login("coord_a", "wrong")
    login("coord_a", "wrong")
    login("coord_a")
    assert User.objects.get(username="coord_a").failed_logins == 0
    client.post("/accounts/logout/")
    login("coord_a", "wrong")
    login("coord_a", "wrong")
    assert not User.objects.get(username="coord_a").is_locked()


def test_it_lets_an_administrator_unlock(personas, login, client_for):
    for _ in range(3):
        login("coord_a", "wrong")
    target = User.objects.get(username="coord_a")
    admin = client_for("admin")
    page = admin.get(f"/accounts/users/{target.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Unlock" in page.content.decode()
    listing = admin.get("/accounts/users/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Locked" in listing
    response = admin.post(f"/accounts/users/{target.pk}/unlock/")
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_locked() and target.failed_logins == 0
    [event] = events("unlock")
    assert event.actor == personas["admin"] and event.object_id == str(target.pk)
    assert login("coord_a")["Location"] == "/"


def test_it_refuses_unlock_to_non_administrators(personas, client_for):
    target = personas["coord_b"]
    response = client_for("manager").post(f"/accounts/users/{target.pk}/unlock/")
    assert response.status_code == 403
    assert events("unlock") == []
