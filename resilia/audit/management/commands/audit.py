"""`resilia audit verify`: walk the hash chain, hold it against the signed checkpoints, and
name the first event that was tampered with. `resilia audit checkpoint`: write one now."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from resilia.audit.checkpoints import checkpoint_write
from resilia.audit.models import AuditEvent
from resilia.audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Audit trail tools. 'verify' checks the hash chain and its checkpoints; exit status 1"
        " when it is broken. 'checkpoint' exports a signed checkpoint of the head."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, text in (
            ("verify", "verify the hash chain of the audit trail against its checkpoints"),
            ("checkpoint", "write a signed checkpoint of the chain's head"),
        ):
            sub.add_parser(name, help=text).add_argument(
                "--checkpoints",
                metavar="DIR",
                default=settings.AUDIT_CHECKPOINT_DIR,
                help="checkpoint directory (default: AUDIT_CHECKPOINT_DIR)",
            )

    def handle(self, *args, subcommand, checkpoints=None, **options):
        if subcommand == "verify":
            self._verify(checkpoints)
        else:
            self._checkpoint(checkpoints)

    def _checkpoint(self, directory):
        if not directory:
            raise CommandError("No checkpoint directory: set AUDIT_CHECKPOINT_DIR or pass one.")
        mark = checkpoint_write(directory)
        if mark is None:
            self.stdout.write("The audit trail is empty: no checkpoint written.")
        else:
            self.stdout.write(f"checkpoint: seq {mark.seq} hash {mark.hash} in {mark.path}")

    def _verify(self, directory):
        result = audit_verify(checkpoint_dir=directory)
        if result.ok:
            head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
            self.stdout.write(f"OK: {result.checked} event(s) checked, chain intact.")
            if result.checkpoints:
                self.stdout.write(
                    f"{result.checkpoints} checkpoint(s) hold, the latest at seq"
                    f" {result.checkpoint_seq}."
                )
            else:
                # Without a checkpoint, deleting the newest events would go unnoticed.
                self.stdout.write(f"No checkpoint found in {directory or '(none configured)'}.")
            if head is not None:
                self.stdout.write(f"head: seq {head.seq} hash {head.hash}")
            return
        event = AuditEvent.objects.filter(pk=result.broken_id).only("timestamp").first()
        when = event.timestamp.isoformat() if event is not None else "?"
        raise CommandError(
            f"BROKEN: event seq {result.broken_seq} (id {result.broken_id}, time {when}): "
            f"{result.reason}; {result.checked} event(s) before it are intact.",
            returncode=1,
        )
