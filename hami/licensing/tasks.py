"""Background work of licensing, run by task workers (`manage.py db_worker`)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from hami.core.audit import audit
from hami.core.jalali import format_date
from hami.core.models import EventType
from hami.core.notify import notify
from hami.licensing.models import RenewalReminder


@task()
def deliver_renewal_reminder(reminder_id: int) -> bool:
    """Tell the unit's representatives that a licence needs renewing; a second run does nothing."""
    with transaction.atomic():
        reminder = (
            RenewalReminder.objects.select_for_update()
            .select_related("licence__unit", "licence__standard", "licence__province")
            .filter(pk=reminder_id, sent_at__isnull=True)
            .first()
        )
        if reminder is None:
            return False
        licence = reminder.licence
        for membership in licence.unit.memberships.select_related("user"):
            with override("fa"):
                notify(
                    user=membership.user,
                    subject=_("Licence {number} expires in {days} days").format(
                        number=licence.number, days=reminder.days_before
                    ),
                    body=_(
                        "The licence for {standard} expires on {date}. Apply for renewal now; "
                        "the renewal keeps your tracking code."
                    ).format(
                        standard=licence.standard.code, date=format_date(licence.expires_on, language="fa")
                    ),
                    link=f"/licensing/licences/{licence.public_id}/",
                )
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
        audit(
            actor=None,
            event_type=EventType.RENEWAL_REMINDER_SENT,
            obj=licence,
            province=licence.province,
            details={"days_before": reminder.days_before, "expires_on": reminder.expires_on},
        )
        return True
