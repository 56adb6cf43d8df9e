"""Local peers for the transports: a real HTTP receiver (http.server in a thread) and the
shared aiosmtpd server; a small notification set-up on the shared organisation."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from resilia.core.context import request_context
from resilia.notify import services as notify
from resilia.org import services as org
from resilia.site.tests.conftest import (  # noqa: F401  (fixtures of the kill -9 test)
    children,
    migrated_sqlite_template,
    shared_db_env,
)

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


class Receiver:
    """What the local HTTP server received; `replies` queues the answers it gives."""

    def __init__(self):
        self.requests: list[dict] = []
        self.replies: list[tuple[int, dict]] = []
        self.lock = threading.Lock()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def json(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests if r["body"]]


@pytest.fixture(autouse=True)
def in_english():
    """Messages are asserted in English, whatever the installation's default language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def receiver():
    peer = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if len(raw) < length:  # the sender went away mid-body: a real receiver drops it
                self.close_connection = True
                return
            body = raw.decode()
            with peer.lock:
                peer.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                    }
                )
                status, reply = peer.replies.pop(0) if peer.replies else (200, {})
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_GET = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    peer.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield peer
    server.shutdown()
    server.server_close()


@pytest.fixture
def setup(personas, people, org_tree, smtp_server, receiver):
    """An e-mail channel to the local SMTP server, a webhook to the local receiver, a
    template, and two call trees: the duty manager, then the DBA team."""
    port = smtp_server.controller.port
    with request_context(source="test"):
        org.person_update(actor=None, person=people["bob"], email="li.na@example.com")
        org.person_update(actor=None, person=people["carol"], email="wang.fang@example.com")
        dave = org.person_create(
            actor=None,
            full_name="刘洋",
            unit=org_tree["dept_a"],
            email="liu.yang@example.com",
            mobile="13800000004",
        )
        email = notify.channel_create(
            actor=personas["manager"],
            name="邮件",
            kind="email",
            config={"host": "127.0.0.1", "port": port, "from_email": "bcm@example.com"},
        )
        hook = notify.channel_create(
            actor=personas["manager"],
            name="Webhook",
            kind="webhook",
            config={"url": receiver.url(), "secret": "s3cret"},
        )
        tpl = notify.template_create(
            actor=personas["manager"],
            code="INC",
            subject="【应急】{title}",
            subject_en="[Emergency] {title}",
            body="{name}：{incident}。请确认：{ack_link}",
            body_en="{name}: {incident}. Please acknowledge: {ack_link}",
        )
        duty = notify.calltree_create(actor=personas["manager"], code="DUTY", name="值班经理")
        notify.calltree_contact_add(
            actor=personas["manager"], tree=duty, person=people["alice"], role="值班经理"
        )
        dba = notify.calltree_create(actor=personas["manager"], code="DBA", name="数据库管理员")
        for p in (people["bob"], people["carol"]):
            notify.calltree_contact_add(actor=personas["manager"], tree=dba, person=p, role="DBA")
    return {
        "email": email,
        "hook": hook,
        "tpl": tpl,
        "duty": duty,
        "dba": dba,
        "dave": dave,
        "smtp": smtp_server,
        "receiver": receiver,
    }


def now():
    return timezone.now()
