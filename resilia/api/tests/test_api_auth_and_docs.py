"""Token and session authentication, the OpenAPI schema, the offline docs and their link."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

from resilia.accounts.tests.tokens import api_key
from resilia.audit.models import AuditEvent
from resilia.org.models import Site

pytestmark = pytest.mark.django_db

CSRF_SECRET = "k" * 32  # a valid unmasked CSRF secret: 32 characters of [a-zA-Z0-9]


def test_it_authenticates_with_a_token_and_audits_as_the_token_owner(world, personas):
    key = api_key(personas["coord_a"])
    client = Client()
    response = client.post(
        "/api/sites/",
        {"code": "ALT-1", "name": "备用办公场所", "kind": "alternate", "unit": world["dept_a"].pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(object_type="org.site", object_id=str(response.json()["id"]))
    assert (event.actor, event.source) == (personas["coord_a"], "api")


def test_it_refuses_the_token_of_a_deactivated_user(world, personas):
    key = api_key(personas["manager"])
    personas["manager"].is_active = False
    personas["manager"].save()
    response = Client().get("/api/sites/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_it_reads_with_a_browser_session(world, personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["coord_b"])
    response = client.get("/api/sites/")
    assert response.status_code == 200
    assert {r["code"] for r in response.json()["results"]} == {"SITE-B", "SITE-SHARED"}


def test_it_requires_the_csrf_token_for_session_writes(world, personas):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["admin"])
    payload = {"code": "CSRF-1", "name": "场所", "kind": "office"}
    response = client.post("/api/sites/", payload, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "CSRF" in response.json()["error"]["message"]
    assert not Site.objects.filter(code="CSRF-1").exists()

    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.post(
        "/api/sites/", payload, content_type="application/json", HTTP_X_CSRFTOKEN=CSRF_SECRET
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(object_type="org.site", object_id=str(response.json()["id"]))
    assert event.source == "api"


def test_it_generates_a_valid_schema_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in ("units", "people", "sites", "teams", "team-memberships", "audit-events"):
        assert f"/api/{path}/{{id}}/:" in schema
    assert "tokenAuth" in schema and "cookieAuth" in schema


def test_it_serves_the_schema_to_signed_in_users_only(world, personas, api_for):
    assert api_for("outsider").get("/api/schema/").status_code == 401
    response = api_for("auditor").get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_it_serves_the_docs_without_any_cdn(world, personas):
    client = Client()
    assert client.get("/api/docs/").status_code == 302  # to the sign-in page
    client.force_login(personas["manager"])
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    for asset in assets:
        assert not asset.startswith(("http:", "https:", "//")), asset
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset
    assert "cdn" not in html.lower()


def test_it_links_the_docs_from_the_user_menu_of_api_users(world, personas):
    for persona, shown in (("manager", True), ("coord_a", True), ("executive", False)):
        client = Client()
        client.force_login(personas[persona])
        html = client.get("/").content.decode()
        assert ('href="/api/docs/"' in html) is shown, persona
