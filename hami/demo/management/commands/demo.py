import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from hami.core.divisions import load_divisions
from hami.core.models import County, Province
from hami.demo.builder import DEMO_LOGINS, DEMO_PASSWORD, DemoExists, build_demo, has_data
from hami.licensing.catalogue import load_sanction_reasons
from hami.licensing.models import SanctionReason


class Command(BaseCommand):
    help = "Build the demo province (deterministic, shaped like Qazvin) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1405, help="the same seed gives the same data")
        parser.add_argument("--units", type=int, default=3800, help="production units in Qazvin province")
        parser.add_argument("--other-units", type=int, default=60, help="units in Tehran, to show scoping")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the database has data")
        parser.add_argument("--reset", action="store_true", help="empty the database first (flush)")

    def handle(self, *args, seed, units, other_units, if_empty, reset, **options):
        if units < 1 or units > 200_000:
            raise CommandError("--units must be between 1 and 200000")
        if reset:
            self.stdout.write("emptying the database…")
            call_command("flush", interactive=False, verbosity=0)
            load_divisions(Province, County)
            load_sanction_reasons(SanctionReason)
        elif has_data():
            if if_empty:
                self.stdout.write("the database already has data: demo not rebuilt")
                self._print_logins(DEMO_LOGINS)
                return
            raise CommandError(
                "the database already holds units or standards; use --reset or a fresh database"
            )
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stdout.write(f"  [{time.perf_counter() - started:5.1f}s] {message}…")
            self.stdout.flush()

        self.stdout.write(f"building the demo province (seed {seed})")
        try:
            summary = build_demo(seed=seed, units=units, other_units=other_units, progress=progress)
        except DemoExists as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"demo built in {elapsed:.1f}s: {summary.units} units, {summary.products} product lines "
                f"({summary.mandatory_products} kinds of product under mandatory standards), "
                f"{summary.standards} standards "
                f"({summary.mandatory_standards} mandatory, {summary.requirements} requirements), "
                f"{summary.categories} categories, {summary.labs} labs, {summary.licences} licences, "
                f"{summary.applications} open applications"
            )
        )
        self.stdout.write(
            f"testing: {summary.scope_lines} scope lines ({summary.gaps} of the "
            f"{summary.testing_requirements} mandatory requirements with no lab in the country), "
            f"{summary.samples} samples ({summary.decided_samples} decided, {summary.not_conforming} "
            f"not conforming), {summary.orders} test orders ({summary.open_orders} open), "
            f"{summary.reports} reports"
        )
        if summary.outreach:
            o = summary.outreach
            self.stdout.write(
                f"outreach: {o.courses} courses, {o.sessions} sessions, {o.registrations} registrations, "
                f"{o.certificates} certificates; {o.advisors} advisors, {o.slots} clinic slots, "
                f"{o.bookings} bookings, {o.referrals} referrals; {o.groups} working groups, "
                f"{o.meetings} meetings, {o.actions} action items, {o.proposals} proposals"
            )
        if summary.supervision:
            v = summary.supervision
            self.stdout.write(
                f"supervision: {v.inspectors} inspectors, {v.plans} plans, {v.visits} visits ({v.done} done, "
                f"{v.planned} planned), {v.findings} findings, {v.actions} corrective actions "
                f"({v.overdue_actions} overdue), {v.decisions} ladder decisions ({v.coercive} coercive), "
                f"{v.market_cases} market cases, {v.complaints} complaints"
            )
        self._print_logins(summary.logins or DEMO_LOGINS)

    def _print_logins(self, logins) -> None:
        self.stdout.write(f"\ndemo logins (password for all: {DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.username:<16} {login.role:<22} {login.description}")
