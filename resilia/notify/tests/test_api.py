"""The notification API: configuration checked by the transport (400 with its message),
secrets never returned, a send started and answered through the API, lists bounded in
queries, and only the BCM office writes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from resilia.audit.models import AuditEvent
from resilia.notify.models import Acknowledgement, Channel, Delivery, Send

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_it_refuses_an_incomplete_channel_and_hides_secrets(setup, personas):
    client = api(personas["manager"])
    bad = client.post(
        "/api/notify/channels/",
        {"name": "x", "kind": "webhook", "config": {"url": "nowhere"}},
        format="json",
    )
    assert bad.status_code == 400 and "required" in str(bad.json())
    assert not Channel.objects.filter(name="x").exists()
    got = client.get(f"/api/notify/channels/{setup['hook'].pk}/").json()
    assert got["config"]["secret"] == "••••••"
    # PUT back what was read: the secret keeps its stored value.
    put = client.put(f"/api/notify/channels/{setup['hook'].pk}/", got, format="json")
    assert put.status_code == 200, put.json()
    setup["hook"].refresh_from_db()
    assert setup["hook"].config["secret"] == "s3cret"


def test_it_refuses_a_channel_with_no_configuration_field_by_field(setup, personas):
    """A channel posted with no `config` at all is refused like an incomplete one, naming what
    its transport needs, and `is_active` is taken (the API fuzz run found a 500 here)."""
    client = api(personas["manager"])
    bad = client.post(
        "/api/notify/channels/", {"name": "m", "kind": "email", "is_active": False}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["config"] == [
        "SMTP server is required.",
        "sender address is required.",
    ]
    assert not Channel.objects.filter(name="m").exists()
    assert not AuditEvent.objects.filter(object_repr="m").exists()


def test_it_starts_a_send_and_records_an_answer_through_the_api(setup, personas, people):
    client = api(personas["manager"])
    made = client.post(
        "/api/notify/sends/",
        {
            "title": "演练通知",
            "kind": "callout",
            "template": setup["tpl"].pk,
            "channels": [setup["email"].pk],
            "people": [people["alice"].pk, people["bob"].pk],
            "context": {"incident": "DR-2026"},
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    send = Send.objects.get(pk=made.json()["id"])
    assert Delivery.objects.filter(send=send).count() == 2
    assert AuditEvent.objects.filter(action="notify.send_start", object_id=str(send.pk)).exists()
    ack = client.post(
        "/api/notify/acknowledgements/",
        {"send": send.pk, "person": people["alice"].pk, "answer": "coming"},
        format="json",
    )
    assert ack.status_code == 201, ack.json()
    assert Acknowledgement.objects.get(send=send).via == "api"
    wrong = client.post(
        "/api/notify/acknowledgements/",
        {"send": send.pk, "person": people["bob"].pk, "answer": "safe"},
        format="json",
    )
    assert wrong.status_code == 400
    closed = client.post(f"/api/notify/sends/{send.pk}/close/")
    assert closed.json()["status"] == "finished"


def test_it_lets_only_the_office_write(setup, personas):
    for persona in ("coord_a", "auditor", "contrib_a"):
        response = api(personas[persona]).post(
            "/api/notify/templates/", {"code": "T", "subject": "s", "body": "b"}, format="json"
        )
        assert response.status_code == 403
    assert api(personas["auditor"]).get("/api/notify/templates/").status_code == 200


@pytest.mark.parametrize(
    "endpoint",
    [
        "channels",
        "templates",
        "call-trees",
        "call-tree-contacts",
        "policies",
        "policy-steps",
        "sends",
        "deliveries",
        "acknowledgements",
    ],
)
def test_it_lists_with_a_bounded_number_of_queries(
    setup, personas, endpoint, django_assert_max_num_queries
):
    client = api(personas["manager"])
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/notify/{endpoint}/").status_code == 200
