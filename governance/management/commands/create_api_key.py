"""``manage.py create_api_key <name>``: issue a key for another system's Open311 client.

The key is printed once and only its hash is stored: hand it over at once. ``--list``
shows the keys (prefix, name, state, last use); ``--revoke PREFIX`` switches one off.
"""

from django.core.management.base import BaseCommand, CommandError

from governance.apikeys import api_key_create, api_key_revoke
from governance.models import ApiKey


class Command(BaseCommand):
    help = "Create an API key for the Open311 endpoint (printed once), list or revoke keys."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="The system that will use the key, e.g. 12345热线.")
        parser.add_argument("--list", action="store_true", help="List the keys instead.")
        parser.add_argument("--revoke", metavar="PREFIX", help="Revoke the key with this prefix.")

    def handle(self, *args, name=None, list=False, revoke=None, **options):
        if list:
            for key in ApiKey.objects.order_by("created_at", "id"):
                state = "active" if key.is_active else f"revoked {key.revoked_at:%Y-%m-%d}"
                used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never used"
                self.stdout.write(f"{key.prefix}…  {key.name}  ({state}, {used})")
            return
        if revoke:
            matches = ApiKey.objects.filter(prefix=revoke)
            if matches.count() != 1:
                raise CommandError(f"No single key has the prefix {revoke!r}; see --list.")
            key = api_key_revoke(key=matches.get())
            self.stdout.write(f"Revoked {key}.")
            return
        if not name or not name.strip():
            raise CommandError("Give the name of the system that will use the key.")
        key, raw = api_key_create(name=name)
        self.stdout.write(f"API key for {key.name} (prefix {key.prefix}), shown only this once:")
        self.stdout.write(raw)
