"""Benchmark: the notification fan-out on one worker, to a real local SMTP server (aiosmtpd)
(and with --webhook a real local webhook receiver too), counting what arrives; then the same
with the worker killed (kill -9) twice in the middle: the arrivals must be N distinct
messages per channel, each once.

    RESILIA_DATA_DIR=/tmp/bench-notify .venv/bin/python benchmarks/notify.py --recipients 10000

Needs a dedicated database (a fresh SQLite data directory, or DATABASE_URL), never the
demo's: it migrates it and adds its people, channels and template under a tag of its own; a
data directory without keys gets throwaway ones. Prints the fan-out's median wall time
(send_start to the last arrival), the reference measured in the same run (a plain loop of
Django's `send_mail`, one call per recipient, to the same SMTP server), their ratio, and for
each killed run (`--kill-runs K`) the arrivals, the distinct keys and the raw duplicates.
Target (issue 12): 10,000 recipients by e-mail in ≤ 30 s; killed twice, 10,000 arrivals.
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
from resilia.env import data_dir  # noqa: E402


def throwaway_keys() -> None:
    """A new data directory gets its own keys (its database is the benchmark's, thrown away
    after): the script runs as written in a fresh RESILIA_DATA_DIR."""
    import secrets

    folder = data_dir()
    for name, variable in (("secret_key", "SECRET_KEY"), ("audit_key", "AUDIT_HMAC_KEY")):
        path = folder / name
        if os.environ.get(variable) or os.environ.get(f"{variable}_FILE") or path.is_file():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)


throwaway_keys()
use_data_dir_key()
django.setup()

from django.core.management import call_command  # noqa: E402

from resilia.core.context import request_context  # noqa: E402

logging.getLogger("mail.log").setLevel(logging.WARNING)

# This run's people, channels and template are its own (a database can serve several runs).
TAG = time.strftime("%H%M%S")


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
            self.last = 0.0


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
    # Headers and body go out in two writes: with Nagle's algorithm on, the second waits for
    # the client's delayed ACK (40 ms on Linux), which measured this receiver, not Resilia.
    disable_nagle_algorithm = True

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if len(body) < length:
            return  # the sender died mid-request: a receiver checking its signature drops it
        HOOK.add(self.headers.get("Idempotency-Key", ""))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class HookServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A worker killed with kill -9 mid-request leaves a broken pipe: expected, not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


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


def setup(n: int, smtp_port: int, hook_port: int | None):
    from resilia.notify import services as notify
    from resilia.org import services as org
    from resilia.org.models import Person

    with request_context(source="cli"):
        unit = org.unit_create(
            actor=None, code=f"BENCH{TAG}", name=f"压测部{TAG}", kind="department"
        )
        Person.objects.bulk_create(
            [Person(full_name=f"员工{i:05}", unit=unit, email=f"p{i}@example.com")
             for i in range(n)], batch_size=1000)  # fmt: skip
        email = notify.channel_create(
            actor=None,
            name=f"邮件{TAG}",
            kind="email",
            config={"host": "127.0.0.1", "port": smtp_port, "from_email": "bcm@example.com"},
        )
        channels = [email]
        if hook_port is not None:
            channels.append(
                notify.channel_create(
                    actor=None,
                    name=f"Webhook{TAG}",
                    kind="webhook",
                    config={"url": f"http://127.0.0.1:{hook_port}/hook", "secret": "bench"},
                )
            )
        tpl = notify.template_create(
            actor=None,
            code=f"BENCH{TAG}",
            subject="{title}",
            body="{name}：{incident}。请确认：{ack_link}",
        )
    return list(Person.objects.filter(unit=unit)), channels, tpl


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


def fan_out(people, channels, tpl, n, kills: int, hooks: bool) -> dict:
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
    need = n if hooks else 0
    done = wait_until(lambda: len(set(MAIL.keys)) >= n and len(set(HOOK.keys)) >= need)
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
    parser.add_argument("--repeat", type=int, default=3, help="fan-out runs (median)")
    parser.add_argument("--webhook", action="store_true", help="a webhook channel as well")
    parser.add_argument("--no-kill", action="store_true", help="skip the kill -9 run")
    parser.add_argument("--kill-runs", type=int, default=1, help="runs killed twice")
    args = parser.parse_args()
    n, hooks = args.recipients, args.webhook
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        sys.exit("benchmarks/notify.py needs the dev extra (aiosmtpd): run `make bench`.")

    call_command("migrate", verbosity=0)
    smtp_port = free_port()
    controller = Controller(SmtpHandler(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    hook = HookServer(("127.0.0.1", 0), HookHandler)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    people, channels, tpl = setup(n, smtp_port, hook.server_address[1] if hooks else None)
    per = len(channels)

    runs, refs = [], []
    for _ in range(args.repeat):
        runs.append(fan_out(people, channels, tpl, n, kills=0, hooks=hooks))
        refs.append(reference(n, smtp_port))
    fan, ref = statistics.median(r["seconds"] for r in runs), statistics.median(refs)
    kinds = "e-mail + webhook" if hooks else "e-mail"
    times = ", ".join(f"{r['seconds']:.1f}" for r in runs)
    from django.conf import settings

    lanes = settings.NOTIFY_CONNECTIONS
    print(
        f"recipients: {n}, deliveries: {per * n} ({kinds}), one db_worker sending over "
        f"{lanes} connection(s) per channel (NOTIFY_CONNECTIONS), {len(runs)} runs"
    )
    print(
        f"fan-out: median {fan:.1f} s (runs {times}; "
        f"queueing {runs[0]['queued']:.1f} s), {per * n / fan:.0f} deliveries/s; "
        f"target ≤ 30 s: {'met' if fan <= 30 else 'missed'}"
    )
    print(
        f"reference, send_mail loop ({n} e-mails only): median {ref:.1f} s "
        f"(runs {', '.join(f'{r:.1f}' for r in refs)}); ratio fan-out / reference: {fan / ref:.2f}"
    )
    print(
        f"arrivals: mail {runs[0]['mail']} ({runs[0]['mail_distinct']} distinct), "
        f"webhook {runs[0]['hook']} ({runs[0]['hook_distinct']} distinct); "
        f"complete: {all(r['complete'] for r in runs)}"
    )
    if not args.no_kill:
        exact = 0
        for _ in range(args.kill_runs):
            killed = fan_out(people, channels, tpl, n, kills=2, hooks=hooks)
            ok = killed["mail_distinct"] == n and killed["hook_distinct"] == (n if hooks else 0)
            dups = (
                killed["mail"] - killed["mail_distinct"] + killed["hook"] - killed["hook_distinct"]
            )
            exact += ok and dups == 0
            print(
                f"killed twice (kill -9): {killed['seconds']:.1f} s; "
                f"mail {killed['mail']} arrivals, {killed['mail_distinct']} distinct; "
                f"webhook {killed['hook']} arrivals, {killed['hook_distinct']} distinct; "
                f"rows sent {killed['rows_sent']} of {per * n}; "
                f"nothing lost: {ok}; raw duplicates: {dups}"
            )
        print(f"exactly once after two kills: {exact} of {args.kill_runs} run(s)")
    controller.stop()
    hook.shutdown()


if __name__ == "__main__":
    main()
