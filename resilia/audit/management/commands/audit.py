"""`resilia audit verify`: walk the hash chain and name the first event that was tampered with."""

from django.core.management.base import BaseCommand, CommandError

from resilia.audit.models import AuditEvent
from resilia.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' checks the hash chain; exit status 1 when it is broken."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="verify the hash chain of the audit trail")

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify":
            self._verify()

    def _verify(self):
        result = audit_verify()
        if result.ok:
            head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
            self.stdout.write(f"OK: {result.checked} event(s) checked, chain intact.")
            if head is not None:
                # Noting the head elsewhere lets an auditor detect a truncated tail later.
                self.stdout.write(f"head: seq {head.seq} hash {head.hash}")
            return
        event = AuditEvent.objects.filter(pk=result.broken_id).only("timestamp").first()
        when = event.timestamp.isoformat() if event is not None else "?"
        raise CommandError(
            f"BROKEN: event seq {result.broken_seq} (id {result.broken_id}, time {when}): "
            f"{result.reason}; {result.checked} event(s) before it are intact.",
            returncode=1,
        )
