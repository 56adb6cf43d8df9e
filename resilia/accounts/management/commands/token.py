"""`resilia token create|revoke USERNAME`: issue or revoke a user's API token from the server.

Replaces DRF's `drf_create_token` (its app is not installed): the key is stored hashed,
printed once, and the change is audited like the token page's.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from resilia.accounts import services
from resilia.accounts.models import User
from resilia.core.context import request_context


class Command(BaseCommand):
    help = "Create (print once) or revoke the API token of a user."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, text in (
            ("create", "issue a new token, replacing any previous one; prints the key once"),
            ("revoke", "delete the user's token"),
        ):
            sub.add_parser(name, help=text).add_argument("username")

    def handle(self, *args, subcommand, username, **options):
        with translation.override(settings.LANGUAGE_CODE), request_context(source="cli"):
            user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
            if user is None:
                raise CommandError(_("No user is named %(name)s.") % {"name": username})
            if subcommand == "create":
                self.stdout.write(services.token_create(actor=None, user=user).key)
            elif services.token_revoke(actor=None, user=user):
                self.stdout.write(_("The API token of %(name)s was revoked.") % {"name": username})
            else:
                self.stdout.write(_("%(name)s has no API token.") % {"name": username})
