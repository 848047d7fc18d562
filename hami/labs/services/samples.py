"""Samples: taken at a factory or on the market with an ISO 2859-1 plan, then handed over, each step
recorded with who and when (the chain of custody)."""

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, User
from hami.core.persian import normalize_text
from hami.labs import sampling
from hami.labs.access import is_lab_staff, is_office_for, may_take_samples
from hami.labs.error_codes import LabsErrorCode
from hami.labs.models import (
    ApprovalStatus,
    CustodyEvent,
    CustodyStep,
    InspectionCompany,
    InspectionSeverity,
    Lab,
    Sample,
    SampleOrigin,
    SamplePhoto,
)
from hami.labs.selectors import lot_history_state
from hami.licensing.services.documents import sniff
from hami.licensing.tracking import new_tracking_code
from hami.registry.models import Product, Site
from hami.standards.models import Standard

# Which custody step may follow which, and who records it ("taker": whoever may take samples in the
# province or the company that took it; "lab": staff of the lab named in the step).
# Each portion of a sample follows its own chain at the lab it goes to (a sample may be split between
# labs): sent → received → tested → retained → disposed, retention optional. The key is the portion's
# last step at that lab (None: nothing sent to it yet).
LAB_CHAIN: dict[str | None, tuple[str, ...]] = {
    None: (CustodyStep.SENT,),
    CustodyStep.SENT: (CustodyStep.RECEIVED, CustodyStep.SENT),  # sent again after a rejected order
    CustodyStep.RECEIVED: (CustodyStep.TESTED, CustodyStep.SENT),  # again, after the lab rejected its order
    CustodyStep.TESTED: (CustodyStep.RETAINED, CustodyStep.DISPOSED),
    CustodyStep.RETAINED: (CustodyStep.DISPOSED,),
    CustodyStep.DISPOSED: (),
}
LAB_STEPS = {CustodyStep.RECEIVED, CustodyStep.TESTED, CustodyStep.RETAINED, CustodyStep.DISPOSED}
STEP_ORDER = list(CustodyStep.values)  # taken, sent, received, tested, retained, disposed
PHOTO_TYPES = {"image/jpeg", "image/png"}


def _unique_code() -> str:
    while True:
        code = new_tracking_code()
        if not Sample.objects.filter(code=code).exists():
            return code


def _aql(value) -> Decimal:
    try:
        aql = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise HamiError(LabsErrorCode.INVALID, _("The AQL is not a number."), field="aql") from exc
    return aql


@transaction.atomic
def sample_take(
    *,
    actor: User,
    product: Product,
    standard: Standard,
    origin: str,
    lot_size: int,
    seal_number: str,
    taken_at: dt.datetime | None = None,
    site: Site | None = None,
    place: str = "",
    lot_number: str = "",
    inspection_level: str = "II",
    aql=None,
    company: InspectionCompany | None = None,
    application=None,
    authority_approves_reduced: bool = False,
) -> Sample:
    """Record a sample taken from a lot. The sample size comes from the ISO 2859-1 plan for the lot
    size, inspection level and AQL (the standard's, unless given), under the severity that the unit's
    lot history of this product calls for (switching rules). Raises Forbidden, HamiError."""
    unit = product.unit
    if not may_take_samples(actor, unit.province_id, company):
        raise Forbidden(LabsErrorCode.FORBIDDEN, _("You may not take samples of this unit."))
    if company is not None and company.status != ApprovalStatus.APPROVED:
        raise HamiError(
            LabsErrorCode.NOT_ACCREDITED, _("The inspection company is not approved."), field="company"
        )
    if company is not None and not company.categories.filter(pk=product.category_id).exists():
        raise HamiError(
            LabsErrorCode.NOT_IN_SCOPE,
            _("The inspection company is not approved to sample this product category."),
            field="product",
        )
    if origin not in SampleOrigin.values:
        raise HamiError(LabsErrorCode.INVALID, _("Say where the sample was taken."), field="origin")
    seal_number = normalize_text(seal_number)
    if not seal_number:
        raise HamiError(LabsErrorCode.INVALID, _("Give the seal number."), field="seal_number")
    place = normalize_text(place)
    if origin == SampleOrigin.MARKET and not place:
        raise HamiError(
            LabsErrorCode.INVALID, _("Say which shop or warehouse the sample came from."), field="place"
        )
    if application is not None and application.product_id != product.pk:
        raise HamiError(
            LabsErrorCode.INVALID, _("The sample must be of the application's product."), field="product"
        )
    if application is not None and application.standard_id != standard.pk:
        raise HamiError(
            LabsErrorCode.INVALID,
            _("The sample must be tested against the application's standard."),
            field="standard",
        )
    if site is not None and site.unit_id != unit.pk:
        raise HamiError(LabsErrorCode.INVALID, _("The site is not the unit's."), field="site")
    now = timezone.now()
    taken_at = taken_at or now
    if timezone.is_naive(taken_at):  # a time without its zone is the office's local time
        taken_at = timezone.make_aware(taken_at)
    if taken_at > now + dt.timedelta(minutes=5):
        raise HamiError(LabsErrorCode.INVALID, _("A sample cannot be taken in the future."), field="taken_at")
    aql = _aql(aql if aql is not None else standard.aql)
    state = lot_history_state(
        unit_id=unit.pk, product_id=product.pk, authority_approves_reduced=authority_approves_reduced
    )
    if state.discontinued:
        raise HamiError(
            LabsErrorCode.WRONG_STATE,
            _("Acceptance inspection of this product is discontinued ({reason}); the unit must correct "
              "its production before lots are sampled again.").format(reason=state.reason),
        )  # fmt: skip
    severity, switching = state.severity, state.reason
    if unit.tightened_sampling and severity != sampling.Severity.TIGHTENED:
        # Supervision's enforcement ladder (step "intensified sampling") orders tightened inspection for
        # the unit's lots, whatever the switching rules would give (registry.unit_set_tightened_sampling).
        severity = sampling.Severity.TIGHTENED
        switching = _(
            "Tightened inspection ordered by the enforcement ladder ({reason}); the switching rules gave "
            "{severity}: {rules}"
        ).format(
            reason=unit.tightened_sampling_reason,
            severity=InspectionSeverity(state.severity).label,
            rules=state.reason,
        )
    try:
        plan = sampling.plan(lot_size, inspection_level, aql, severity)
    except sampling.SamplingError as exc:
        raise HamiError(LabsErrorCode.INVALID, str(exc), field=exc.field) from exc
    sample = Sample.objects.create(
        code=_unique_code(),
        seal_number=seal_number,
        origin=origin,
        place=place,
        unit=unit,
        site=site,
        product=product,
        standard=standard,
        province_id=unit.province_id,
        application=application,
        taken_by=actor,
        company=company,
        taken_at=taken_at,
        lot_number=normalize_text(lot_number),
        lot_size=lot_size,
        inspection_level=plan.level,
        aql=aql,
        severity=InspectionSeverity(severity),
        code_letter=plan.code_letter,
        sample_size=plan.sample_size,
        accept=plan.accept,
        reject=plan.reject,
    )
    CustodyEvent.objects.create(sample=sample, step=CustodyStep.TAKEN, at=taken_at, actor=actor)
    audit(
        actor=actor,
        event_type=EventType.SAMPLE_TAKEN,
        obj=sample,
        province=sample.province,
        details={
            "code": sample.code,
            "lot_size": lot_size,
            "plan": [plan.code_letter, plan.sample_size, plan.accept, plan.reject, severity],
            "switching": switching,
        },
    )
    return sample


@transaction.atomic
def custody_record(
    *,
    actor: User,
    sample: Sample,
    step: str,
    lab: Lab | None = None,
    seal_intact: bool | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> CustodyEvent:
    """One hand-over of a portion of the sample, at a named lab: the taker (or the office) sends it, the
    lab records receipt (with the seal's state), testing, retention and disposal, in that order at
    each lab (LAB_CHAIN). The sample's state is the least advanced of its portions."""
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    if step not in LAB_STEPS and step != CustodyStep.SENT:
        raise HamiError(
            LabsErrorCode.WRONG_STATE, _("Choose a step of the chain of custody after taking."), field="step"
        )
    if lab is None:
        raise HamiError(LabsErrorCode.INVALID, _("Name the lab."), field="lab")
    last = sample.custody.filter(lab=lab).order_by("-at", "-pk").values_list("step", flat=True).first()
    if last is None and step in LAB_STEPS:
        raise HamiError(LabsErrorCode.WRONG_STATE, _("The sample was not sent to this lab."), field="lab")
    if step not in LAB_CHAIN[last]:
        raise HamiError(
            LabsErrorCode.WRONG_STATE,
            _("At {lab} the sample's last step is “{state}”; it cannot be “{step}” now.").format(
                lab=lab.name,
                state=CustodyStep(last).label if last else _("nothing yet"),
                step=CustodyStep(step).label,
            ),
            field="step",
        )
    if step in LAB_STEPS:
        if not (is_lab_staff(actor, lab) or is_office_for(actor, sample.province_id)):
            raise Forbidden(LabsErrorCode.FORBIDDEN, _("Only the lab's staff record this step."))
        if step == CustodyStep.RECEIVED and seal_intact is None:
            raise HamiError(LabsErrorCode.INVALID, _("Say whether the seal was intact."), field="seal_intact")
    elif not (
        may_take_samples(actor, sample.province_id, sample.company)
        or is_office_for(actor, sample.province_id)
    ):
        raise Forbidden(LabsErrorCode.FORBIDDEN, _("Only whoever took the sample, or the office, sends it."))
    now = timezone.now()
    event = CustodyEvent.objects.create(
        sample=sample,
        step=step,
        at=min(at or now, now),
        actor=actor,
        lab=lab,
        seal_intact=seal_intact,
        note=normalize_text(note),
    )
    sample.state = _least_advanced(sample)
    sample.save(update_fields=["state", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.SAMPLE_CUSTODY,
        obj=sample,
        province=sample.province,
        reason=event.note,
        details={"step": step, "lab": lab.pk if lab else None, "seal_intact": seal_intact},
    )
    return event


def portion_state(last_steps: dict, live_labs: set) -> str:
    """A sample's state from each lab's last custody step: the step of the portion furthest behind among
    the labs with a live order (a lab that rejected its order never receives its portion); taken while
    nothing was sent."""
    considered = [step for lab, step in last_steps.items() if lab in live_labs] or list(last_steps.values())
    return min(considered, key=STEP_ORDER.index) if considered else CustodyStep.TAKEN


def _least_advanced(sample: Sample) -> str:
    from hami.labs.models import OrderState

    last = dict(sample.custody.filter(lab__isnull=False).order_by("at", "pk").values_list("lab_id", "step"))
    live = set(
        sample.orders.exclude(state__in=[OrderState.REJECTED, OrderState.CANCELLED]).values_list(
            "lab_id", flat=True
        )
    )
    return portion_state(last, live)


@transaction.atomic
def sample_photo_add(*, actor: User, sample: Sample, file) -> SamplePhoto:
    """A JPEG or PNG of the sample, its seal or its label (the type is read from the bytes)."""
    if not (
        may_take_samples(actor, sample.province_id, sample.company)
        or is_office_for(actor, sample.province_id)
        or sample.taken_by_id == actor.pk
    ):
        raise Forbidden(
            LabsErrorCode.FORBIDDEN, _("Only whoever took the sample, or the office, adds photos.")
        )
    size = getattr(file, "size", 0) or 0
    if size == 0 or size > settings.HAMI_DOCUMENT_MAX_BYTES:
        raise HamiError(
            LabsErrorCode.BAD_DOCUMENT,
            _("A photo must be between 1 byte and {limit} MB.").format(
                limit=settings.HAMI_DOCUMENT_MAX_BYTES // 2**20
            ),
            field="file",
        )
    file.seek(0)
    content_type = sniff(file.read(16))
    if content_type not in PHOTO_TYPES:
        raise HamiError(LabsErrorCode.BAD_DOCUMENT, _("Send a JPEG or PNG photo."), field="file")
    file.seek(0)
    digest = hashlib.sha256(file.read()).hexdigest()
    file.seek(0)
    photo = SamplePhoto.objects.create(
        sample=sample, file=file, content_type=content_type, sha256=digest, uploaded_by=actor
    )
    audit(
        actor=actor,
        event_type=EventType.DOCUMENT_UPLOADED,
        obj=sample,
        province=sample.province,
        details={"photo": photo.pk, "sha256": digest},
    )
    return photo
