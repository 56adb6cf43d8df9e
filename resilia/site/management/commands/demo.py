"""`resilia demo`: load the demo bank (idempotent), or `--scale N` for a large organisation."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from resilia.core.context import request_context
from resilia.demo.analysis import load_analysis
from resilia.demo.bia import load_bia
from resilia.demo.dependencies import load_dependencies
from resilia.demo.hazards import load_hazards
from resilia.demo.incidents import load_incidents
from resilia.demo.notify import load_notify
from resilia.demo.plans import load_plans
from resilia.demo.risk import load_risk
from resilia.demo.scale import load_scale
from resilia.demo.scale_model import load_scale_model
from resilia.demo.standard import PASSWORD_ENV, demo_password, load_standard
from resilia.demo.strategies import load_strategies
from resilia.engine.warmup import warm_up


class Command(BaseCommand):
    help = (
        "Load the demo organisation, its users and its dependency model. --scale N instead"
        " builds a synthetic organisation (~N people, at most 100,000) and a dependency model"
        " of N nodes and ~5N links, streamed in bulk (COPY on PostgreSQL) with one summary"
        " audit event instead of one per row, which would take hours and say nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=0, metavar="N", help="~N people and N model nodes"
        )

    def handle(self, *args, scale: int, **options):
        with request_context(source="cli"):
            if scale:
                counts = load_scale(people=min(scale, 100_000))
                if counts["skipped"]:
                    self.stdout.write("The synthetic organisation is already loaded.")
                else:
                    self.stdout.write(
                        f"Loaded {counts['people']} people in {counts['units']} units."
                    )
                model = load_scale_model(nodes=scale)
                if model["skipped"]:
                    self.stdout.write("The synthetic dependency model is already loaded.")
                else:
                    self.stdout.write(
                        "Loaded {activities} activities, {resources} resources and {links} links"
                        " in {seconds} s (peak memory {peak_memory_mb} MB).".format(**model)
                    )
                return
            password, generated = demo_password()
            counts = load_standard(password=password)
            counts.update(load_dependencies())
            counts.update(load_bia())
            counts.update(load_risk())
            counts.update(load_hazards())
            counts.update(load_analysis())
            counts.update(load_plans(password))
            counts.update(load_notify())
            counts.update(load_strategies())
            counts.update(load_incidents())
        self.stdout.write(
            "Demo organisation: {units} units, {people} people, {sites} sites, "
            "{teams} teams, {users} users.".format(**counts)
        )
        self.stdout.write(
            "Dependency model: {activities} activities, {resources} resources, "
            "{links} links.".format(**counts)
        )
        self.stdout.write(
            "Business impact analysis: campaign {campaign} with {assessments} assessments.".format(
                **counts
            )
        )
        self.stdout.write("Risk assessment: {risks} risks, {threats} threats.".format(**counts))
        self.stdout.write("Continuity strategies: {strategy_options} options.".format(**counts))
        # Compile the engine's kernels now (cached on disk), not on the first analysis page.
        self.stdout.write(f"Analysis engine ready ({warm_up():.1f} s).")
        self.stdout.write("")
        self.stdout.write(f"  Sign in at {settings.SITE_URL}/")
        self.stdout.write(f"  user: admin   password: {password}")
        self.stdout.write("  (also: bcm, coord_it, coord_ops, head_ops, coord_retail,")
        self.stdout.write("   contrib_itops, auditor, executive; same password)")
        if generated:
            self.stdout.write(
                f"  The password was generated and kept in {settings.DATA_DIR}/demo_password;"
                f" set {PASSWORD_ENV} to choose your own."
            )
