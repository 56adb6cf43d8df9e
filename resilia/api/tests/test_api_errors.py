"""Every error leaves the API as {"error": {code, message, ...}}, in the caller's language,
and bad input is a clean 4xx that changes nothing — never a 500 or an HTML page."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.throttling import BaseThrottle

from resilia.api import viewsets
from resilia.audit.models import AuditEvent
from resilia.org import api as org_api
from resilia.org import services as org
from resilia.org.models import Person, Site, Unit

pytestmark = pytest.mark.django_db


def _error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"] == response["X-Request-ID"]
    return error


def _zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def test_it_reports_missing_fields_in_chinese(api_for, world):
    response = api_for("manager", "zh-hans").post("/api/people/", {}, format="json")
    error = _error(response, 400, "validation_error")
    assert error["message"] == "提交的部分数据无效。"
    assert error["fields"] == {"full_name": ["此项为必填项。"], "unit": ["此项为必填项。"]}
    assert response["Content-Language"] == "zh-hans"


def test_it_reports_missing_fields_in_english(api_for, world):
    response = api_for("manager", "en").post("/api/units/", {"kind": "team"}, format="json")
    error = _error(response, 400, "validation_error")
    assert error["message"] == "Some of the submitted values are not valid."
    assert error["fields"] == {
        "code": ["This field is required."],
        "name": ["This field is required."],
    }


def test_it_speaks_the_language_of_the_user_profile(api_for, world, personas):
    personas["manager"].language = "zh-hans"
    personas["manager"].save()
    response = api_for("manager", "en").post("/api/sites/", {"name": "x"}, format="json")
    error = _error(response, 400, "validation_error")
    assert error["fields"]["code"] == ["此项为必填项。"]


def test_it_turns_model_validation_into_field_errors_and_saves_nothing(api_for, world):
    alice = world["alice"]
    before = AuditEvent.objects.count()
    response = api_for("coord_a", "zh-hans").patch(
        f"/api/people/{alice.pk}/", {"deputy": alice.pk}, format="json"
    )
    error = _error(response, 400, "validation_error")
    assert error["fields"] == {"deputy": [_zh("A person cannot be their own deputy.")]}
    alice.refresh_from_db()
    assert alice.deputy_id is None
    assert AuditEvent.objects.count() == before


def test_it_refuses_to_move_a_unit_under_its_own_subtree(api_for, world):
    dept_a = world["dept_a"]
    response = api_for("admin").patch(
        f"/api/units/{dept_a.pk}/", {"parent": world["a_team_unit"].pk}, format="json"
    )
    error = _error(response, 400, "validation_error")
    assert error["fields"] == {"parent": ["A unit cannot move under its own subtree."]}
    dept_a.refresh_from_db()
    assert dept_a.parent == world["company"]


def test_it_reports_a_duplicate_code_on_the_field(api_for, world):
    response = api_for("admin").post(
        "/api/sites/", {"code": "SITE-A", "name": "重复", "kind": "office"}, format="json"
    )
    error = _error(response, 400, "validation_error")
    assert list(error["fields"]) == ["code"]
    assert Site.objects.filter(code="SITE-A").count() == 1


def test_it_reports_a_duplicate_membership_with_the_models_message(api_for, world):
    membership = world["membership_a"]
    response = api_for("admin", "zh-hans").post(
        "/api/team-memberships/",
        {"team": membership.team_id, "person": membership.person_id},
        format="json",
    )
    error = _error(response, 400, "validation_error")
    assert error["fields"] == {
        "non_field_errors": [_zh("This person is already a member of the team.")]
    }


def test_it_rejects_unknown_fields_in_the_body(api_for, world):
    alice = world["alice"]
    response = api_for("admin", "zh-hans").patch(
        f"/api/people/{alice.pk}/", {"ful_name": "错字"}, format="json"
    )
    error = _error(response, 400, "validation_error")
    assert error["fields"] == {"ful_name": ["未知字段。"]}


@pytest.mark.parametrize(
    "body",
    ["{not json", "[1, 2]", '"a string"', "null", "12"],
    ids=["bad", "list", "str", "null", "num"],
)
def test_it_answers_malformed_bodies_with_a_400(api_for, world, body):
    count = Person.objects.count()
    response = api_for("admin", "zh-hans").post(
        "/api/people/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("parse_error", "validation_error")
    if body == "{not json":
        error = response.json()["error"]
        assert error["message"] == "请求正文不是有效的 JSON。"
        assert "JSON parse error" in error["detail"]
    assert Person.objects.count() == count


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_it_answers_a_wrong_content_type_with_a_415(api_for, world, content_type):
    response = api_for("admin").post("/api/sites/", "code=X", content_type=content_type)
    _error(response, 415, "unsupported_media_type")
    assert not Site.objects.filter(code="X").exists()


def test_it_answers_an_unacceptable_accept_header_with_a_406(api_for, world):
    response = api_for("admin").get("/api/sites/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


@pytest.mark.parametrize(
    "path",
    [
        "/api/people/abc/",
        "/api/people/1.5/",
        "/api/people/-1/",
        "/api/people/99999999999999999999999/",
        "/api/no-such-endpoint/",
        "/api/people/1/extra/",
    ],
)
def test_it_answers_unknown_paths_and_ids_with_a_json_404(api_for, world, path):
    error = _error(api_for("admin", "zh-hans").get(path), 404, "not_found")
    assert error["message"] == "未找到。"


def test_it_rejects_unknown_query_parameters(api_for, world):
    error = _error(api_for("admin").get("/api/people/?knid=office"), 400, "validation_error")
    assert list(error["fields"]) == ["knid"]
    assert "is_key_person" in error["fields"]["knid"][0]


@pytest.mark.parametrize(
    "query",
    [
        "kind=planet",
        "parent=abc",
        "parent=99999999999999999999999",
        "ordering=password",
        "ordering=",
        "ordering=-",
    ],
)
def test_it_rejects_invalid_filter_values_with_a_400(api_for, world, query):
    response = api_for("admin").get(f"/api/units/?{query}")
    error = _error(response, 400, "validation_error")
    assert list(error["fields"]) == [query.split("=")[0]]


@pytest.mark.parametrize("page", ["0", "abc", "99999999999999999999", "-3", "2"])
def test_it_answers_pages_out_of_range_with_a_404(api_for, world, page):
    _error(api_for("admin").get(f"/api/people/?page={page}"), 404, "not_found")


def test_it_answers_an_id_out_of_range_in_a_reference_with_a_400(api_for, world):
    response = api_for("admin").post(
        "/api/people/", {"full_name": "x", "unit": 99999999999999999999999}, format="json"
    )
    assert list(_error(response, 400, "validation_error")["fields"]) == ["unit"]


def test_it_answers_a_protected_delete_with_a_translated_409(api_for, world):
    dept_a = world["dept_a"]
    before = AuditEvent.objects.count()
    response = api_for("admin", "zh-hans").delete(f"/api/units/{dept_a.pk}/")
    error = _error(response, 409, "protected")
    assert error["message"].startswith("该记录仍被其他记录引用，无法删除")
    assert Unit.objects.filter(pk=dept_a.pk).exists()
    assert AuditEvent.objects.count() == before


def test_it_names_no_blocking_record_in_a_409(api_for, world):
    response = api_for("admin", "en").delete(f"/api/people/{world['alice'].pk}/")
    error = _error(response, 409, "protected")
    # Kinds and counts only: the memberships may belong to teams outside the user's scope.
    assert "(2)" in error["message"]
    assert "领导小组" not in error["message"] and "A应急小组" not in error["message"]


def test_it_answers_anonymous_clients_with_a_401_and_how_to_authenticate(api_for, world):
    response = api_for("outsider", "zh-hans").get("/api/people/")
    _error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_it_answers_a_bad_token_with_a_401(api_for, world):
    client = api_for("outsider")
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    _error(client.get("/api/people/"), 401, "authentication_failed")


def test_it_answers_a_closed_kind_with_a_translated_403(api_for, world):
    error = _error(api_for("executive", "zh-hans").get("/api/people/"), 403, "permission_denied")
    assert error["message"] == "您没有执行该操作的权限。"


def test_it_answers_a_wrong_method_with_a_405(api_for, world):
    response = api_for("admin").delete("/api/people/")
    _error(response, 405, "method_not_allowed")


class _AlwaysThrottled(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return 30


def test_it_answers_throttled_requests_with_a_429_and_retry_after(api_for, world, monkeypatch):
    monkeypatch.setattr(org_api.PersonViewSet, "throttle_classes", [_AlwaysThrottled])
    response = api_for("admin").get("/api/people/")
    _error(response, 429, "throttled")
    assert response["Retry-After"] == "30"


def _services_raising(exc):
    def fail(**kwargs):
        raise exc

    return viewsets.Services(fail, org.person_update, org.person_delete, "person")


def test_it_answers_an_unexpected_failure_with_a_json_500(api_for, world, monkeypatch, caplog):
    monkeypatch.setattr(
        org_api.PersonViewSet, "services", _services_raising(RuntimeError("disk on fire"))
    )
    response = api_for("admin", "zh-hans").post(
        "/api/people/", {"full_name": "x", "unit": world["dept_a"].pk}, format="json"
    )
    error = _error(response, 500, "server_error")
    assert "disk on fire" not in response.content.decode()
    assert error["message"] == _zh(
        "An unexpected error occurred. It has been logged; quote the request id when you report it."
    )
    assert "disk on fire" in caplog.text


def test_it_answers_a_database_conflict_with_a_409(api_for, world, monkeypatch):
    monkeypatch.setattr(
        org_api.PersonViewSet, "services", _services_raising(IntegrityError("duplicate key"))
    )
    response = api_for("admin").post(
        "/api/people/", {"full_name": "x", "unit": world["dept_a"].pk}, format="json"
    )
    _error(response, 409, "conflict")


# --- garbage never reaches a 500 ----------------------------------------------------------

GARBAGE = ["abc", "99999999999999999999999", "-1", "1.5", "", "\x00", "0001-01-01", "é" * 300]
LIST_PARAMS = {
    "units": ["q", "kind", "parent", "ordering", "page", "page_size"],
    "people": ["q", "unit", "site", "is_key_person", "has_deputy", "is_active"],
    "sites": ["q", "kind", "unit"],
    "teams": ["q", "kind", "unit", "member"],
    "team-memberships": ["q", "team", "person", "role"],
    "audit-events": [
        "actor",
        "action",
        "object_type",
        "object_id",
        "request_id",
        "since",
        "until",
        "date_from",
        "date_to",
        "source",
        "q",
    ],
}


@pytest.mark.parametrize("endpoint", list(LIST_PARAMS))
def test_it_never_answers_garbage_query_values_with_a_500(api_for, world, endpoint):
    client = api_for("admin")
    for param in LIST_PARAMS[endpoint]:
        for value in GARBAGE:
            response = client.get(f"/api/{endpoint}/", {param: value})
            assert response.status_code in (200, 400, 404), (param, value, response.content)
            if response.status_code != 200:
                assert response.json()["error"]["code"] in ("validation_error", "not_found")


BODY_FIELDS = {
    "units": ["code", "name", "kind", "parent", "head"],
    "people": ["full_name", "unit", "site", "deputy", "mobile", "email", "is_key_person"],
    "sites": ["code", "kind", "seat_capacity", "unit"],
    "teams": ["code", "kind", "unit"],
    "team-memberships": ["team", "person", "role"],
}
BODY_GARBAGE = [None, "", "\x00", -1, 2**70, 1.5, [], {}, "x" * 1000, True]


@pytest.mark.parametrize("endpoint", list(BODY_FIELDS))
def test_it_never_answers_garbage_field_values_with_a_500(api_for, world, endpoint):
    client = api_for("admin")
    target = {
        "units": "a_empty",
        "people": "dave",
        "sites": "site_a",
        "teams": "team_a",
        "team-memberships": "membership_a",
    }[endpoint]
    url = f"/api/{endpoint}/{world[target].pk}/"
    events = AuditEvent.objects.count()
    for field in BODY_FIELDS[endpoint]:
        for value in BODY_GARBAGE:
            response = client.patch(url, {field: value}, format="json")
            assert response.status_code in (200, 400), (field, value, response.content)
            if response.status_code == 400:
                assert list(response.json()["error"]["fields"]) == [field]
    # Every accepted value was a real change, and audited as such: nothing unaudited slipped in.
    assert AuditEvent.objects.count() >= events
