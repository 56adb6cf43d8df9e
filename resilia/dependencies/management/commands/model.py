"""`resilia model export|import`: the continuity model as code (docs/model-format.md)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

from resilia.core.context import request_context
from resilia.dependencies.modelio import (
    FORMATS,
    ModelFileError,
    export_text,
    import_model,
    loads,
    read_file,
)

MAX_SHOWN = 200  # problems and warnings printed; the rest are counted


class Command(BaseCommand):
    help = (
        "Export the continuity model (units, sites, people by employee number, resources,"
        " activities, objectives, dependencies) to YAML or JSON, or import such a file:"
        " all or nothing, idempotent, audited. See docs/model-format.md."
    )

    from_command_line = False

    def run_from_argv(self, argv):
        self.from_command_line = True
        super().run_from_argv(argv)

    def execute(self, *args, **options):
        # Django prints a CommandError as "CommandError: <message>"; these messages are the
        # answer to the user (the file's problems, one a line), so they are printed as they
        # are. call_command() still raises the CommandError for its caller.
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if not self.from_command_line or options.get("traceback"):
                raise
            self.stderr.write(str(exc))
            sys.exit(exc.returncode)

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of messages (default: LANGUAGE_CODE)",
        )
        sub = parser.add_subparsers(dest="subcommand", required=True)
        export = sub.add_parser("export", help="write the model to stdout or a file")
        export.add_argument("--format", choices=FORMATS, default=None, help="default: yaml")
        export.add_argument("--output", "-o", metavar="FILE", help="write to FILE")
        imp = sub.add_parser("import", help="load a model file (YAML or JSON)")
        imp.add_argument("file", metavar="FILE")
        imp.add_argument(
            "--dry-run", action="store_true", help="show what would change, change nothing"
        )
        imp.add_argument(
            "--prune",
            action="store_true",
            help="delete links, resources and activities the file does not list"
            " (without it they are kept and reported)",
        )

    def handle(self, *args, subcommand, language=None, **options):
        self.verbosity = options["verbosity"]
        with translation.override(language or settings.LANGUAGE_CODE):
            with request_context(source="cli"):
                if subcommand == "export":
                    self.export(options["format"], options["output"])
                else:
                    self.load(options["file"], options["dry_run"], options["prune"])

    def export(self, fmt: str | None, output: str | None) -> None:
        if fmt is None:
            fmt = "json" if output and output.lower().endswith(".json") else "yaml"
        try:
            text = export_text(fmt)
        except ModelFileError as exc:
            raise CommandError("\n".join(str(p) for p in exc.problems)) from None
        if output:
            Path(output).write_text(text, encoding="utf-8", newline="\n")
            self.stderr.write(_("Model written to %(file)s.") % {"file": output})
        else:
            self.stdout.write(text, ending="")

    def load(self, file: str, dry_run: bool, prune: bool) -> None:
        path = Path(file)
        try:
            text = read_file(path)
        except (OSError, ModelFileError) as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": exc}
            ) from None
        fmt = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}.get(path.suffix.lower())
        try:
            report = import_model(
                loads(text, fmt), actor=None, dry_run=dry_run, prune=prune, source=path.name
            )
        except ModelFileError as exc:
            lines = [str(p) for p in exc.problems[:MAX_SHOWN]]
            if len(exc.problems) > MAX_SHOWN:
                lines.append(_("… and %(n)s more") % {"n": len(exc.problems) - MAX_SHOWN})
            lines.append(
                _("%(file)s was not imported: %(n)s problem(s); nothing was changed.")
                % {"file": path.name, "n": len(exc.problems)}
            )
            raise CommandError("\n".join(lines)) from None
        except DatabaseError as exc:
            raise CommandError(
                _("The database refused the import; nothing was changed: %(reason)s")
                % {"reason": exc}
            ) from None
        if dry_run or self.verbosity >= 2:
            for line in report.changes:
                self.stdout.write(line)
        for line in report.warnings[:MAX_SHOWN]:
            self.stderr.write(_("warning: %(text)s") % {"text": line})
        if len(report.warnings) > MAX_SHOWN:
            self.stderr.write(_("… and %(n)s more") % {"n": len(report.warnings) - MAX_SHOWN})
        counts = {
            "created": sum(report.created.values()),
            "updated": sum(report.updated.values()),
            "deleted": sum(report.deleted.values()),
        }
        if dry_run:
            message = _(
                "Dry run: %(created)s to create, %(updated)s to update, %(deleted)s to delete;"
                " nothing was changed."
            )
        elif report.change_count:
            message = _("Imported: %(created)s created, %(updated)s updated, %(deleted)s deleted.")
        else:
            message = _("The database already holds this model: nothing changed.")
        self.stdout.write(message % counts)
