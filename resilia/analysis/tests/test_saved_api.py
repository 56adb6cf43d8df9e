"""The saved what-ifs' API on the worked bank model (see conftest): save, list, read, re-run,
compare, delete — the same services, access and audit events as the pages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from resilia.accounts.tests.tokens import api_key
from resilia.analysis.models import SavedWhatIf
from resilia.analysis.tests.conftest import B_MARK
from resilia.audit.models import AuditEvent
from resilia.dependencies import services as dep

pytestmark = pytest.mark.django_db
URL = "/api/analysis/saved-whatifs/"
AT = "2026-05-01T09:00:00+08:00"


@pytest.fixture
def api(personas):
    def make(name):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(personas[name])}")
        return client

    return make


def test_save_read_rerun_compare_delete(api, bank):
    client = api("manager")
    both = client.post(
        URL, {"name": "两个机房", "fail": ["site:DC-MAIN", "site:DC-DR"], "at": AT}, format="json"
    )
    assert both.status_code == 201, both.content
    main = client.post(URL, {"name": "主机房", "fail": ["site:DC-MAIN"]}, format="json")
    assert main.status_code == 201 and main.json()["at"] is None
    one = client.get(f"{URL}{both.json()['id']}/").json()
    assert [r["code"] for r in one["result"]] == ["PAY", "LOAN", "REPORT"]
    assert one["result"][0]["rto_breach_at"] == 60 and one["result"][0]["mtpd_breach_at"] == 240
    dep.activity_update(actor=None, activity=bank["pay"], rto=120)
    rerun = client.get(f"{URL}{both.json()['id']}/rerun/").json()
    assert rerun["revision_b"] > rerun["revision_a"]
    assert [(c["code"], c["status"], c["shift"]["rto"]) for c in rerun["changes"]] == [
        ("PAY", "moved", 60)
    ]
    compared = client.get(f"{URL}compare/", {"a": main.json()["id"], "b": both.json()["id"]})
    assert {c["code"]: c["status"] for c in compared.json()["changes"]} == {
        "PAY": "only_b",
        "LOAN": "only_b",
        "REPORT": "only_b",
    }
    assert client.delete(f"{URL}{main.json()['id']}/").status_code == 204
    assert SavedWhatIf.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="analysis.savedwhatif", action="delete").exists()


def test_bad_input_is_a_400_and_saves_nothing(api, bank):
    client = api("manager")
    for body in (
        {"name": "x", "fail": ["resource:NOPE"]},
        {"name": "", "fail": ["resource:CORE"]},
        {"fail": ["resource:CORE"]},
        {"name": "x", "fail": ["resource:CORE"], "at": "1900-01-01T00:00:00Z"},
        {"name": "x", "fail": ["resource:CORE"], "junk": 1},
        ["not", "an", "object"],
    ):
        assert client.post(URL, body, format="json").status_code == 400, body
    assert client.get(f"{URL}compare/", {"a": 1}).status_code == 400
    assert client.get(f"{URL}compare/", {"a": "x", "b": "y"}).status_code == 404
    assert client.get(URL, {"nope": 1}).status_code == 400
    assert not SavedWhatIf.objects.exists()


def test_access_owner_and_office_and_scope(api, bank, django_assert_max_num_queries):
    mine = api("coord_a").post(URL, {"name": "核心", "fail": ["resource:CORE"]}, format="json")
    pk = mine.json()["id"]
    assert api("coord_b").get(f"{URL}{pk}/").status_code == 404
    assert api("coord_b").delete(f"{URL}{pk}/").status_code == 404
    assert api("auditor").delete(f"{URL}{pk}/").status_code == 403
    assert (
        api("auditor")
        .post(URL, {"name": "x", "fail": ["resource:CORE"]}, format="json")
        .status_code
        == 403
    )
    assert api("coord_b").get(URL).json()["count"] == 0
    # The whole model is kept; coordinator A is shown PAY only (LOAN is DEPT-B's).
    seen = api("coord_a").get(f"{URL}{pk}/").json()
    assert [r["code"] for r in seen["result"]] == ["PAY"] and seen["hidden"] == 1
    assert B_MARK not in str(seen)
    whole = api("manager").get(f"{URL}{pk}/").json()["result"]
    assert {r["code"] for r in whole} == {"PAY", "LOAN"}
    api("manager").post(
        URL, {"name": "两个", "fail": ["site:DC-MAIN", "site:DC-DR"]}, format="json"
    )
    client = api("manager")
    client.get(URL)
    with django_assert_max_num_queries(6):
        listed = client.get(URL).json()
    assert listed["count"] == 2
    assert sorted(r["activities"] for r in listed["results"]) == [2, 3]
