"""Print the ISO 2859-1:1999 single sampling plan of a lot, or a whole master table.

    manage.py sampling_plan --lot-size 1200 --level II --aql 1.0 [--severity normal] [--json]
    manage.py sampling_plan --table reduced

Exit codes: 0 done, 1 bad value (the message says which), 2 wrong command line."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from hami.labs.sampling import LEVELS, SamplingError, Severity, format_table, plan


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--lot-size", help="number of items in the lot")
        parser.add_argument("--level", help=f"inspection level: {', '.join(LEVELS)}")
        parser.add_argument("--aql", help="acceptance quality limit as in the tables, e.g. 1.0 or 0.65")
        parser.add_argument(
            "--severity", default="normal", choices=[s.value for s in Severity], help="default: normal"
        )
        parser.add_argument("--json", action="store_true", help="print the plan as JSON")
        parser.add_argument(
            "--table", choices=[s.value for s in Severity], help="print a whole master table instead"
        )
        parser.add_argument("--language", default="en", choices=["en", "fa"], help="default: en")

    def handle(self, *args, **options):
        lot_size, level, aql = options["lot_size"], options["level"], options["aql"]
        with translation.override(options["language"]):
            if options["table"]:
                self.stdout.write(format_table(options["table"]))
                return
            missing = [name for name, value in (("--lot-size", lot_size), ("--level", level), ("--aql", aql))
                       if value is None]  # fmt: skip
            if missing:
                raise CommandError(_("Missing: {names}.").format(names=", ".join(missing)), returncode=2)
            try:
                result = plan(lot_size, level, aql, options["severity"])
            except SamplingError as exc:
                raise CommandError(str(exc.message)) from exc
            self.stdout.write(self._json(result) if options["json"] else self._text(result))

    @staticmethod
    def _json(result) -> str:
        return json.dumps(result.as_dict(), ensure_ascii=False, indent=2)

    @staticmethod
    def _text(result) -> str:
        lines = [
            _("ISO 2859-1:1999 single sampling, {severity} inspection (Table {table})").format(
                severity=result.severity.value, table=result.table
            ),
            _("Lot size {lot_size}, inspection level {level}, AQL {aql}").format(
                lot_size=result.lot_size, level=result.level, aql=result.aql_label
            ),
            _("Code letter {letter}").format(letter=result.code_letter),
        ]
        if result.arrow_followed:
            lines.append(
                _("The table's arrow leads to the plan of code letter {letter} (sample size {n}).").format(
                    letter=result.plan_letter, n=result.table_sample_size
                )
            )
        if result.full_inspection:
            lines.append(
                _("The sample size {n} reaches the lot size: inspect all {lot_size} items.").format(
                    n=result.table_sample_size, lot_size=result.lot_size
                )
            )
        lines.append(_("Sample size {n}").format(n=result.sample_size))
        lines.append(
            _("Accept with {ac} or fewer nonconforming items (Ac), reject with {re} or more (Re)").format(
                ac=result.accept, re=result.reject
            )
        )
        return "\n".join(lines)
