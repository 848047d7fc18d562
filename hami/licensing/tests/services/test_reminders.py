import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from hami.core.models import Notification
from hami.licensing.models import RenewalReminder
from hami.licensing.services.reminders import due_step, renewal_reminders_plan

pytestmark = pytest.mark.django_db


def run_worker():
    """What `manage.py db_worker --batch` does, task by task, inside the test's transaction.

    The command itself calls close_old_connections() between tasks, which closes a connection that
    is inside a transaction; on PostgreSQL that is the test's own connection."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while (result := DBTaskResult.objects.ready().get_locked()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)


@pytest.mark.parametrize(
    ("days", "step"), [(120, None), (91, None), (90, 90), (61, 90), (60, 60), (30, 30), (0, 30)]
)
def test_due_step(days, step):
    assert due_step(days) == step


def test_reminders_90_60_30_each_sent_once_through_the_task_worker(licence, unit_rep):
    unit_rep.email = "rep@example.org"
    unit_rep.save()
    expires = licence.expires_on
    for days_before, expected in ((95, 0), (90, 1), (89, 0), (60, 1), (45, 0), (30, 1), (10, 0)):
        today = expires - dt.timedelta(days=days_before)
        assert renewal_reminders_plan(today=today) == expected, days_before
        assert renewal_reminders_plan(today=today) == 0  # the command running twice sends nothing more
        run_worker()
    steps = sorted(RenewalReminder.objects.values_list("days_before", flat=True))
    assert steps == [30, 60, 90]
    assert not RenewalReminder.objects.filter(sent_at__isnull=True).exists()
    notices = Notification.objects.filter(user=unit_rep)
    assert notices.count() == 3 and "تمدید" in notices.first().body
    assert len(mail.outbox) == 3


def test_delivery_is_idempotent_if_a_task_runs_twice(licence, unit_rep):
    from hami.licensing.tasks import deliver_renewal_reminder

    renewal_reminders_plan(today=licence.expires_on - dt.timedelta(days=30))
    reminder = RenewalReminder.objects.get()
    deliver_renewal_reminder.enqueue(reminder.pk)  # a duplicate in the queue
    run_worker()
    assert Notification.objects.filter(user=unit_rep).count() == 1


def test_daily_command_expires_and_plans(licence, capsys):
    call_command("licensing_daily", "--today", (licence.expires_on + dt.timedelta(days=1)).isoformat())
    assert "1 licences expired" in capsys.readouterr().out
    licence.refresh_from_db()
    assert licence.state == "expired"
