import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hami.outreach.services.bookings import bookings_remind
from hami.outreach.services.certificates import certificates_expiry_notify
from hami.outreach.services.referrals import referrals_from_failed_tests
from hami.outreach.services.training import session_reminders_send


class Command(BaseCommand):
    help = (
        "The outreach run, for a scheduler (hourly is good; every step is idempotent): refer units whose "
        "tests failed to a clinic, remind of course and clinic sessions starting soon, and warn of QC "
        "competence certificates about to expire."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", help="run as if it were this moment (ISO 8601, e.g. 2026-11-28T09:00)")
        parser.add_argument(
            "--lookback-days",
            type=int,
            default=3,
            help="look for failed test reports issued this many days back (default 3: covers missed runs)",
        )

    def handle(self, *args, now, lookback_days, **options):
        try:
            moment = dt.datetime.fromisoformat(now) if now else timezone.now()
        except ValueError as exc:
            raise CommandError("--now must be an ISO 8601 date and time") from exc
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if lookback_days < 0:
            raise CommandError("--lookback-days must not be negative")
        referred = referrals_from_failed_tests(since=moment - dt.timedelta(days=lookback_days))
        sessions = session_reminders_send(now=moment)
        bookings = bookings_remind(now=moment)
        expiring = certificates_expiry_notify(today=timezone.localdate(moment))
        self.stdout.write(
            f"{moment:%Y-%m-%d %H:%M}: {referred} referrals, {sessions} course reminders, "
            f"{bookings} clinic reminders, {expiring} certificate expiry notices"
        )
