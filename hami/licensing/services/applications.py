"""Applications for a licence or a renewal, through their steps (hami/licensing/workflow.py)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core import calendar
from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.jalali import format_date
from hami.core.models import EventType, User
from hami.licensing import workflow
from hami.licensing.access import acts_as
from hami.licensing.error_codes import LicensingErrorCode
from hami.licensing.models import (
    OPEN_STATES,
    Application,
    ApplicationKind,
    ApplicationState,
    Deficiency,
    Licence,
    LicenceState,
    StepVisit,
    TestOutcome,
    TimeTarget,
    Track,
)
from hami.registry.models import Product, ProductionUnit, Site

# Working days each step may take when no TimeTarget row says otherwise (issue #3's examples).
DEFAULT_TARGETS = {
    (ApplicationState.SUBMITTED, Track.NORMAL): 3,  # completeness check
    (ApplicationState.SUBMITTED, Track.FAST): 2,
    (ApplicationState.AUDIT, Track.NORMAL): 15,  # factory audit and sampling
    (ApplicationState.TESTING, Track.NORMAL): 20,  # lab tests
    (ApplicationState.TESTING, Track.FAST): 5,
    (ApplicationState.READY, Track.NORMAL): 7,  # committee decision after the last result
    (ApplicationState.READY, Track.FAST): 2,
}
# The fast track's promise, from submission to decision (issue #3: 7 days).
FAST_TRACK_DECISION_DAYS = 7


def _target_days(application: Application, state: str) -> int | None:
    rows = TimeTarget.objects.filter(
        state=state, track=application.track, province__in=[application.province_id]
    )
    row = (
        rows.first() or TimeTarget.objects.filter(state=state, track=application.track, province=None).first()
    )
    if row is not None:
        return row.working_days
    return DEFAULT_TARGETS.get((state, application.track))


def _due_on(application: Application, state: str, today: dt.date) -> dt.date | None:
    days = _target_days(application, state)
    return None if days is None else calendar.add_working_days(today, days, application.province)


def _move(
    application: Application, target: str, *, actor: User | None, reason: str = "", details=None
) -> Application:
    """Check the move and the actor's right to it, then record it (the caller holds the row lock).

    `actor=None` is Hami itself acting on facts another service established (the labs' reports)."""
    source = application.state
    party = workflow.party_for(source, target)
    if party is None:
        raise HamiError(
            LicensingErrorCode.WRONG_STATE,
            _("An application in state “{state}” cannot go to “{target}”.").format(
                state=ApplicationState(source).label, target=ApplicationState(target).label
            ),
        )
    if actor is not None and not acts_as(
        actor, party, province_id=application.province_id, unit_id=application.unit_id
    ):
        raise Forbidden(LicensingErrorCode.FORBIDDEN, _("Your role may not make this move."))
    now = timezone.now()
    StepVisit.objects.filter(application=application, left_at__isnull=True).update(left_at=now)
    application.state = target
    application.state_since = now
    application.due_on = _due_on(application, target, timezone.localdate(now))
    if target in workflow.FINAL:
        application.closed_at = now
    if target == ApplicationState.SUBMITTED and application.submitted_at is None:
        application.submitted_at = now
    application.save(
        update_fields=["state", "state_since", "due_on", "closed_at", "submitted_at", "updated_at"]
    )
    StepVisit.objects.create(
        application=application,
        state=target,
        entered_at=now,
        due_on=application.due_on,
        actor=actor,
        reason=reason,
    )
    audit(
        actor=actor,
        event_type=EventType.APPLICATION_MOVED,
        obj=application,
        province=application.province,
        reason=reason,
        details={"from": source, "to": target, **(details or {})},
    )
    return application


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("province", "unit").get(pk=application.pk)


def _number(province_code: str) -> str:
    year = timezone.localdate().year
    prefix = f"{province_code[:3].upper()}-{year}-"
    last = (
        Application.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
    )
    sequence = int(last[0].rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:06d}"


@transaction.atomic
def application_create(
    *,
    actor: User,
    product: Product,
    standard,
    site: Site | None = None,
    licence: Licence | None = None,
) -> Application:
    """A draft for a new licence (or a renewal of `licence`), prefilled from the registry.

    Raises Forbidden, HamiError(INVALID / OPEN_APPLICATION_EXISTS)."""
    unit = ProductionUnit.objects.select_related("province").get(pk=product.unit_id)
    # Only the unit applies: the next steps (sending, answering deficiencies) are the unit's too.
    if not acts_as(actor, workflow.Party.UNIT, province_id=unit.province_id, unit_id=unit.pk):
        raise Forbidden(
            LicensingErrorCode.FORBIDDEN, _("Only the unit's representatives apply for its licences.")
        )
    if not product.category.standards.filter(pk=standard.pk).exists():
        raise HamiError(
            LicensingErrorCode.INVALID,
            _("{standard} does not apply to products of this category.").format(standard=standard.code),
            field="standard",
        )
    if site is not None and site.unit_id != unit.pk:
        raise HamiError(LicensingErrorCode.INVALID, _("The site belongs to another unit."), field="site")
    if licence is not None:
        licence = Licence.objects.select_related("current").get(pk=licence.pk)  # its state now, not as passed
        if (
            licence.unit_id != unit.pk
            or licence.standard_id != standard.pk
            or licence.current.product_id != product.pk
        ):
            raise HamiError(
                LicensingErrorCode.INVALID, _("The licence renewed is for another product."), field="licence"
            )
        if licence.state not in (LicenceState.ACTIVE, LicenceState.EXPIRED):
            raise HamiError(
                LicensingErrorCode.WRONG_STATE,
                _("A suspended or revoked licence is not renewed; the Marks Committee decides on it first."),
                field="licence",
            )
    elif Licence.objects.filter(
        unit=unit,
        standard=standard,
        current__product=product,
        state__in=[LicenceState.ACTIVE, LicenceState.SUSPENDED],
    ).exists():
        raise HamiError(
            LicensingErrorCode.OPEN_APPLICATION_EXISTS,
            _("This product already holds a licence for this standard; apply for its renewal instead."),
        )
    if Application.objects.filter(product=product, standard=standard, state__in=OPEN_STATES).exists():
        raise HamiError(
            LicensingErrorCode.OPEN_APPLICATION_EXISTS,
            _("An application for this product and standard is already under way."),
        )
    fast = bool(unit.fast_track)
    application = Application.objects.create(
        number=_number(unit.province.code),
        kind=ApplicationKind.RENEWAL if licence else ApplicationKind.NEW,
        track=Track.FAST if fast else Track.NORMAL,
        fast_track_reason=unit.fast_track_reason if fast else "",
        unit=unit,
        site=site or product.site,
        product=product,
        standard=standard,
        province=unit.province,
        licence=licence,
        state=ApplicationState.DRAFT,
        state_since=timezone.now(),
        created_by=actor,
    )
    StepVisit.objects.create(
        application=application, state=ApplicationState.DRAFT, entered_at=application.state_since, actor=actor
    )
    audit(
        actor=actor,
        event_type=EventType.APPLICATION_CREATED,
        obj=application,
        province=application.province,
        details={"number": application.number, "kind": application.kind, "track": application.track},
    )
    return application


@transaction.atomic
def application_submit(*, actor: User, application: Application) -> Application:
    """Send a draft, or a returned application with every deficiency answered, to the office.

    Raises Forbidden, HamiError(WRONG_STATE / UNANSWERED_DEFICIENCIES)."""
    application = _locked(application)
    if (
        application.state == ApplicationState.RETURNED
        and application.deficiencies.filter(answered_at=None).exists()
    ):
        raise HamiError(
            LicensingErrorCode.UNANSWERED_DEFICIENCIES,
            _("Answer every deficiency before sending the application again."),
        )
    party = workflow.party_for(application.state, ApplicationState.SUBMITTED)
    if party is not None and acts_as(
        actor, party, province_id=application.province_id, unit_id=application.unit_id
    ):  # a wrong step or a wrong actor is answered by _move, before this
        _require_certified_qc_manager(application)
    return _move(application, ApplicationState.SUBMITTED, actor=actor)


def _require_certified_qc_manager(application: Application) -> None:
    """A unit applies only with a QC manager whose competence certificate is valid today (the licence
    rests on the unit's own quality control). Training (hami.outreach) keeps the certificate current
    on the QC manager; the office records it by hand for a certificate issued elsewhere."""
    today = timezone.localdate()
    manager = application.unit.qc_managers.filter(is_active=True).first()
    if manager is None:
        raise HamiError(
            LicensingErrorCode.QC_MANAGER_UNCERTIFIED,
            _("The unit has no QC manager on record; the office records one with a valid competence "
              "certificate before the application is sent."),
        )  # fmt: skip
    if manager.certificate_expiry < today:
        raise HamiError(
            LicensingErrorCode.QC_MANAGER_UNCERTIFIED,
            _(
                "The competence certificate of the unit's QC manager, {name}, expired on {expiry}; renew it "
                "(a QC manager renewal course) before sending the application."
            ).format(name=manager.full_name, expiry=format_date(manager.certificate_expiry)),
        )


@transaction.atomic
def application_return(*, actor: User, application: Application, deficiencies: list[str]) -> Application:
    """Completeness check failed: return to the unit with the list of what is missing.

    Raises Forbidden, HamiError(WRONG_STATE / INVALID)."""
    items = [text.strip() for text in deficiencies if text and text.strip()]
    if not items:
        raise HamiError(LicensingErrorCode.INVALID, _("Name at least one deficiency."), field="deficiencies")
    application = _locked(application)
    _move(
        application,
        ApplicationState.RETURNED,
        actor=actor,
        reason="\n".join(items),
        details={"count": len(items)},
    )
    Deficiency.objects.bulk_create(
        Deficiency(application=application, text=text, raised_by=actor) for text in items
    )
    return application


@transaction.atomic
def deficiency_answer(*, actor: User, deficiency: Deficiency, answer: str) -> Deficiency:
    """The unit's answer to one deficiency. Raises Forbidden, HamiError(WRONG_STATE / INVALID)."""
    application = _locked(deficiency.application)
    if not acts_as(
        actor, workflow.Party.UNIT, province_id=application.province_id, unit_id=application.unit_id
    ):
        raise Forbidden(LicensingErrorCode.FORBIDDEN, _("Only the unit answers its deficiencies."))
    if application.state != ApplicationState.RETURNED:
        raise HamiError(LicensingErrorCode.WRONG_STATE, _("The application is not waiting for answers."))
    if not answer.strip():
        raise HamiError(LicensingErrorCode.INVALID, _("Write an answer."), field="answer")
    deficiency.answer = answer.strip()
    deficiency.answered_at = timezone.now()
    deficiency.save(update_fields=["answer", "answered_at", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.APPLICATION_UPDATED,
        obj=application,
        province=application.province,
        details={"deficiency_answered": deficiency.pk},
    )
    return deficiency


@transaction.atomic
def application_accept(*, actor: User, application: Application) -> Application:
    """Completeness check passed: schedule the factory audit, or on the fast track go to testing.

    Raises Forbidden, HamiError(WRONG_STATE)."""
    from hami.licensing.services.documents import recent_lab_report

    application = _locked(application)
    if application.track != Track.FAST:
        return _move(application, ApplicationState.AUDIT, actor=actor)
    report = recent_lab_report(application, timezone.localdate())
    if report is None:
        _move(application, ApplicationState.TESTING, actor=actor)
        return _tests_if_samples_decided(application)
    # Fast track with an accredited lab report of the last 90 days: straight to the committee.
    _move(application, ApplicationState.TESTING, actor=actor, details={"lab_report": str(report.public_id)})
    _move(application, ApplicationState.READY, actor=actor, reason=report.title, details={"passed": True})
    application.test_outcome = TestOutcome.PASSED
    application.test_note = _("Accredited lab report of {date}").format(date=report.issued_on.isoformat())
    application.save(update_fields=["test_outcome", "test_note", "updated_at"])
    return application


@transaction.atomic
def application_audit_done(*, actor: User, application: Application, note: str = "") -> Application:
    """The factory audit happened and samples went to the lab. Raises Forbidden, HamiError(WRONG_STATE)."""
    application = _locked(application)
    if application.state != ApplicationState.AUDIT:  # submitted → testing is the fast track's, by accept
        raise HamiError(
            LicensingErrorCode.WRONG_STATE, _("No factory audit is scheduled for this application.")
        )
    _move(application, ApplicationState.TESTING, actor=actor, reason=note)
    return _tests_if_samples_decided(application)


def _tests_if_samples_decided(application: Application) -> Application:
    """At the testing step: when the labs already decided every sample of the application (their reports
    came back before the step was recorded), the outcome follows now, as it would have on the last report."""
    samples = list(application.samples.all())
    if samples and all(sample.decided_at for sample in samples):
        return application_tests_from_samples(application=application, samples=samples)
    return application


@transaction.atomic
def application_record_tests(
    *, actor: User, application: Application, passed: bool, note: str = ""
) -> Application:
    """Record the test outcome by hand and send the application to the committee: for applications
    without samples in Hami (tests done before, or outside it). When the application has samples, the
    outcome comes from the labs' reports (application_tests_from_samples).

    Raises Forbidden, HamiError(WRONG_STATE, TESTS_FROM_LABS)."""
    application = _locked(application)
    if application.samples.exists():
        raise HamiError(
            LicensingErrorCode.TESTS_FROM_LABS,
            _(
                "This application's samples are tested through Hami: "
                "the outcome comes from the labs' reports."
            ),
        )
    _move(application, ApplicationState.READY, actor=actor, reason=note, details={"passed": passed})
    application.test_outcome = TestOutcome.PASSED if passed else TestOutcome.FAILED
    application.test_note = note
    application.save(update_fields=["test_outcome", "test_note", "updated_at"])
    return application


@transaction.atomic
def application_tests_from_samples(*, application: Application, samples: list) -> Application:
    """The labs reported on every sample of the application (hami.labs): record the outcome and send
    the application to the committee. Passed only if every sample conforms. Called by the labs app
    when a sample is decided; does nothing unless the application is at the testing step."""
    application = _locked(application)
    if application.state != ApplicationState.TESTING:
        return application
    passed = all(sample.conformity == "conforms" for sample in samples)
    note = "; ".join(f"{sample.code}: {sample.get_conformity_display()}" for sample in samples)
    _move(
        application,
        ApplicationState.READY,
        actor=None,
        reason=note,
        details={"passed": passed, "samples": [sample.code for sample in samples]},
    )
    application.test_outcome = TestOutcome.PASSED if passed else TestOutcome.FAILED
    application.test_note = note
    application.save(update_fields=["test_outcome", "test_note", "updated_at"])
    return application


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, reason: str = "") -> Application:
    """The unit withdraws its application. Raises Forbidden, HamiError(WRONG_STATE)."""
    application = _locked(application)
    return _move(application, ApplicationState.WITHDRAWN, actor=actor, reason=reason)


def close_application(*, actor: User, application: Application, granted: bool, reason: str) -> Application:
    """The committee's decision on a locked application (called by committee_decide only)."""
    target = ApplicationState.GRANTED if granted else ApplicationState.REFUSED
    return _move(application, target, actor=actor, reason=reason)
