from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hami.licensing.services.licences import licences_expire
from hami.licensing.services.reminders import renewal_reminders_plan


class Command(BaseCommand):
    help = "The daily licensing run: expire licences past their date, plan renewal reminders (90/60/30 days)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="run as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, today, **options):
        import datetime as dt

        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--today must be YYYY-MM-DD") from exc
        expired = licences_expire(today=day)
        planned = renewal_reminders_plan(today=day)
        self.stdout.write(f"{day}: {expired} licences expired, {planned} renewal reminders enqueued")
