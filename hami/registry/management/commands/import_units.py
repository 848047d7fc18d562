"""`manage.py import_units FILE --as USERNAME [--dry-run]`: the office page's import, from a shell."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hami.core.models import User
from hami.core.tabular import progress_message, raise_for_errors
from hami.registry.imports import units_import


class Command(BaseCommand):
    help = "Register the production units of a CSV UTF-8 or XLSX file (docs/import.md): every row or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV UTF-8 or XLSX file")
        parser.add_argument("--as", dest="username", required=True, help="the user the import is done as")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, **options):
        try:
            actor = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            message = _("No user is called {username}.").format(username=options["username"])
            raise CommandError(message) from exc
        path = Path(options["file"])
        started = time.perf_counter()
        try:
            with path.open("rb") as file:
                result = units_import(
                    actor=actor,
                    file=file,
                    filename=path.name,
                    dry_run=options["dry_run"],
                    progress=lambda stage, count: self.stdout.write(progress_message(stage, count)),
                )
        except OSError as exc:
            message = _("Cannot read {path}: {reason}").format(path=exc.filename, reason=exc.strerror)
            raise CommandError(message) from exc
        seconds = time.perf_counter() - started
        raise_for_errors(result, self.stderr.write)
        rate = round(result.rows / seconds) if seconds > 0 else 0
        if result.dry_run:
            line = ngettext(
                "Dry run: all {rows} rows are valid; {count} unit would be created ({rate} rows/s).",
                "Dry run: all {rows} rows are valid; {count} units would be created ({rate} rows/s).",
                result.created,
            )
        else:
            line = ngettext(
                "Imported {count} unit from {rows} rows in {seconds} s ({rate} rows/s).",
                "Imported {count} units from {rows} rows in {seconds} s ({rate} rows/s).",
                result.created,
            )
        self.stdout.write(
            self.style.SUCCESS(
                line.format(count=result.created, rows=result.rows, seconds=f"{seconds:.1f}", rate=rate)
            )
        )
