"""Editing a channel (its transport's configuration form, secrets never shown and kept when
sent back masked) and a message template (placeholders checked), audited; bad input is a
translated message on the form, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.notify import services as notify
from resilia.notify.transports.base import MASK

pytestmark = pytest.mark.django_db


def _client(personas, persona="manager", language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(personas[persona])
    return client


@pytest.fixture
def smtp(setup):
    with request_context(source="test"):
        return notify.channel_update(
            actor=None,
            channel=setup["email"],
            config=setup["email"].config | {"username": "bcm", "password": "pa55"},
        )


def _form(channel, **changes):
    data = {"name": channel.name, "fallback": ""}
    for key, value in (channel.config | {"password": MASK}).items():
        data[f"cfg_{key}"] = value
    data.update(changes)
    return data


def test_it_shows_the_channels_form_with_the_secret_masked(personas, smtp):
    response = _client(personas).get(reverse("notify:channel_edit", args=[smtp.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "pa55" not in page and MASK in page
    assert 'name="cfg_host"' in page and 'name="cfg_port"' in page
    detail = _client(personas).get(smtp.get_absolute_url()).content.decode()
    assert reverse("notify:channel_edit", args=[smtp.pk]) in detail  # the Edit button


def test_it_saves_a_channel_keeping_the_masked_secret_and_audits_it(personas, smtp):
    url = reverse("notify:channel_edit", args=[smtp.pk])
    response = _client(personas).post(url, _form(smtp, name="邮件（备用）", cfg_port="2525"))
    assert response.status_code == 302
    smtp.refresh_from_db()
    assert smtp.name == "邮件（备用）" and smtp.kind == "email"
    assert smtp.config["port"] == 2525 and smtp.config["password"] == "pa55"
    event = AuditEvent.objects.filter(object_id=str(smtp.pk), action="update").latest("pk")
    assert "name" in event.changes


def test_it_refuses_a_bad_port_with_the_field_named(personas, smtp):
    url = reverse("notify:channel_edit", args=[smtp.pk])
    response = _client(personas).post(url, _form(smtp, cfg_port="twenty-five"))
    assert response.status_code == 422
    assert "port must be a whole number." in response.content.decode()
    response = _client(personas, language="zh-hans").post(url, _form(smtp, cfg_port="x"))
    assert response.status_code == 422
    smtp.refresh_from_db()
    assert smtp.config["port"] != "x"


def test_it_edits_a_template_and_refuses_an_unknown_placeholder(personas, setup):
    tpl = setup["tpl"]
    url = reverse("notify:template_edit", args=[tpl.pk])
    data = {"code": tpl.code, "subject": tpl.subject, "subject_en": tpl.subject_en,
            "body": "{name}：请于{deadlne}前到岗", "body_en": tpl.body_en}  # fmt: skip
    response = _client(personas).post(url, data)
    assert response.status_code == 422
    assert "{deadlne}" in response.content.decode()
    data["body"] = "{name}：请于{deadline}前到岗，回复 {reply_code} 1"
    assert _client(personas).post(url, data).status_code == 302
    tpl.refresh_from_db()
    assert tpl.body == data["body"]
    event = AuditEvent.objects.filter(object_id=str(tpl.pk), action="update").latest("pk")
    assert "body" in event.changes


def test_it_refuses_a_new_channel_with_a_bad_port_on_the_form(personas, setup):
    data = {"name": "邮件2", "kind": "email", "cfg_host": "127.0.0.1", "cfg_port": "x",
            "cfg_from_email": "bcm@example.com"}  # fmt: skip
    response = _client(personas).post(reverse("notify:channel_create"), data)
    assert response.status_code == 422
    assert "port must be a whole number." in response.content.decode()
