"""The strategies API: options through the services and the choke point, decisions, tests."""

import json

import pytest

from resilia.audit.models import AuditEvent
from resilia.dependencies.models import Resource
from resilia.strategies.models import Option, Status
from resilia.strategies.tests.conftest import H, make_option


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_it_creates_lists_and_filters_options(setup, client_for, django_assert_max_num_queries):
    client = client_for("coord_a")
    created = post(
        client,
        "/api/strategies/options/",
        {"activity": setup["pay"].pk, "name": "人工操作方案", "kind": "manual_workaround",
         "recovery_time": 2 * H, "cost_yearly": "20000.00", "seats_needed": 4},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["family"], body["seats_needed"]) == ("proposed", "preventive", 4)
    assert AuditEvent.objects.filter(action="create", object_id=str(body["id"]),
                                     object_type="strategies.option").exists()  # fmt: skip
    for n in range(10):
        make_option(setup["db"], name=f"方案{n}", kind="monitoring")
    make_option(setup["branch"], name="乙部门专属方案")
    with django_assert_max_num_queries(12):
        listed = client.get("/api/strategies/options/?family=monitoring")
    names = [row["name"] for row in listed.json()["results"]]
    assert len(names) == 10 and "乙部门专属方案" not in names
    assert client.get("/api/strategies/options/?bogus=1").status_code == 400


@pytest.mark.parametrize(
    "case",
    ["no subject", "subject not an id", "unknown kind", "negative cost", "both subjects"],
)
def test_it_refuses_bad_input_with_400(setup, client_for, case):
    pay, db = setup["pay"].pk, setup["db"].pk
    payload = {
        "no subject": {"name": "x", "kind": "monitoring"},
        "subject not an id": {"name": "x", "kind": "monitoring", "activity": "PAY"},
        "unknown kind": {"name": "x", "kind": "teleport", "activity": pay},
        "negative cost": {"name": "x", "kind": "monitoring", "activity": pay, "cost_once": "-1"},
        "both subjects": {"name": "x", "kind": "monitoring", "activity": pay, "resource": db},
    }[case]
    response = post(client_for("manager"), "/api/strategies/options/", payload)
    assert response.status_code == 400, response.content
    assert not Option.objects.exists()


def test_it_refuses_an_option_for_a_subject_out_of_scope(setup, client_for):
    response = post(client_for("coord_b"), "/api/strategies/options/",
                    {"activity": setup["pay"].pk, "name": "x", "kind": "monitoring"})  # fmt: skip
    assert response.status_code in (400, 403) and not Option.objects.exists()


def test_decisions_and_tests_through_the_api(setup, client_for):
    option = make_option(setup["db"], name="数据库热备")
    url = f"/api/strategies/options/{option.pk}"
    refused = post(client_for("coord_a"), f"{url}/choose/", {"reason": "ok"})
    assert refused.status_code == 403
    assert post(client_for("manager"), f"{url}/choose/", {}).status_code == 400
    chosen = post(client_for("manager"), f"{url}/choose/", {"reason": "满足RTO"})
    assert chosen.status_code == 200 and chosen.json()["status"] == "chosen"
    assert post(client_for("manager"), f"{url}/reject/", {"reason": "x"}).status_code == 409
    patch = client_for("manager").patch(
        f"{url}/", json.dumps({"cost_once": "5"}), content_type="application/json"
    )
    assert patch.status_code == 409
    tested = post(client_for("coord_a"), f"{url}/test/",
                  {"tested_on": "2026-04-01", "tested_recovery_time": 50})  # fmt: skip
    assert tested.status_code == 200 and tested.json()["tested_recovery_time"] == 50
    assert Resource.objects.get(pk=setup["db"].pk).recovery_time == 50
    future = post(client_for("coord_a"), f"{url}/test/",
                  {"tested_on": "2999-04-01", "tested_recovery_time": 50})  # fmt: skip
    assert future.status_code == 400
    assert client_for("manager").delete(f"{url}/").status_code == 400
    assert Option.objects.get(pk=option.pk).status == Status.CHOSEN


def test_a_proposed_option_is_changed_and_deleted(setup, client_for):
    option = make_option(setup["pay"])
    url = f"/api/strategies/options/{option.pk}/"
    client = client_for("coord_a")
    changed = client.patch(url, json.dumps({"cost_once": "10.00"}), content_type="application/json")
    assert changed.status_code == 200 and changed.json()["cost_once"] == "10.00"
    assert client_for("contrib_a").delete(url).status_code == 403
    assert client.delete(url).status_code == 204 and not Option.objects.exists()


@pytest.mark.parametrize("value", ["-3.9e191", "1.5", "99999999999999999999999", "x"])
def test_a_malformed_subject_filter_is_a_400_not_a_server_error(setup, client_for, value):
    response = client_for("admin").get(f"/api/strategies/options/?activity={value}")
    assert response.status_code == 400
    assert client_for("admin").get(f"/strategies/?resource={value}").status_code in (200, 400)
