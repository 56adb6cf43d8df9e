"""Benchmark: the notification fan-out on one worker, to a real local SMTP server (aiosmtpd)
and a real local webhook receiver, counting what arrives; then the same with the worker
killed (kill -9) twice in the middle: the arrivals must be exactly N distinct messages.

    RESILIA_DATA_DIR=/tmp/bench-notify SECRET_KEY=bench \\
        .venv/bin/python benchmarks/notify.py --recipients 10000

Needs an empty, dedicated database (a fresh SQLite data directory, or DATABASE_URL): it
migrates it. Prints the fan-out's wall time (send_start to the last arrival, both channels),
the reference measured in the same run (a plain loop of Django's `send_mail`, one call per
recipient, to the same SMTP server), their ratio, and for the killed run the arrivals, the
distinct keys and the raw duplicates. Target (issue 12): 10,000 recipients in ≤ 30 s.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilia.settings")
os.environ.setdefault("NOTIFY_CLAIM_SECONDS", "2")

import django  # noqa: E402

from resilia.cli import use_data_dir_key  # noqa: E402

use_data_dir_key()
django.setup()

from django.core.management import call_command  # noqa: E402

from resilia.core.context import request_context  # noqa: E402

logging.getLogger("mail.log").setLevel(logging.WARNING)


class Counter:
    def __init__(self):
        self.keys: list[str] = []
        self.lock = threading.Lock()
        self.last = 0.0

    def add(self, key: str) -> None:
        with self.lock:
            self.keys.append(key)
            self.last = time.perf_counter()

    def reset(self) -> None:
        with self.lock:
            self.keys = []


MAIL, HOOK = Counter(), Counter()


class SmtpHandler:
    async def handle_DATA(self, server, session, envelope):
        text = envelope.content.decode("utf-8", "replace")
        key = next(
            (
                line[12:].strip()
                for line in text.splitlines()
                if line.lower().startswith("message-id: ")
            ),
            "",
        )
        MAIL.add(key)
        return "250 OK"


class HookHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        HOOK.add(self.headers.get("Idempotency-Key", ""))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker() -> subprocess.Popen:
    argv = [sys.executable, "-m", "resilia.cli", "db_worker", "--interval", "0.1",
            "--no-startup-delay", "-v0"]  # fmt: skip
    return subprocess.Popen(argv, env=dict(os.environ), start_new_session=True)


def wait_until(predicate, timeout=600.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def setup(n: int, smtp_port: int, hook_port: int):
    from resilia.notify import services as notify
    from resilia.org import services as org
    from resilia.org.models import Person

    with request_context(source="cli"):
        unit = org.unit_create(actor=None, code="BENCH", name="压测部", kind="department")
        Person.objects.bulk_create(
            [Person(full_name=f"员工{i:05}", unit=unit, email=f"p{i}@example.com")
             for i in range(n)], batch_size=1000)  # fmt: skip
        email = notify.channel_create(
            actor=None,
            name="邮件",
            kind="email",
            config={"host": "127.0.0.1", "port": smtp_port, "from_email": "bcm@example.com"},
        )
        hook = notify.channel_create(
            actor=None,
            name="Webhook",
            kind="webhook",
            config={"url": f"http://127.0.0.1:{hook_port}/hook", "secret": "bench"},
        )
        tpl = notify.template_create(
            actor=None,
            code="BENCH",
            subject="{title}",
            body="{name}：{incident}。请确认：{ack_link}",
        )
    return list(Person.objects.filter(unit=unit)), [email, hook], tpl


def start(people, channels, tpl, title):
    from resilia.notify import services as notify

    with request_context(source="cli"):
        return notify.send_start(
            actor=None,
            title=title,
            template=tpl,
            channels=channels,
            people=people,
            context={"incident": "压测"},
        )


def reference(n: int, smtp_port: int) -> float:
    from django.conf import settings
    from django.core.mail import send_mail

    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    MAIL.reset()
    began = time.perf_counter()
    for i in range(n):
        send_mail("压测", f"员工{i:05}：压测", "bcm@example.com", [f"p{i}@example.com"])
    return time.perf_counter() - began


def fan_out(people, channels, tpl, n, kills: int) -> dict:
    MAIL.reset()
    HOOK.reset()
    began = time.perf_counter()
    send = start(people, channels, tpl, f"压测 kills={kills}")
    queued = time.perf_counter() - began
    process = worker()
    for k in range(kills):
        wait_until(lambda k=k: len(MAIL.keys) >= n * (k + 1) // (kills + 1))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        time.sleep(float(os.environ["NOTIFY_CLAIM_SECONDS"]) + 0.5)
        with request_context(source="cli"):
            from resilia.notify.services import sends_tick

            sends_tick()  # as the scheduler's minute: take back the dead worker's claims
        process = worker()
    done = wait_until(lambda: len(set(MAIL.keys)) >= n and len(set(HOOK.keys)) >= n)
    elapsed = max(MAIL.last, HOOK.last) - began
    time.sleep(1.0)  # anything arriving late would be a duplicate
    os.killpg(process.pid, signal.SIGTERM)
    process.wait()
    from resilia.notify.models import Delivery

    return {
        "seconds": elapsed,
        "queued": queued,
        "complete": done,
        "send": send.pk,
        "mail": len(MAIL.keys),
        "mail_distinct": len(set(MAIL.keys)),
        "hook": len(HOOK.keys),
        "hook_distinct": len(set(HOOK.keys)),
        "rows_sent": Delivery.objects.filter(send=send, status="sent").count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    n = args.recipients
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        sys.exit("benchmarks/notify.py needs the dev extra (aiosmtpd): run `make bench`.")

    call_command("migrate", verbosity=0)
    smtp_port = free_port()
    controller = Controller(SmtpHandler(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    hook = ThreadingHTTPServer(("127.0.0.1", 0), HookHandler)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    people, channels, tpl = setup(n, smtp_port, hook.server_address[1])

    runs, refs = [], []
    for _ in range(args.repeat):
        runs.append(fan_out(people, channels, tpl, n, kills=0))
        refs.append(reference(n, smtp_port))
    fan, ref = statistics.median(r["seconds"] for r in runs), statistics.median(refs)
    print(f"recipients: {n}, deliveries: {2 * n} (e-mail + webhook), one db_worker")
    print(
        f"fan-out: {fan:.1f} s (queueing {runs[0]['queued']:.1f} s), "
        f"{2 * n / fan:.0f} deliveries/s; target ≤ 30 s: {'met' if fan <= 30 else 'missed'}"
    )
    print(
        f"reference, send_mail loop ({n} e-mails only): {ref:.1f} s; "
        f"ratio fan-out / reference: {fan / ref:.2f}"
    )
    print(
        f"arrivals: mail {runs[0]['mail']} ({runs[0]['mail_distinct']} distinct), "
        f"webhook {runs[0]['hook']} ({runs[0]['hook_distinct']} distinct)"
    )
    killed = fan_out(people, channels, tpl, n, kills=2)
    print(
        f"killed twice (kill -9): {killed['seconds']:.1f} s; "
        f"mail {killed['mail']} arrivals, {killed['mail_distinct']} distinct; "
        f"webhook {killed['hook']} arrivals, {killed['hook_distinct']} distinct; "
        f"rows sent {killed['rows_sent']} of {2 * n}"
    )
    ok = killed["mail_distinct"] == n and killed["hook_distinct"] == n
    print(
        f"nothing lost: {ok}; raw duplicates: "
        f"{killed['mail'] - n + killed['hook'] - n} (same key: a receiver drops them)"
    )
    controller.stop()
    hook.shutdown()


if __name__ == "__main__":
    main()
