"""``manage.py load_demo``: the three places of the seed document, at real size, and
~600 micro-wishes of the last 120 days in them (``wishes.demo``; ``--no-wishes`` skips),
and property services in 分宜县 (``properties.demo``; ``--no-properties`` skips).

Idempotent: everything is keyed on stable codes (a wish on its idempotency key
``demo-<n>``) and only what is missing is inserted, so a second run creates nothing. It creates logins with a known password
(``DEMO_PASSWORD``, default ``demo-pass-2026``), so it refuses to run unless DEBUG
is on or ``--force`` is given.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from communities.demo import DEFAULT_PASSWORD, load_demo
from properties.demo import COMPANY_LOGIN, load_demo_properties
from wishes.demo import load_demo_wishes


class Command(BaseCommand):
    help = (
        "Load the demo data (乐山市市中区, 分宜县, 汶上经济开发区), staff logins and micro-wishes. "
        f"Idempotent. Password from DEMO_PASSWORD (default {DEFAULT_PASSWORD})."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="Run even with DEBUG off (the logins have a known password).",
        )
        parser.add_argument(
            "--reset-passwords", action="store_true",
            help="Also set the password of demo logins that already exist.",
        )
        parser.add_argument(
            "--no-wishes", action="store_true",
            help="Load only the territory, party organisations and logins, no micro-wishes.",
        )

        parser.add_argument(
            "--no-properties", action="store_true",
            help="Leave out the property services demo (companies, committees, ratings).",
        )

    def handle(self, *args, force=False, reset_passwords=False, no_wishes=False, no_properties=False,
               **options):
        if not (settings.DEBUG or force):
            raise CommandError(
                "load_demo creates logins with a known password; it runs only with DEBUG on. "
                "Use --force to load it anyway (never on a production database)."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        result = load_demo(password=password, reset_passwords=reset_passwords)

        wishes = None if no_wishes else load_demo_wishes()
        properties = None if no_properties else load_demo_properties(password=password)

        created = ", ".join(f"{name} {count}" for name, count in result.created.items())
        self.stdout.write(f"Created: {created} ({result.total_created} rows, {result.seconds:.1f} s).")
        if wishes is not None:
            statuses = ", ".join(f"{status} {count}" for status, count in wishes.by_status.items())
            self.stdout.write(
                f"Micro-wishes: {wishes.created} created ({wishes.seconds:.1f} s), "
                f"{wishes.existing} already there; demo wishes by status: {statuses or 'none'}."
            )
            for problem in wishes.skipped:
                self.stdout.write(self.style.WARNING(f"  history cut short: {problem}"))
        if properties is not None and not properties.existing:
            rows = ", ".join(f"{name} {count}" for name, count in properties.created.items())
            self.stdout.write(
                f"Property services in 分宜县: {rows}; rating period {properties.period} closed and "
                f"published ({properties.seconds:.1f} s). A property company's staff log in as "
                f"{COMPANY_LOGIN}."
            )
        nothing_new = (wishes is None or wishes.created == 0) and (properties is None or properties.existing)
        if result.total_created == 0 and nothing_new:
            self.stdout.write("The demo data was already complete; nothing changed.")
        if result.skipped.get("posts"):
            self.stdout.write(
                f"{result.skipped['posts']} secretary posts left out: those organisations "
                "already have another sitting secretary."
            )

        rows = [("username", "role", "area"), *result.logins]
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        for n, row in enumerate(rows):
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write("")
        reused = [] if reset_passwords else result.existing_logins
        if reused and len(reused) == len(result.logins):
            self.stdout.write(
                "The logins already existed and keep their passwords "
                "(--reset-passwords sets them to the one below)."
            )
        elif reused:
            self.stdout.write(
                f"Existing logins kept their passwords: {', '.join(reused)}."
            )
        self.stdout.write(self.style.SUCCESS(f"Password of new demo logins: {password}"))


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
