"""Licences: created by a grant, versioned by amendments and renewals, suspended, reinstated, revoked
by committee decisions, expired by the nightly run."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import Change, audit, audit_many
from hami.core.calendar import add_months
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, User
from hami.core.persian import normalize_text
from hami.licensing import workflow
from hami.licensing.access import acts_as
from hami.licensing.error_codes import LicensingErrorCode
from hami.licensing.models import Application, Licence, LicenceState, LicenceVersion
from hami.licensing.tracking import new_tracking_code


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)


def validity_years(scheme: str) -> int:
    """Years a licence runs, per certification scheme (settings.HAMI_LICENCE_VALIDITY_YEARS)."""
    return settings.HAMI_LICENCE_VALIDITY_YEARS.get(scheme, settings.HAMI_LICENCE_VALIDITY_YEARS["default"])


def _unique_tracking_code() -> str:
    while True:
        code = new_tracking_code()
        if not Licence.objects.filter(tracking_code=code).exists():
            return code


def _licence_number(application: Application, year: int) -> str:
    """`QAZ/2026-000123`: the office's prefix, the year, and the next number of that year."""
    prefix = f"{application.province.code[:3].upper()}/{year}-"
    last = (
        Licence.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
    )
    sequence = int(last[0].rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:06d}"


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
            number=_licence_number(application, today.year),
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


AMENDABLE = ("product_name", "brand", "model", "site")
AMENDABLE_LENGTHS = {"product_name": 255, "brand": 120, "model": 120}


@transaction.atomic
def licence_amend(*, actor: User, licence: Licence, reason: str, **changes) -> LicenceVersion:
    """A change to what a licence says (brand, product name, model, site) as a new version; the old
    versions stay. Validity and tracking code do not change. Raises Forbidden, HamiError."""
    unknown = set(changes) - set(AMENDABLE)
    if unknown:
        raise TypeError(f"licence_amend() got unknown fields {sorted(unknown)}")
    # No select_related on the lock: `current` is nullable, and PostgreSQL cannot lock the nullable
    # side of an outer join.
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    if not acts_as(actor, workflow.Party.OFFICE, province_id=licence.province_id, unit_id=licence.unit_id):
        raise Forbidden(
            LicensingErrorCode.FORBIDDEN, _("Only office staff of the issuing office amend a licence.")
        )
    if licence.state != LicenceState.ACTIVE:
        raise HamiError(LicensingErrorCode.WRONG_STATE, _("Only an active licence can be amended."))
    if not reason.strip():
        raise HamiError(LicensingErrorCode.INVALID, _("Give the reason for the amendment."), field="reason")
    site = changes.get("site")
    if site is not None and site.unit_id != licence.unit_id:
        raise HamiError(LicensingErrorCode.INVALID, _("The site belongs to another unit."), field="site")
    current = licence.current
    values = {field: getattr(current, field) for field in AMENDABLE}
    for field, value in changes.items():
        values[field] = normalize_text(value) if isinstance(value, str) else value
        limit = AMENDABLE_LENGTHS.get(field)
        if limit and len(values[field]) > limit:
            raise HamiError(
                LicensingErrorCode.INVALID,
                _("At most {limit} characters.").format(limit=limit),
                field=field,
            )
        if field != "site" and field != "model" and not values[field]:
            raise HamiError(LicensingErrorCode.INVALID, _("This field cannot be empty."), field=field)
    before = {f: str(getattr(current, f)) for f in changes if getattr(current, f) != values[f]}
    if not before:
        raise HamiError(LicensingErrorCode.INVALID, _("Nothing would change."))
    version = LicenceVersion.objects.create(
        licence=licence,
        number=current.number + 1,
        product=current.product,
        scheme=current.scheme,
        issued_on=current.issued_on,
        expires_on=current.expires_on,
        reason=reason.strip()[:300],
        created_by=actor,
        **values,
    )
    licence.current = version
    licence.save(update_fields=["current", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.LICENCE_AMENDED,
        obj=licence,
        province=licence.province,
        reason=reason.strip(),
        details={"version": version.number, "changed": {f: [before[f], str(values[f])] for f in before}},
    )
    return version
