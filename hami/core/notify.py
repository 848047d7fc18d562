"""Telling people things: in the app always, by email when they have an address, by SMS through a
pluggable sender (settings.HAMI_SMS_SENDER, a dotted path to `send(phone, text)`)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from hami.core.models import Notification, User

logger = logging.getLogger(__name__)


def log_sms(phone: str, text: str) -> None:
    """The default SMS sender: writes to the log. Production points HAMI_SMS_SENDER at a gateway."""
    logger.info("SMS to %s: %s", phone, text)


def notify(*, user: User, subject: str, body: str, link: str = "") -> Notification:
    """Record the in-app notification and send its copies; a failing channel is logged, not raised."""
    notification = Notification.objects.create(user=user, subject=subject[:200], body=body, link=link)
    if user.email:
        try:
            send_mail(subject, f"{body}\n\n{link}".strip(), None, [user.email])
        except OSError:
            logger.exception("email to %s failed", user.email)
    phone = getattr(user, "phone", "")
    if phone:
        try:
            import_string(settings.HAMI_SMS_SENDER)(phone, f"{subject}: {body}"[:300])
        except Exception:  # a gateway's error must not undo the in-app notice
            logger.exception("SMS to %s failed", phone)
    return notification
