from django.core.management.base import BaseCommand, CommandError

from resilia.core import i18n


class Command(BaseCommand):
    help = "Refresh (make), check or compile the translation catalogues."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["make", "check", "compile"])
        parser.add_argument("apps", nargs="*", help="limit 'make' to these apps")

    def handle(self, *args, action, apps, **options):
        if action == "make":
            i18n.make(apps or None)
        elif action == "compile":
            self.stdout.write(f"compiled {i18n.compile_all()} catalogue(s)")
        else:
            found = i18n.problems()
            for line in found:
                self.stderr.write(line)
            if found:
                raise CommandError(f"{len(found)} untranslated or fuzzy string(s)")
            self.stdout.write("all strings translated")
