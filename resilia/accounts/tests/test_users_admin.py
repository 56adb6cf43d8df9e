"""User administration: only system administrators, audited, validated in both languages."""

import re

import pytest

from resilia.accounts.models import Role, User
from resilia.accounts.tests.conftest import events
from resilia.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NON_ADMINS = ["manager", "coord_a", "contrib_a", "auditor", "executive"]


def _form(user, **overrides):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
        "role": user.role,
        "unit": user.unit_id or "",
        "person": user.person_id or "",
        "is_active": "on" if user.is_active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("persona", NON_ADMINS)
@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/accounts/users/"),
        ("get", "/accounts/users/new/"),
        ("post", "/accounts/users/new/"),
        ("get", "/accounts/users/{pk}/"),
        ("post", "/accounts/users/{pk}/"),
        ("post", "/accounts/users/{pk}/unlock/"),
        ("post", "/accounts/users/{pk}/reset-2fa/"),
    ],
)
def test_it_closes_user_administration_to_other_roles(personas, client_for, persona, method, path):
    target = personas["coord_b"]
    response = getattr(client_for(persona), method)(path.format(pk=target.pk))
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == Role.COORDINATOR
    assert not User.objects.filter(username="").exists()


def test_it_shows_users_in_the_nav_for_administrators_only(personas, client_for):
    admin_page = client_for("admin").get("/accounts/profile/").content.decode()
    manager_page = client_for("manager").get("/accounts/profile/").content.decode()
    assert 'href="/accounts/users/"' in admin_page and "ti-user-cog" in admin_page
    assert 'href="/accounts/users/"' not in manager_page


def test_it_lists_searches_and_filters_users(personas, org_tree, client_for):
    admin = client_for("admin")
    page = admin.get("/accounts/users/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name in ("admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor"):
        assert f">{name}</a>" in page
    page = admin.get("/accounts/users/?q=coord").content.decode()
    assert ">coord_a</a>" in page and ">manager</a>" not in page
    page = admin.get(f"/accounts/users/?unit={org_tree['dept_a'].pk}").content.decode()
    assert ">coord_a</a>" in page and ">contrib_a</a>" in page and ">coord_b</a>" not in page
    page = admin.get("/accounts/users/?role=auditor").content.decode()
    assert ">auditor</a>" in page and ">admin</a>" not in page
    User.objects.filter(username="executive").update(is_active=False)
    page = admin.get("/accounts/users/?is_active=false").content.decode()
    assert ">executive</a>" in page and ">auditor</a>" not in page


def test_it_lists_users_in_a_bounded_number_of_queries(
    personas, org_tree, client_for, django_assert_max_num_queries
):
    for i in range(30):
        User.objects.create(username=f"bulk{i}", role=Role.COORDINATOR, unit=org_tree["dept_a"])
    admin = client_for("admin")
    with django_assert_max_num_queries(12):
        response = admin.get("/accounts/users/?per_page=50")
    assert response.content.decode().count("/accounts/users/") > 30


def test_it_creates_a_user_and_audits_it_without_the_password(personas, org_tree, client_for):
    response = client_for("admin").post(
        "/accounts/users/new/",
        {
            "username": "liu.yang",
            "first_name": "洋",
            "last_name": "刘",
            "email": "liu.yang@example.com",
            "language": "zh-hans",
            "role": Role.COORDINATOR,
            "unit": org_tree["dept_b"].pk,
            "is_active": "on",
            "password1": "Fresh-Horse-99!",
            "password2": "Fresh-Horse-99!",
        },
    )
    user = User.objects.get(username="liu.yang")
    assert response["Location"] == f"/accounts/users/{user.pk}/"
    assert user.unit == org_tree["dept_b"] and user.check_password("Fresh-Horse-99!")
    [event] = events("create", object_id=str(user.pk))
    assert event.actor == personas["admin"]
    assert event.changes["role"] == [None, "coordinator"]
    assert "password" not in event.changes and "Fresh-Horse" not in event.canonical()


@pytest.mark.parametrize(
    "language,message", [("en", "need a unit"), ("zh-hans", "必须指定组织单元")]
)
def test_it_requires_a_unit_for_scoped_roles(personas, client_for, language, message):
    response = client_for("admin").post(
        "/accounts/users/new/",
        {
            "username": "no.unit",
            "role": Role.CONTRIBUTOR,
            "is_active": "on",
            "password1": "Fresh-Horse-99!",
            "password2": "Fresh-Horse-99!",
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not User.objects.filter(username="no.unit").exists()
    assert events("create", object_repr="no.unit") == []


def test_it_refuses_a_weak_password_on_creation(personas, client_for):
    response = client_for("admin").post(
        "/accounts/users/new/",
        {"username": "weak", "role": Role.AUDITOR, "password1": "123", "password2": "123"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200 and "密码" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_it_audits_role_and_scope_changes_as_permission_changes(
    personas, org_tree, people, client_for
):
    target = personas["coord_b"]
    response = client_for("admin").post(
        f"/accounts/users/{target.pk}/",
        _form(
            target,
            role=Role.CONTRIBUTOR,
            unit=org_tree["dept_a"].pk,
            person=people["carol"].pk,
            first_name="芳",
        ),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.CONTRIBUTOR and target.unit == org_tree["dept_a"]
    [perm] = events("permission_change")
    assert perm.actor == personas["admin"] and perm.object_id == str(target.pk)
    assert perm.changes == {
        "role": ["coordinator", "contributor"],
        "unit_id": [org_tree["dept_b"].pk, org_tree["dept_a"].pk],
    }
    [update] = events("update", object_id=str(target.pk))
    assert set(update.changes) == {"first_name", "person_id"}


def test_it_deactivates_a_user_who_then_cannot_sign_in(personas, client_for, client):
    target = personas["auditor"]
    client_for("admin").post(f"/accounts/users/{target.pk}/", _form(target, is_active=""))
    assert not User.objects.get(pk=target.pk).is_active
    [perm] = events("permission_change")
    assert perm.changes == {"is_active": [True, False]}
    response = client.post("/accounts/login/", {"username": "auditor", "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "language,message", [("en", "last active system administrator"), ("zh-hans", "最后一个")]
)
@pytest.mark.parametrize("change", [{"role": Role.AUDITOR}, {"is_active": ""}])
def test_it_keeps_the_last_administrator(personas, client_for, language, message, change):
    admin = personas["admin"]
    response = client_for("admin").post(
        f"/accounts/users/{admin.pk}/", _form(admin, **change), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200 and message in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN and admin.is_active
    assert events("permission_change") == []


def test_it_lets_an_administrator_step_down_when_another_remains(personas, client_for):
    User.objects.create(username="admin2", role=Role.ADMIN)
    admin = personas["admin"]
    response = client_for("admin").post(
        f"/accounts/users/{admin.pk}/", _form(admin, role=Role.BCM_MANAGER)
    )
    assert response.status_code == 302
    assert User.objects.get(pk=admin.pk).role == Role.BCM_MANAGER


def test_it_refuses_a_duplicate_username(personas, client_for):
    target = personas["auditor"]
    response = client_for("admin").post(
        f"/accounts/users/{target.pk}/", _form(target, username="manager")
    )
    assert response.status_code == 200
    assert User.objects.get(pk=target.pk).username == "auditor"
    assert events("update", object_id=str(target.pk)) == []


def test_it_exports_the_user_list_and_audits_the_export(personas, client_for):
    response = client_for("admin").get("/accounts/users/?export=csv")
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "coord_a" in body and "password" not in body.lower()
    [event] = events("export")
    assert event.object_type == "accounts.user"


def test_it_names_each_user_and_shows_whether_two_factor_is_on(personas, client_for):
    """Issue 7 item 6: the user list said nothing in the Name and two-factor columns for
    accounts named only by their person record, and printed 2FA as a raw boolean."""
    User.objects.filter(username="manager").update(totp_enabled=True)
    page = client_for("admin").get("/accounts/users/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = {
        re.search(r">([a-z_]+)</a>", row).group(1): re.sub(r"\s+", " ", row)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page.content.decode(), re.S)[1:]
    }
    assert "李娜" in rows["contrib_a"]  # the person record of the account
    assert "已开启" in rows["manager"] and "未开启" in rows["auditor"]
