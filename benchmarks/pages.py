"""Benchmark: every register, detail and analysis page at 100k nodes, over a real server.

    make bench-pages                              # or, by hand:
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages   # dedicated
    .venv/bin/resilia migrate
    .venv/bin/python benchmarks/pages.py --rounds 8

The first run builds, in that database, the synthetic organisation and model of
`resilia demo --scale N` (N=100,000: 100,000 people in 5,000 units, 10,000 activities,
90,000 resources, ~515k links) and the demo bank on top of it (`resilia demo`: BIA
assessments, risks, strategies, plans, incidents, the demo users); a database that already
holds them is used as it is. It adds one scoped reader, `bench_reader`, a contributor of the
synthetic branch with the most people.

Then it starts the web server as `resilia serve --web-only` does (waitress), signs in as the
demo administrator and as the scoped reader, requests every page once (the cold figure: the
first request after a start pays the model compile and the analyses of this revision), then
`--rounds` rounds of every page for both users, interleaved with `/healthz` (the floor: the
server, the middleware and one request over the loopback). It prints, per page and user, the
median (p50) and the 95th percentile (p95, the slowest of the rounds for fewer than 20), the
page size in KiB and the p50 as a multiple of `/healthz`'s p50 in the same run, and flags what
misses the goal: p50 ≤ 30 ms, p95 ≤ 150 ms, under 60 KiB.

`--save FILE` keeps the figures as JSON; `--compare FILE` prints them beside an earlier run's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilia.settings")
# The demo users' password in this dedicated database (`resilia demo` reads it from here).
PASSWORD = os.environ.setdefault("RESILIA_DEMO_PASSWORD", "bench-pages-Pa55word")
READER = "bench_reader"
GOAL_P50_MS, GOAL_P95_MS, GOAL_KIB = 30.0, 150.0, 60.0


def missing(exc: ImportError) -> NoReturn:
    """Stop with one line that says what to run, instead of a traceback."""
    sys.exit(
        f"benchmarks/{Path(__file__).name}: {exc.name or exc} is not installed; run"
        " `make bench-pages`, which installs what the benchmarks need and runs this one"
    )


try:
    import django

    from resilia.cli import use_data_dir_key
    from resilia.env import ImproperEnv
except ImportError as exc:
    missing(exc)

use_data_dir_key()  # the key `make demo` keeps in the data directory, as `resilia` finds it
try:
    django.setup()
except ImproperEnv as exc:
    sys.exit(str(exc))

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import reverse  # noqa: E402

from resilia.accounts import services as accounts  # noqa: E402
from resilia.accounts.models import User  # noqa: E402
from resilia.core.context import request_context  # noqa: E402
from resilia.dependencies.models import Activity, Resource  # noqa: E402
from resilia.org.models import Person, Unit  # noqa: E402


def build(nodes: int) -> None:
    """The scale model and the demo bank, each only when the database does not hold it."""
    if not Activity.objects.filter(code="SYN-A0000001").exists():
        print(f"building `resilia demo --scale {nodes}` ...", flush=True)
        started = time.perf_counter()
        call_command("demo", scale=nodes)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    if not User.objects.filter(username="admin").exists():
        print("loading the demo bank (`resilia demo`) ...", flush=True)
        call_command("demo")
    # The database as a server with autovacuum on would hold it (one built before the
    # loaders refreshed it, or on a server with autovacuum off, has the empty tables'
    # statistics and the trigram indexes' rows still in their pending lists).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def scoped_reader() -> User:
    """A contributor of the synthetic branch with the most people (the largest scope)."""
    user = User.objects.filter(username=READER).first()
    if user is not None:
        return user
    # A prefix join the ORM does not express: the branches' people counted in SQL.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT b.id FROM {Unit._meta.db_table} b JOIN {Unit._meta.db_table} u"
            " ON u.path LIKE b.path || '%%'"
            f" JOIN {Person._meta.db_table} p ON p.unit_id = u.id"
            " WHERE b.depth = 1 AND b.code LIKE 'SYN-%%' GROUP BY b.id ORDER BY count(*) DESC"
            " LIMIT 1"
        )
        (unit_id,) = cursor.fetchone()
    with request_context(source="cli"):
        return accounts.user_create(
            actor=None,
            password=PASSWORD,
            username=READER,
            role="contributor",
            unit=Unit.objects.get(pk=unit_id),
            email=f"{READER}@synthetic.example",
        )


def _first_url(user, model, **filters) -> str | None:
    obj = model.objects.for_user(user).filter(**filters).order_by("pk").first()
    return obj.get_absolute_url() if obj is not None else None


def pages_for(user) -> dict[str, str]:
    """Page name -> path, for what `user` may read (a detail page of each kind in scope)."""
    from resilia.bia.models import Assessment
    from resilia.incidents.models import Incident
    from resilia.plans.models import Plan
    from resilia.risk.models import Risk
    from resilia.strategies.models import Option as StrategyOption

    some_resource = Resource.objects.for_user(user).filter(code__startswith="SYN-").first()
    pages = {
        "healthz": reverse("healthz"),
        "home": reverse("site:home"),
        "people": reverse("org:person_list"),
        "units": reverse("org:unit_list"),
        "resources": reverse("dependencies:resource_list"),
        "activities": reverse("dependencies:activity_list"),
        "model checks": reverse("dependencies:checks"),
        "graph page": reverse("dependencies:graph"),
        "graph JSON": reverse("dependencies:graph_data")
        + "?"
        + urlencode({"node": f"resource:{some_resource.pk}" if some_resource else ""}),
        "what-if (form)": reverse("analysis:whatif"),
        "what-if (run)": reverse("analysis:whatif")
        + "?"
        + urlencode({"fail": f"resource:{some_resource.code}" if some_resource else ""}),
        "recovery order": reverse("analysis:order"),
        "gaps": reverse("analysis:gaps"),
        "SPOF": reverse("analysis:spof"),
        "search": reverse("core:search") + "?" + urlencode({"q": "resource 12"}),
        "audit log": reverse("audit:log"),
        "BIA assessments": reverse("bia:assessment_list"),
        "risk register": reverse("risk:risk_list"),
        "strategies": reverse("strategies:option_list"),
        "plans": reverse("plans:plan_list"),
        "incidents": reverse("incidents:list"),
    }
    details = {
        "person detail": _first_url(user, Person, employee_no__startswith="SYN"),
        "unit detail": _first_url(user, Unit, code__startswith="SYN-", depth=2),
        "resource detail": some_resource.get_absolute_url() if some_resource else None,
        "activity detail": _first_url(user, Activity, code__startswith="SYN-"),
        "BIA assessment detail": _first_url(user, Assessment),
        "risk detail": _first_url(user, Risk),
        "strategy detail": _first_url(user, StrategyOption),
        "plan detail": _first_url(user, Plan),
        "incident detail": _first_url(user, Incident),
    }
    pages.update({name: url for name, url in details.items() if url})
    return pages


class Client:
    """One kept-alive HTTP connection with a cookie jar of its own (a signed-in browser)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, dict]:
        headers = {"Accept-Language": "en", "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # the server closed a kept-alive connection: open another
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data, dict(response.headers)

    def login(self, username: str) -> None:
        path = reverse("accounts:login")
        _status, page, _headers = self.request("GET", path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        body = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode() if token else "",
                "username": username,
                "password": PASSWORD,
            }
        )
        status, _page, headers = self.request("POST", path, body)
        if status != 302 or "sessionid" not in self.cookies:
            sys.exit(f"could not sign in as {username} (HTTP {status})")

    def timed(self, path: str) -> tuple[float, int, int]:
        started = time.perf_counter()
        status, data, _headers = self.request("GET", path)
        return (time.perf_counter() - started) * 1000, status, len(data)


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "resilia.cli", "serve", "--web-only", "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                sys.exit(f"the server stopped at start (exit {server.returncode})")
            time.sleep(0.2)
    server.terminate()
    sys.exit("the server did not answer within 60 s")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile, nearest rank (of 8 rounds, p95 is the slowest)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def run(port: int, rounds: int, only: str) -> dict:
    admin = User.objects.get(username="admin")
    reader = scoped_reader()
    plans = {"admin": pages_for(admin), READER: pages_for(reader)}
    if only:
        wanted = {name.strip() for name in only.split(",")} | {"healthz"}
        plans = {who: {n: u for n, u in p.items() if n in wanted} for who, p in plans.items()}
    server = start_server(port)
    try:
        clients = {}
        for who in plans:
            clients[who] = Client(port)
            clients[who].login(who)
        figures: dict = {who: {} for who in plans}
        for who, pages in plans.items():  # cold: the first request of each page
            for name, path in list(pages.items()):
                ms, status, size = clients[who].timed(path)
                if status == 403:  # not this role's page (a contributor and the audit log)
                    print(f"  {who}: {name} is not readable (403), left out", flush=True)
                    del pages[name]
                    continue
                figures[who][name] = {"path": path, "cold": ms, "status": status, "bytes": size}
                figures[who][name]["times"] = []
        for round_no in range(rounds):
            for who, pages in plans.items():
                for name, path in pages.items():
                    ms, status, size = clients[who].timed(path)
                    entry = figures[who][name]
                    entry["times"].append(ms)
                    entry["status"] = max(entry["status"], status)
                    entry["bytes"] = size
            print(f"  round {round_no + 1}/{rounds} done", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for by_page in figures.values():
        for entry in by_page.values():
            entry["p50"] = statistics.median(entry["times"])
            entry["p95"] = percentile(entry["times"], 95)
    return figures


def misses(entry: dict) -> str:
    flags = []
    if entry["status"] != 200:
        flags.append(f"HTTP {entry['status']}")
    if entry["p50"] > GOAL_P50_MS:
        flags.append("p50")
    if entry["p95"] > GOAL_P95_MS:
        flags.append("p95")
    if entry["bytes"] / 1024 > GOAL_KIB:
        flags.append("size")
    return ", ".join(flags) or "ok"


def report(figures: dict, before: dict | None) -> None:
    for who, by_page in figures.items():
        floor = by_page["healthz"]["p50"]
        print(f"\n{who}: /healthz p50 {floor:.1f} ms")
        head = f"{'page':24} {'cold':>8} {'p50':>8} {'p95':>8} {'KiB':>7} {'×healthz':>9}"
        if before:
            head += f" {'p50 before':>11} {'p95 before':>11} {'KiB before':>11}"
        print(head + "  misses")
        for name, entry in by_page.items():
            line = (
                f"{name:24} {entry['cold']:8.1f} {entry['p50']:8.1f} {entry['p95']:8.1f}"
                f" {entry['bytes'] / 1024:7.1f} {entry['p50'] / floor:9.1f}"
            )
            old = (before or {}).get(who, {}).get(name)
            if before:
                line += (
                    f" {old['p50']:11.1f} {old['p95']:11.1f} {old['bytes'] / 1024:11.1f}"
                    if old
                    else f" {'':>11} {'':>11} {'':>11}"
                )
            print(f"{line}  {misses(entry)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--save", metavar="FILE", help="keep the figures as JSON")
    parser.add_argument("--compare", metavar="FILE", help="a --save file of an earlier run")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a (dedicated, migrated) PostgreSQL database.")
    build(args.nodes)
    nodes = Activity.objects.count() + Resource.objects.count()
    print(f"model: {nodes:,} nodes, {Person.objects.count():,} people", flush=True)
    connection.close()  # the server has the database to itself while it is timed
    figures = run(args.port, args.rounds, args.only)
    before = json.loads(Path(args.compare).read_text()) if args.compare else None
    report(figures, before)
    if args.save:
        Path(args.save).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
