"""`resilia pack build PLAN_CODE [--out FILE]`: the offline pack of a plan's published
version. `resilia pack verify FILE`: check a pack; exit status 1 when it is not intact."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from resilia.plans import selectors
from resilia.plans.models import Plan
from resilia.plans.pack import build_pack, texts_of_verdict, verify_pack


class Command(BaseCommand):
    help = (
        "Offline plan packs. 'build' writes the signed pack of a plan's published version;"
        " 'verify' checks a pack's files and signature, exit status 1 when it is not intact."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        build = sub.add_parser("build", help="build the pack of a plan's published version")
        build.add_argument("plan_code", metavar="PLAN_CODE")
        build.add_argument("--out", metavar="FILE", help="zip to write (default: its own name)")
        verify = sub.add_parser("verify", help="verify a pack against its signed manifest")
        verify.add_argument("file", metavar="FILE")
        for p in (build, verify):
            p.add_argument(
                "--language",
                choices=[code for code, _name in settings.LANGUAGES],
                help="language of the pack and of the messages (default: LANGUAGE_CODE)",
            )

    def handle(self, *args, subcommand, language=None, **options):
        with translation.override(language or settings.LANGUAGE_CODE):
            if subcommand == "build":
                self._build(options["plan_code"], options.get("out"))
            else:
                self._verify(options["file"])

    def _build(self, code, out):
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            raise CommandError(_("No plan has the code %(code)s.") % {"code": code})
        version = selectors.published(plan)
        if version is None:
            raise CommandError(
                _("Plan %(code)s has no published version: publish it first.") % {"code": code}
            )
        built = build_pack(version)
        path = Path(out or built.filename)
        path.write_bytes(built.content)
        self.stdout.write(
            _("Pack of %(code)s v%(number)s written to %(path)s (manifest SHA-256 %(sha)s).")
            % {"code": code, "number": version.number, "path": path, "sha": built.manifest_sha256}
        )

    def _verify(self, file):
        check = verify_pack(file)
        if check.ok:
            self.stdout.write(texts_of_verdict()["intact"] % {"count": check.checked})
            return
        for problem in check.problems:
            self.stdout.write(problem.message)
        raise CommandError(texts_of_verdict()["broken"], returncode=1)
