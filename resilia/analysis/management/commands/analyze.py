"""`resilia analyze whatif|order|gaps|spof|... [--json]`: the analysis on the command line.

Apps above analysis add subcommands through resilia.analysis.cli (`resilia analyze bia`).

JSON keys are stable and documented in docs/analysis.md (durations in minutes, null for
never/unknown); the human output is aligned tables in the active language. Bad arguments end
with a clear message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from resilia.analysis import documents
from resilia.analysis.cli import SUBCOMMANDS, table
from resilia.analysis.reports import GapsReport, OrderReport, SpofReport
from resilia.analysis.results import Analysis
from resilia.analysis.tables import clock
from resilia.analysis.whatif import (
    FailureError,
    TimeWindowError,
    WhatIfReport,
    check_t0,
    parse_failures,
)


def iso_time(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(value)s is not an ISO 8601 time, e.g. 2026-05-01T09:00+08:00.") % {"value": value}
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        return check_t0(moment)
    except TimeWindowError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class Command(BaseCommand):
    help = "Analyse the continuity model: what-if, recovery order, gaps, single points of failure."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="analysis", required=True, metavar="ANALYSIS")
        whatif = sub.add_parser("whatif", help="What stops, and when, if these nodes fail.")
        whatif.add_argument(
            "--fail",
            action="append",
            required=True,
            metavar="KIND:KEY",
            help="A failed node: activity:CODE, resource:CODE, site:CODE or supplier:CODE. "
            "Repeat for several.",
        )
        whatif.add_argument(
            "--at", type=iso_time, help="The failure time T0 (ISO 8601); default now."
        )
        whatif.add_argument("--json", action="store_true", help="JSON output.")
        for name, text in (
            ("order", "Recovery order, with dependency cycles."),
            ("gaps", "Objective/capability gaps."),
            ("spof", "Single points of failure."),
        ):
            sub.add_parser(name, help=text).add_argument(
                "--json", action="store_true", help="JSON output."
            )
        for name, extra in SUBCOMMANDS.items():
            extra.configure(sub.add_parser(name, help=extra.help))

    def handle(self, *args, analysis: str, json: bool = False, **options):
        if analysis in SUBCOMMANDS:
            data, text = SUBCOMMANDS[analysis].run(options)
            self.stdout.write(_json_dumps(data) if json else text)
            return
        model = Analysis(user=None)
        if analysis == "whatif":
            try:
                keys = parse_failures(None, options["fail"])
            except FailureError as exc:
                raise CommandError(str(exc), returncode=2) from None
            data = WhatIfReport.run(model, keys, options.get("at")).as_json()
        else:
            report = {"order": OrderReport, "gaps": GapsReport, "spof": SpofReport}[analysis]
            data = report(model).as_json()
        if json:
            self.stdout.write(_json_dumps(data))
            return
        self.stdout.write(self.human(analysis, data))

    def human(self, kind: str, data: dict) -> str:
        out = [str(documents.TITLES[kind]), _("Model revision") + f": {data['revision']}"]
        if kind == "whatif":
            out.append(_("Failed") + ": " + ", ".join(data["failed"]))
            out.append(_("Failure at (T0)") + ": " + clock(data["at"]))
        for section in documents.sections(kind, data):
            out += ["", f"{section.heading} ({len(section.rows)})"]
            if section.rows:
                out.append(table(section.header(), section.lines()))
            else:
                out.append(_("None"))
        return "\n".join(out)


def _json_dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
