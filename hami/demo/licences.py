"""Demo licensing: signing keys, licences in realistic states, applications spread over every step.

Written in bulk, like the rest of the demo; every licence and application gets its audit event.
"""

import datetime as dt
import random
from collections.abc import Iterable

from django.utils import timezone

from hami.core.audit import Change, audit_many
from hami.core.calendar import add_working_days
from hami.core.models import EventType, Province, User
from hami.demo.history import backdate
from hami.licensing.catalogue import load_sanction_reasons
from hami.licensing.models import (
    Application,
    ApplicationState,
    Decision,
    DecisionKind,
    Licence,
    LicenceState,
    LicenceVersion,
    SanctionReason,
    StepVisit,
    Track,
)
from hami.licensing.services.applications import DEFAULT_TARGETS
from hami.licensing.services.keys import signing_key_rotate
from hami.licensing.services.licences import add_years, validity_years
from hami.licensing.tracking import new_tracking_code
from hami.registry.models import Product, UnitStatus
from hami.standards.models import Standard

# Shares of licence states in a provincial register (rough, from offices' annual reports).
STATE_WEIGHTS = {
    LicenceState.ACTIVE: 86,
    LicenceState.EXPIRED: 7,
    LicenceState.SUSPENDED: 5,
    LicenceState.REVOKED: 2,
}
OPEN_STEPS = {
    ApplicationState.DRAFT: 8,
    ApplicationState.SUBMITTED: 18,
    ApplicationState.RETURNED: 12,
    ApplicationState.AUDIT: 20,
    ApplicationState.TESTING: 22,
    ApplicationState.READY: 12,
}


MONTH = dt.timedelta(days=30)


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def build_licensing(
    *, rng: random.Random, admin: User, provinces: Iterable[Province], products: list[Product]
) -> dict:
    today = timezone.localdate()
    sanctions_before = today - dt.timedelta(days=400)
    load_sanction_reasons(SanctionReason)
    for province in provinces:
        signing_key_rotate(actor=admin, province=province)
    mandatory = set(Standard.objects.mandatory_on().values_list("pk", flat=True))
    reasons = list(SanctionReason.objects.order_by("code"))
    codes: set[str] = set()
    licences, versions, decisions, pending = [], [], [], []
    numbers: dict[str, int] = {}
    for product in products:
        if product.unit.status == UnitStatus.CLOSED:
            continue
        for standard in product.category.standards.all():
            if standard.pk not in mandatory:
                continue
            if rng.random() < 0.1:  # not licensed yet: the application below is under way
                pending.append((product, standard))
                continue
            state = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]
            years = validity_years(standard.scheme)
            if state == LicenceState.EXPIRED:
                expires = today - dt.timedelta(days=rng.randrange(1, 400))
            elif rng.random() < 0.12:
                expires = today + dt.timedelta(days=rng.randrange(1, 90))  # renewal reminders are due
            else:
                expires = today + dt.timedelta(days=rng.randrange(90, years * 365))
            issued = add_years(expires, -years)
            if state in (LicenceState.SUSPENDED, LicenceState.REVOKED) and issued > sanctions_before - MONTH:
                # The demo's committee sanctions all predate the plan's first year (the coercive past the
                # supervision demo's falling share starts from); a licence issued since stays active.
                state = LicenceState.ACTIVE
            code = new_tracking_code()
            while code in codes:
                code = new_tracking_code()
            codes.add(code)
            prefix = product.unit.province.code[:3].upper()
            numbers[prefix] = numbers.get(prefix, 0) + 1
            licence = Licence(
                number=f"{prefix}/{issued.year}-{numbers[prefix]:06d}",
                tracking_code=code,
                unit=product.unit,
                standard=standard,
                province=product.unit.province,
                state=state,
                expires_on=expires,
            )
            licences.append(licence)
            versions.append(
                LicenceVersion(
                    licence=licence,
                    number=1,
                    site=product.site,
                    product=product,
                    product_name=product.name,
                    brand=product.brand,
                    model=product.model,
                    scheme=standard.scheme,
                    issued_on=issued,
                    expires_on=expires,
                    reason="grant (demo)",
                    created_by=admin,
                )
            )
            if state in (LicenceState.SUSPENDED, LicenceState.REVOKED):
                kind = DecisionKind.SUSPEND if state == LicenceState.SUSPENDED else DecisionKind.REVOKE
                decision = Decision(
                    kind=kind,
                    licence=licence,
                    sanction_reason=rng.choice(reasons),
                    reason="تصمیم کمیته علائم (نمونه)",
                    members_present=["مدیر کل", "معاون نظارت"],
                    decided_by=admin,
                )
                # Between a month after issue and the cut-off, spread by the licence's serial number (no
                # draw from `rng`, so the rest of the demo stays as it was).
                span = (sanctions_before - issued - MONTH).days
                decision.demo_on = issued + MONTH + dt.timedelta(days=numbers[prefix] * 37 % max(span, 1))
                decisions.append(decision)
    Licence.objects.bulk_create(licences, batch_size=1000)
    for version in versions:
        version.licence_id = version.licence.pk
    LicenceVersion.objects.bulk_create(versions, batch_size=1000)
    for licence, version in zip(licences, versions, strict=True):
        licence.current = version
    Licence.objects.bulk_update(licences, ["current"], batch_size=1000)
    for decision in decisions:
        decision.licence_id = decision.licence.pk
    Decision.objects.bulk_create(decisions, batch_size=1000)
    backdate(Decision, [(_noon(d.demo_on), d.pk) for d in decisions])
    applications = _applications(rng, admin, pending, today)
    audit_many(
        actor=admin,
        changes=[
            Change(
                EventType.LICENCE_GRANTED,
                obj=lic,
                province=lic.province,
                details={"tracking_code": lic.tracking_code},
            )
            for lic in licences
        ]
        + [
            Change(
                EventType.APPLICATION_CREATED, obj=app, province=app.province, details={"number": app.number}
            )
            for app in applications
        ],
    )
    return {"licences": len(licences), "applications": len(applications)}


def _applications(rng: random.Random, admin: User, pending, today: dt.date) -> list[Application]:
    """One open application for each product-standard pair that has no licence yet, in every step."""
    now = timezone.now()
    applications, visits = [], []
    for index, (product, standard) in enumerate(pending, start=1):
        state = rng.choices(list(OPEN_STEPS), weights=list(OPEN_STEPS.values()))[0]
        track = Track.FAST if rng.random() < 0.15 else Track.NORMAL
        if track == Track.FAST and state == ApplicationState.AUDIT:
            state = ApplicationState.TESTING
        age = rng.randrange(0, 30)  # days in the current step: some are past their target
        since = now - dt.timedelta(days=age, hours=rng.randrange(0, 8))
        target = DEFAULT_TARGETS.get((state, track))
        due = add_working_days(timezone.localdate(since), target, product.unit.province) if target else None
        applications.append(
            Application(
                number=f"{product.unit.province.code[:3].upper()}-{today.year}-{index:06d}",
                track=track,
                fast_track_reason="درجه کیفی الف (نمونه)" if track == Track.FAST else "",
                unit=product.unit,
                site=product.site,
                product=product,
                standard=standard,
                province=product.unit.province,
                state=state,
                state_since=since,
                due_on=due,
                submitted_at=None
                if state == ApplicationState.DRAFT
                else since - dt.timedelta(days=rng.randrange(1, 20)),
                created_by=admin,
            )
        )
    Application.objects.bulk_create(applications, batch_size=1000)
    for application in applications:
        visits.append(
            StepVisit(
                application=application,
                state=application.state,
                entered_at=application.state_since,
                due_on=application.due_on,
                actor=admin,
            )
        )
    StepVisit.objects.bulk_create(visits, batch_size=1000)
    return applications
