"""Who hears of an outreach change, and the notices sent once the transaction commits: nobody hears of a
change that rolled back (Zulip's `do_*` actions). Training, clinics, referrals and working groups all
send theirs through here.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation

from hami.core.models import User
from hami.core.notify import notify
from hami.registry.models import UnitMembership


def unit_reps(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active representatives of each unit, in one query."""
    reps: dict[int, list[User]] = defaultdict(list)
    memberships = UnitMembership.objects.filter(unit_id__in=list(unit_ids), user__is_active=True)
    for membership in memberships.select_related("user"):
        reps[membership.unit_id].append(membership.user)
    return reps


def notify_on_commit(
    users: Iterable[User], *, subject: str, body: str, link: str, skip: User | None = None
) -> None:
    """Notify these users (each once; `skip`, usually the actor, not at all) once the transaction commits.
    The text is the caller's, already translated."""
    users = list({user.pk: user for user in users if skip is None or user.pk != skip.pk}.values())

    def send():
        for user in users:
            notify(user=user, subject=subject, body=body, link=link)

    if users:
        transaction.on_commit(send)


def notify_units_on_commit(
    messages: dict[int, tuple[str, str]], *, link: str, skip: User | None = None
) -> None:
    """Tell the active representatives of each unit (but `skip`) its own (subject, body), once the
    transaction commits; one query for all the units."""
    if not messages:
        return
    reps = unit_reps(messages)
    for unit_id, (subject, body) in messages.items():
        notify_on_commit(reps.get(unit_id, []), subject=subject, body=body, link=link, skip=skip)


def notify_on_commit_in_site_language(
    recipients: QuerySet[User],
    *,
    message: Callable[[], tuple[str, str]],
    link: str,
    skip: User | None = None,
) -> None:
    """After the commit, notify each recipient but `skip`; `message()` gives (subject, body) and is
    called then, in the site's language (people read their notices later, whatever language the
    actor's page was in)."""
    if skip is not None:
        recipients = recipients.exclude(pk=skip.pk)
    user_ids = list(recipients.values_list("pk", flat=True))

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = message()
            for user in User.objects.filter(pk__in=user_ids):
                notify(user=user, subject=subject, body=body, link=link)

    if user_ids:
        transaction.on_commit(send)
