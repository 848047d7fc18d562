"""Check a mark's QR payload offline. Exit codes (hami.licensing.signing.EXIT_CODES):
0 valid, 1 malformed / truncated / not a Hami mark, 2 wrong command line, 3 tampered,
4 signed by an unknown key, 5 expired."""

import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from hami.licensing import signing


class Command(BaseCommand):
    help = __doc__
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("payload", help="the QR payload (HAMI1.…), or - to read it from standard input")
        parser.add_argument(
            "--public-keys", required=True, help="the JSON of `manage.py signing_keys export`"
        )
        parser.add_argument("--today", help="check expiry against this date (YYYY-MM-DD) instead of today")

    def handle(self, *args, payload, public_keys, today, **options):
        try:
            with open(public_keys, encoding="utf-8") as fh:
                keys = signing.load_public_keys(json.load(fh))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"cannot read public keys from {public_keys}: {exc}") from exc
        try:
            day = dt.date.fromisoformat(today) if today else dt.date.today()
        except ValueError as exc:
            raise CommandError(f"--today must be YYYY-MM-DD, got {today!r}") from exc
        text = sys.stdin.read() if payload == "-" else payload
        result = signing.verify(text, keys, today=day)
        self.stdout.write(result.verdict.value)
        if result.claims and result.verdict != signing.Verdict.MALFORMED:
            for name, label in (("t", "tracking code"), ("u", "unit"), ("p", "product"), ("s", "standard"),
                                ("e", "expires"), ("k", "key")):  # fmt: skip
                self.stdout.write(f"  {label}: {result.claims.get(name)}")
        sys.exit(signing.EXIT_CODES[result.verdict])
