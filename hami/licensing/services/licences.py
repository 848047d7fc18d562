"""Licences: created by a grant, versioned by amendments and renewals, suspended, reinstated, revoked
by committee decisions, expired by the nightly run."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hami.core.audit import Change, audit, audit_many
from hami.core.models import EventType, User
from hami.licensing.models import Application, Licence, LicenceState, LicenceVersion
from hami.licensing.tracking import new_tracking_code


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def validity_years(scheme: str) -> int:
    """Years a licence runs, per certification scheme (settings.HAMI_LICENCE_VALIDITY_YEARS)."""
    return settings.HAMI_LICENCE_VALIDITY_YEARS.get(scheme, settings.HAMI_LICENCE_VALIDITY_YEARS["default"])


def _unique_tracking_code() -> str:
    while True:
        code = new_tracking_code()
        if not Licence.objects.filter(tracking_code=code).exists():
            return code


def _licence_number(application: Application) -> str:
    return application.number.replace("-", "/", 1)


def licence_issue(*, actor: User, application: Application, today: dt.date | None = None) -> Licence:
    """The licence a grant creates, or the renewed version of the licence an application renews.

    Called inside committee_decide's transaction. A renewal keeps the licence and its tracking code."""
    today = today or timezone.localdate()
    scheme = application.standard.scheme
    product = application.product
    if application.licence_id:
        licence = Licence.objects.select_for_update().get(pk=application.licence_id)
        start = max(today, licence.expires_on)
        reason, event = f"renewal {application.number}", EventType.LICENCE_RENEWED
    else:
        licence = Licence.objects.create(
            number=_licence_number(application),
            tracking_code=_unique_tracking_code(),
            unit=application.unit,
            standard=application.standard,
            province=application.province,
            expires_on=today,
        )
        start = today
        reason, event = f"grant {application.number}", EventType.LICENCE_GRANTED
    expires = add_years(start, validity_years(scheme))
    version = LicenceVersion.objects.create(
        licence=licence,
        number=licence.versions.count() + 1,
        site=application.site,
        product=product,
        product_name=product.name,
        brand=product.brand,
        model=product.model,
        scheme=scheme,
        issued_on=today,
        expires_on=expires,
        reason=reason,
        created_by=actor,
    )
    licence.current = version
    licence.expires_on = expires
    licence.state = LicenceState.ACTIVE
    licence.save(update_fields=["current", "expires_on", "state", "updated_at"])
    audit(
        actor=actor,
        event_type=event,
        obj=licence,
        province=licence.province,
        details={"application": application.number, "version": version.number, "expires_on": expires},
    )
    return licence


@transaction.atomic
def licences_expire(*, today: dt.date | None = None) -> int:
    """Expire every active or suspended licence past its date; safe to run any number of times."""
    today = today or timezone.localdate()
    due = list(
        Licence.objects.select_for_update()
        .filter(state__in=[LicenceState.ACTIVE, LicenceState.SUSPENDED], expires_on__lt=today)
        .select_related("province")
    )
    for licence in due:
        licence.state = LicenceState.EXPIRED
    Licence.objects.bulk_update(due, ["state"], batch_size=1000)
    audit_many(
        actor=None,
        changes=[
            Change(
                EventType.LICENCE_EXPIRED,
                obj=lic,
                province=lic.province,
                details={"expires_on": lic.expires_on},
            )
            for lic in due
        ],
    )
    return len(due)
