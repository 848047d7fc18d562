"""`manage.py import_standards FILE [--requirements FILE2] --as USERNAME [--dry-run]`."""

import contextlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hami.core.models import User
from hami.core.tabular import progress_message, raise_for_errors
from hami.standards.imports import standards_import


class Command(BaseCommand):
    help = (
        "Add the standards (and requirements) of an XLSX workbook, or of a standards CSV and a "
        "requirements CSV, to the catalogue (docs/import.md): every row or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="an XLSX workbook (sheets standards and requirements) or a CSV")
        parser.add_argument("--requirements", help="a CSV (or XLSX) of requirements, with a standards CSV")
        parser.add_argument("--as", dest="username", required=True, help="a national admin")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, **options):
        try:
            actor = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            message = _("No user is called {username}.").format(username=options["username"])
            raise CommandError(message) from exc
        path = Path(options["file"])
        requirements = Path(options["requirements"]) if options["requirements"] else None
        started = time.perf_counter()
        try:
            with contextlib.ExitStack() as stack:
                file = stack.enter_context(path.open("rb"))
                requirements_file = stack.enter_context(requirements.open("rb")) if requirements else None
                result = standards_import(
                    actor=actor,
                    file=file,
                    filename=path.name,
                    requirements_file=requirements_file,
                    requirements_filename=requirements.name if requirements else None,
                    dry_run=options["dry_run"],
                    progress=lambda stage, count: self.stdout.write(progress_message(stage, count)),
                )
        except OSError as exc:
            raise CommandError(
                _("Cannot read {path}: {reason}").format(path=exc.filename, reason=exc.strerror)
            ) from exc
        seconds = time.perf_counter() - started
        raise_for_errors(result, self.stderr.write)
        rate = round(result.rows / seconds) if seconds > 0 else 0
        if result.dry_run:
            line = ngettext(
                "Dry run: all {rows} rows are valid; {count} standard would be created ({rate} rows/s).",
                "Dry run: all {rows} rows are valid; {count} standards would be created ({rate} rows/s).",
                result.created,
            )
        else:
            line = ngettext(
                "Imported {count} standard from {rows} rows in {seconds} s ({rate} rows/s).",
                "Imported {count} standards from {rows} rows in {seconds} s ({rate} rows/s).",
                result.created,
            )
        self.stdout.write(
            self.style.SUCCESS(
                line.format(count=result.created, rows=result.rows, seconds=f"{seconds:.1f}", rate=rate)
            )
        )
