from django.core.management.base import BaseCommand, CommandError

from hami.core.audit import verify_chain
from hami.core.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit 1 if any event was edited, inserted or deleted."

    def handle(self, *args, **options):
        problems = list(verify_chain())
        for problem in problems:
            self.stderr.write(f"{problem.kind.upper()}: {problem.message}")
        total = AuditEvent.objects.count()
        if problems:
            raise CommandError(f"audit trail broken: {len(problems)} problem(s) in {total} events")
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {total} events"))
