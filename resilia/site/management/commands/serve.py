"""`resilia serve`: the web server, the background worker and the scheduler, supervised.

One command for a one-machine installation: it starts each part as a child process,
restarts a child that dies (up to a limit), and stops them all on Ctrl-C or SIGTERM.
The web part is waitress, a production WSGI server in pure Python that needs no
reverse proxy; static files are served by WhiteNoise inside the application.
For several machines, run `serve --no-worker --no-scheduler` behind a proxy and the
workers elsewhere (docs/setup.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from resilia.env import envint

# A child that dies this many times within RESTART_WINDOW seconds is broken, not unlucky.
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0
STOP_TIMEOUT = 10.0


def worker_command(backend: str) -> list[str] | None:
    """The management command that runs tasks for `backend` (None: tasks run inline)."""
    if backend == "rq":
        return [
            "rqworker",
            "--job-class",
            "django_tasks_rq.Job",
            *settings.TASKS["default"]["QUEUES"],
        ]
    if backend == "database":
        return ["worker", "--queue-name", ",".join(settings.TASKS["default"]["QUEUES"])]
    return None


class Child:
    """One supervised process and its recent restarts."""

    def __init__(self, name: str, argv: list[str]):
        self.name, self.argv = name, argv
        self.process: subprocess.Popen | None = None
        self.starts: list[float] = []

    def start(self) -> None:
        self.starts = [t for t in self.starts if time.monotonic() - t < RESTART_WINDOW]
        self.starts.append(time.monotonic())
        self.process = subprocess.Popen([sys.executable, "-m", "resilia.cli", *self.argv])

    def flapping(self) -> bool:
        return len([t for t in self.starts if time.monotonic() - t < RESTART_WINDOW]) >= (
            MAX_RESTARTS
        )


class Command(BaseCommand):
    help = "Serve Resilia: web server, background worker and scheduler, until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
        parser.add_argument("--port", type=int, default=envint("PORT", 8000, minimum=1))
        parser.add_argument("--threads", type=int, default=envint("WEB_THREADS", 8, minimum=1))
        parser.add_argument(
            "--trusted-proxy",
            default="",
            help="address of a reverse proxy whose X-Forwarded-For/-Proto/-Host to trust",
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start a worker")
        parser.add_argument("--no-scheduler", action="store_true", help="no scheduler here")
        parser.add_argument("--web-only", action="store_true", help="run only the web server")

    def handle(self, *args, **opts):
        if opts["web_only"]:
            return self.serve_web(opts)
        # Fill numba's disk cache before the web process starts, so that no analysis page
        # pays the engine's compilation (seconds the first time, a fraction after).
        from resilia.engine.warmup import warm_up

        self.stdout.write(f"Analysis engine ready ({warm_up():.1f} s).")
        children = [Child("web", self.web_argv(opts))]
        worker = worker_command(settings.TASKS_BACKEND)
        if worker and not opts["no_worker"]:
            children.append(Child("worker", worker))
        if not opts["no_scheduler"]:
            children.append(Child("scheduler", ["scheduler"]))
        self.supervise(children, opts)

    def web_argv(self, opts) -> list[str]:
        argv = ["serve", "--web-only", "--host", opts["host"], "--port", str(opts["port"])]
        argv += ["--threads", str(opts["threads"])]
        if opts["trusted_proxy"]:
            argv += ["--trusted-proxy", opts["trusted_proxy"]]
        return argv

    def serve_web(self, opts) -> None:
        from waitress import serve

        from resilia.wsgi import application

        proxy = {}
        if opts["trusted_proxy"]:
            proxy = {
                "trusted_proxy": opts["trusted_proxy"],
                "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto x-forwarded-host",
                "clear_untrusted_proxy_headers": True,
            }
        try:
            serve(
                application,
                host=opts["host"],
                port=opts["port"],
                threads=opts["threads"],
                ident="Resilia",
                **proxy,
            )
        except KeyboardInterrupt:
            # Ctrl-C reaches the whole process group; the supervisor reports the stop.
            pass

    def supervise(self, children: list[Child], opts) -> None:
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        for child in children:
            child.start()
        names = ", ".join(child.name for child in children)
        self.stdout.write(f"Resilia is running at http://{opts['host']}:{opts['port']}/ ({names})")
        self.stdout.write("Press Ctrl-C to stop.")
        failed = None
        while not stopping and failed is None:
            time.sleep(0.5)
            for child in children:
                code = child.process.poll()
                if code is None or stopping:
                    continue
                if child.flapping():
                    failed = child
                    break
                self.stderr.write(f"{child.name} exited with status {code}; restarting")
                time.sleep(1)
                child.start()
        self.stop_all(children)
        if failed is not None:
            raise CommandError(f"{failed.name} keeps failing; stopped everything")
        self.stdout.write("Resilia stopped.")

    def stop_all(self, children: list[Child]) -> None:
        for child in children:
            if child.process and child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
