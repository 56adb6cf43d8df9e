"""Deployment hardening: CSP on every page, no-store on what a signed-in user or the API is
shown, HTTPS settings, session lifetime, and `check --deploy` clean with the documented
production settings (docs/setup.md)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from resilia.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# docs/setup.md, "Production settings": keep the two in step.
PRODUCTION = {
    "ALLOWED_HOSTS": "bcm.example.cn",
    "SITE_URL": "https://bcm.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://bcm.example.cn",
    "SESSION_COOKIE_SECURE": "True",
    "SECURE_SSL_REDIRECT": "True",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
    "SECURE_HSTS_PRELOAD": "True",
    "USE_X_FORWARDED_PROTO": "True",
}


def csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/org/units/", "/api/units/"])
def test_it_sends_a_strict_content_security_policy(client_for, path):
    policy = csp(client_for("manager").get(path))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in " ".join(policy.values())


def test_it_widens_only_the_styles_of_the_swagger_page(client_for):
    client = client_for("manager")
    page = client.get("/api/docs/")
    policy = csp(page)
    assert "'unsafe-inline'" in policy["style-src"] and policy["script-src"] == "'self'"
    # The page's own start-up script is a file, not inline.
    assert "<script>" not in page.content.decode()
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_it_lets_a_page_start_workers_from_our_own_files_only(client_for):
    """The dependency graph lays out in a Web Worker started from a vendored static file
    (docs/dependencies.md): worker-src allows our origin, no blob: or data: worker."""
    page = client_for("manager").get("/dependencies/graph/")
    policy = csp(page)
    assert policy["worker-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    html = page.content.decode()
    assert 'data-worker-url="/static/vendor/elkjs/elk-worker.min.js"' in html
    worker = Client().get("/static/vendor/elkjs/elk-worker.min.js")
    assert worker.status_code == 200
    assert b"self.onmessage" in b"".join(worker.streaming_content)


def test_it_puts_no_inline_script_or_style_in_the_templates():
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for template in root.glob("*/templates/**/*.html"):
        if "pack" in template.relative_to(root).parts[3:-1]:
            # The offline plan pack's pages are files in a zip opened from disk with no server
            # (plans/pack.py): their CSS must be inline, and no CSP applies to them.
            continue
        text = template.read_text(encoding="utf-8")
        for marker in ("<script>", "<style", ' style="', "javascript:", " onclick=", " onload="):
            if marker in text:
                offenders.append(f"{template.relative_to(root)}: {marker}")
    assert offenders == []


def test_it_forbids_caching_signed_in_pages_and_the_api(client_for):
    client = client_for("coord_a")
    for path in ("/", "/org/units/", "/api/units/"):
        assert "no-store" in client.get(path)["Cache-Control"], path
    assert "no-store" in Client().get("/api/units/")["Cache-Control"]


def test_it_lets_public_static_files_be_cached(client_for):
    response = Client().get("/static/core/resilia.css")
    assert "no-store" not in response.get("Cache-Control", "")


def test_it_ends_a_session_after_the_configured_lifetime(settings, personas):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    settings.SESSION_COOKIE_AGE = 600
    response = Client().post("/accounts/login/", {"username": "coord_a", "password": PASSWORD})
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 600


def test_it_takes_the_proxy_s_own_forwarded_address(settings, personas):
    from resilia.audit.models import AuditEvent

    settings.USE_X_FORWARDED_FOR = True
    Client().post(
        "/accounts/login/",
        {"username": "coord_a", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.20",
    )
    assert AuditEvent.objects.get(action="login_failed").client_ip == "198.51.100.20"


def _resilia(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        [sys.executable, "-m", "resilia.cli", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_check_deploy_with_the_documented_production_settings(tmp_path):
    env = {
        **PRODUCTION,
        "RESILIA_DATA_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
    }
    done = _resilia(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
    docs = (Path(__file__).resolve().parents[3] / "docs" / "setup.md").read_text()
    for name, value in PRODUCTION.items():
        assert f"{name}={value}" in docs, name
    assert "AUDIT_HMAC_KEY_FILE=" in docs


def test_it_warns_without_them(tmp_path):
    env = {"RESILIA_DATA_DIR": str(tmp_path), "SECRET_KEY": secrets.token_urlsafe(50)}
    done = _resilia(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "resilia.W001"):
        assert check in done.stderr + done.stdout


def test_it_applies_the_https_settings(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER,"
        " s.SESSION_COOKIE_AGE)"
    )
    env = {
        **PRODUCTION,
        "SESSION_COOKIE_AGE": "900",
        "RESILIA_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 50,
        "DJANGO_SETTINGS_MODULE": "resilia.settings",
    }
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    done = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == [
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "900",
    ], done.stderr
