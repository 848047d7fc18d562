"""Samples (point 5): taken by an inspector or an inspection company at a factory or on the market, with
the ISO 2859-1 plan for the lot under the unit's switching state, a chain-of-custody code and seal
number, photos, and every hand-over recorded with who and when."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import make_user
from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Role
from hami.labs.access import sample_for_user, samples_for_user
from hami.labs.models import CustodyEvent, Sample, SamplePhoto
from hami.labs.services.companies import company_create, company_update
from hami.labs.services.samples import custody_record, sample_photo_add
from hami.labs.tests.conftest import make_lab
from hami.labs.tests.steps import place, staff_of, take
from hami.registry.models import Site
from hami.registry.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def lab(qazvin_county, requirements):
    return make_lab(qazvin_county, "آزمایشگاه همکار", requirements=requirements)


@pytest.fixture
def lab_staff(lab):
    return staff_of(lab, "lab-staff")


def _steps(sample) -> list[str]:
    return list(sample.custody.values_list("step", flat=True))


# --- taking a sample ---------------------------------------------------------------------------------


def test_a_market_sample_records_where_it_was_bought(qazvin_inspector, product, milk_standard):
    sample = take(
        qazvin_inspector, product, milk_standard, origin="market", place=" فروشگاه   شهروند ", lot_size=90,
        lot_number="L-14", aql="2.5",
    )  # fmt: skip
    assert (sample.origin, sample.place, sample.lot_number) == ("market", "فروشگاه شهروند", "L-14")
    # 90 items at level II: code letter E (n = 13), whose AQL 2.5 cell points down to F's plan: n = 20,
    # Ac 1, Re 2 (ISO 2859-1 Tables 1 and 2-A).
    assert (sample.code_letter, sample.sample_size, sample.accept, sample.reject) == ("E", 20, 1, 2)
    assert sample.unit == product.unit and sample.province.code == "qazvin" and sample.seal_number == "SL-2"
    event = AuditEvent.objects.get(event_type=EventType.SAMPLE_TAKEN)
    assert event.details["code"] == sample.code and event.details["plan"][:2] == ["E", 20]


def test_the_standards_aql_is_used_when_none_is_given(qazvin_inspector, product, milk_standard):
    milk_standard.aql = "0.65"
    milk_standard.save()
    sample = take(qazvin_inspector, product, milk_standard)
    # 1,200 items, level II: J; AQL 0.65 under normal inspection: n = 80, Ac 1, Re 2 (Table 2-A).
    assert (sample.aql, sample.sample_size, sample.accept) == (Decimal("0.65"), 80, 1)


def test_every_sample_gets_its_own_chain_of_custody_code(qazvin_inspector, product, milk_standard):
    codes = {take(qazvin_inspector, product, milk_standard, seal=f"S-{n}").code for n in range(5)}
    assert len(codes) == 5 and all(len(code) == 10 for code in codes)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"origin": "roadside"}, "origin"), ({"seal": "  "}, "seal_number"), ({"origin": "market"}, "place"),
     ({"lot_size": 0}, "lot_size"), ({"aql": "abc"}, "aql"), ({"aql": "3.3"}, "aql"),
     ({"inspection_level": "IV"}, "level"),
     ({"taken_at": timezone.now() + dt.timedelta(days=1)}, "taken_at")],
)  # fmt: skip
def test_a_bad_sample_is_refused_with_the_field_at_fault(
    qazvin_inspector, product, milk_standard, changes, field
):
    with pytest.raises(HamiError) as caught:
        take(qazvin_inspector, product, milk_standard, **changes)
    assert caught.value.field == field and caught.value.message
    assert not Sample.objects.exists() and not CustodyEvent.objects.exists()


def test_the_site_must_be_the_units(qazvin_inspector, product, milk_standard, tehran_unit, tehran_county):
    elsewhere = Site.objects.create(unit=tehran_unit, name="کارخانه", county=tehran_county)
    with pytest.raises(HamiError) as caught:
        take(qazvin_inspector, product, milk_standard, site=elsewhere)
    assert caught.value.field == "site"


def test_only_samplers_of_the_units_province_take_samples(
    product, milk_standard, tehran_officer, unit_rep, lab_user, outsider, qazvin_officer, admin_user
):
    for actor in (tehran_officer, unit_rep, lab_user, outsider):
        with pytest.raises(Forbidden):
            take(actor, product, milk_standard)
    assert not Sample.objects.exists()
    take(qazvin_officer, product, milk_standard)
    take(admin_user, product, milk_standard, seal="S-A")
    assert Sample.objects.count() == 2


def test_two_lots_rejected_tighten_the_next_plan(qazvin_inspector, product, milk_standard):
    """ISO 2859-1 §9.3.2: normal → tightened when 2 of 5 or fewer consecutive lots are not accepted."""
    for n, accepted in enumerate([True, False, False]):
        sample = take(qazvin_inspector, product, milk_standard, seal=f"S-{n}", aql="1.0")
        Sample.objects.filter(pk=sample.pk).update(
            lot_accepted=accepted, nonconforming_items=0 if accepted else 5
        )
    tightened = take(qazvin_inspector, product, milk_standard, seal="S-next", aql="1.0")
    # J under tightened inspection at AQL 1.0: n = 80, Ac 1, Re 2 (Table 2-B).
    assert (tightened.severity, tightened.sample_size, tightened.accept, tightened.reject) == (
        "tightened", 80, 1, 2,
    )  # fmt: skip
    other_product = ProductFactory(unit=product.unit, category=product.category, name="ماست")
    assert take(qazvin_inspector, other_product, milk_standard, seal="S-o").severity == "normal"


def test_a_sample_for_an_application_is_of_its_product_and_standard(
    qazvin_inspector, unit_rep, product, milk_standard
):
    from hami.licensing.services.applications import application_create
    from hami.standards.tests.factories import StandardFactory

    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    sample = take(qazvin_inspector, product, milk_standard, application=application)
    assert sample.application == application
    with pytest.raises(HamiError) as caught:
        take(qazvin_inspector, product, StandardFactory(number=2406), application=application, seal="S-3")
    assert caught.value.field == "standard"
    other = ProductFactory(unit=product.unit, category=product.category, name="ماست")
    with pytest.raises(HamiError) as caught:
        take(qazvin_inspector, other, milk_standard, application=application, seal="S-4")
    assert caught.value.field == "product"
    assert Sample.objects.count() == 1


# --- the chain of custody ------------------------------------------------------------------------------


def test_each_hand_over_is_recorded_with_who_and_when(sample, qazvin_inspector, lab, lab_staff):
    custody_record(actor=qazvin_inspector, sample=sample, step="sent", lab=lab, note="پست پیشتاز")
    custody_record(actor=lab_staff, sample=sample, step="received", lab=lab, seal_intact=True)
    custody_record(actor=lab_staff, sample=sample, step="tested", lab=lab)
    custody_record(actor=lab_staff, sample=sample, step="retained", lab=lab)
    custody_record(actor=lab_staff, sample=sample, step="disposed", lab=lab)
    sample.refresh_from_db()
    assert sample.state == "disposed"
    events = list(sample.custody.all())
    assert [e.step for e in events] == ["taken", "sent", "received", "tested", "retained", "disposed"]
    assert [e.actor.username for e in events[:3]] == ["qazvin-inspector", "qazvin-inspector", "lab-staff"]
    assert events[1].note == "پست پیشتاز" and events[2].seal_intact is True and events[2].lab == lab
    assert all(e.at <= timezone.now() for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert AuditEvent.objects.filter(event_type=EventType.SAMPLE_CUSTODY).count() == 5


def test_a_hand_over_cannot_be_dated_in_the_future(sample, qazvin_inspector, lab):
    event = custody_record(
        actor=qazvin_inspector, sample=sample, step="sent", lab=lab, at=timezone.now() + dt.timedelta(days=3)
    )
    assert event.at <= timezone.now()


@pytest.mark.parametrize("step", ["received", "tested", "disposed", "taken", "lost"])
def test_steps_go_in_order(sample, qazvin_inspector, lab, lab_staff, step):
    actor = lab_staff if step in ("received", "tested", "disposed") else qazvin_inspector
    with pytest.raises(HamiError) as caught:
        custody_record(actor=actor, sample=sample, step=step, lab=lab, seal_intact=True)
    assert caught.value.code == "wrong_state"
    assert _steps(sample) == ["taken"]


def test_sending_names_the_lab_and_receipt_states_the_seal(sample, qazvin_inspector, lab, lab_staff):
    with pytest.raises(HamiError) as caught:
        custody_record(actor=qazvin_inspector, sample=sample, step="sent")
    assert caught.value.field == "lab"
    custody_record(actor=qazvin_inspector, sample=sample, step="sent", lab=lab)
    with pytest.raises(HamiError) as caught:
        custody_record(actor=lab_staff, sample=sample, step="received", lab=lab)
    assert caught.value.field == "seal_intact"
    custody_record(
        actor=lab_staff, sample=sample, step="received", lab=lab, seal_intact=False, note="پلمب شکسته"
    )
    assert sample.custody.last().seal_intact is False


def test_only_the_lab_it_was_sent_to_receives_it(sample, qazvin_inspector, lab, lab_staff, qazvin_county):
    other_lab = make_lab(qazvin_county, "دیگری")
    other_staff = staff_of(other_lab, "other-staff")
    custody_record(actor=qazvin_inspector, sample=sample, step="sent", lab=lab)
    with pytest.raises(Forbidden):
        custody_record(actor=other_staff, sample=sample, step="received", lab=lab, seal_intact=True)
    with pytest.raises(HamiError) as caught:
        custody_record(actor=other_staff, sample=sample, step="received", lab=other_lab, seal_intact=True)
    assert caught.value.field == "lab"
    assert _steps(sample) == ["taken", "sent"]


def test_a_second_portion_goes_to_another_lab(sample, qazvin_inspector, lab, lab_staff, qazvin_county):
    second = make_lab(qazvin_county, "دوم")
    custody_record(actor=qazvin_inspector, sample=sample, step="sent", lab=lab)
    custody_record(actor=qazvin_inspector, sample=sample, step="sent", lab=second)
    custody_record(actor=lab_staff, sample=sample, step="received", lab=lab, seal_intact=True)
    assert _steps(sample) == ["taken", "sent", "sent", "received"]


def test_each_portion_of_a_split_sample_follows_its_own_chain(
    sample, qazvin_inspector, lab, lab_staff, qazvin_county
):
    second = make_lab(qazvin_county, "دوم")
    second_staff = staff_of(second, "second-staff")
    for target in (lab, second):
        custody_record(actor=qazvin_inspector, sample=sample, step="sent", lab=target)
    custody_record(actor=lab_staff, sample=sample, step="received", lab=lab, seal_intact=True)
    custody_record(actor=lab_staff, sample=sample, step="tested", lab=lab)
    custody_record(actor=lab_staff, sample=sample, step="disposed", lab=lab)
    sample.refresh_from_db()
    assert sample.state == "sent"  # the second portion is still on its way
    custody_record(actor=second_staff, sample=sample, step="received", lab=second, seal_intact=True)
    custody_record(actor=second_staff, sample=sample, step="tested", lab=second)
    sample.refresh_from_db()
    assert sample.state == "tested"
    with pytest.raises(HamiError) as caught:
        custody_record(actor=lab_staff, sample=sample, step="tested", lab=lab)  # disposed there already
    assert caught.value.code == "wrong_state"


def test_who_may_not_hand_it_over(sample, lab, unit_rep, tehran_officer, lab_staff, outsider):
    for actor in (unit_rep, tehran_officer, lab_staff, outsider):
        with pytest.raises(Forbidden):
            custody_record(actor=actor, sample=sample, step="sent", lab=lab)
    assert _steps(sample) == ["taken"]


def test_the_office_hands_over_a_sample_a_company_took(qazvin_officer, product, milk_standard, lab, tmp_path):
    company = company_create(
        actor=qazvin_officer,
        province=qazvin_officer.province,
        name_fa="بازرسی",
        categories=[product.category],
    )
    staff = make_user("co-staff", Role.INSPECTION_COMPANY)
    company_update(actor=qazvin_officer, company=company, reason="تأیید", status="approved", staff=[staff])
    sample = take(staff, product, milk_standard, company=company)
    custody_record(actor=qazvin_officer, sample=sample, step="sent", lab=lab)
    sample_photo_add(actor=qazvin_officer, sample=sample, file=SimpleUploadedFile("seal.png", PNG))
    assert _steps(sample) == ["taken", "sent"] and sample.photos.count() == 1


# --- photos -------------------------------------------------------------------------------------------


def test_a_photo_is_stored_with_its_type_and_digest(sample, qazvin_inspector):
    photo = sample_photo_add(actor=qazvin_inspector, sample=sample, file=SimpleUploadedFile("a.jpg", JPEG))
    assert photo.content_type == "image/jpeg" and photo.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert photo.file.read() == JPEG and photo.uploaded_by == qazvin_inspector


@pytest.mark.parametrize(
    ("name", "content"),
    [("a.png", b""), ("a.png", b"%PDF-1.7 not a photo"), ("a.jpg", b"MZ\x90\x00"), ("a.png", b"GIF89a....")],
)
def test_only_a_jpeg_or_png_photo_is_kept(sample, qazvin_inspector, name, content):
    with pytest.raises(HamiError) as caught:
        sample_photo_add(actor=qazvin_inspector, sample=sample, file=SimpleUploadedFile(name, content))
    assert caught.value.code == "bad_document" and caught.value.field == "file"
    assert not SamplePhoto.objects.exists()


def test_a_photo_larger_than_the_limit_is_refused(sample, qazvin_inspector, settings):
    settings.HAMI_DOCUMENT_MAX_BYTES = 100
    with pytest.raises(HamiError):
        sample_photo_add(actor=qazvin_inspector, sample=sample, file=SimpleUploadedFile("a.png", PNG * 3))
    assert not SamplePhoto.objects.exists()


def test_the_unit_and_the_lab_do_not_add_photos(sample, unit_rep, lab_staff):
    for actor in (unit_rep, lab_staff):
        with pytest.raises(Forbidden):
            sample_photo_add(actor=actor, sample=sample, file=SimpleUploadedFile("a.png", PNG))


# --- who sees a sample ---------------------------------------------------------------------------------


def test_a_unit_sees_its_own_samples_only(
    sample, unit_rep, qazvin_inspector, milk_standard, tehran_unit, admin_user
):
    from django.http import Http404

    neighbour = take(
        qazvin_inspector, ProductFactory(category=sample.product.category), milk_standard, seal="N"
    )
    far = take(admin_user, ProductFactory(unit=tehran_unit, category=sample.product.category), milk_standard)
    assert list(samples_for_user(unit_rep)) == [sample]
    for other in (neighbour, far):
        with pytest.raises(Http404):
            sample_for_user(unit_rep, other.public_id)


def test_who_sees_a_sample(
    sample, qazvin_officer, tehran_officer, unit_rep, lab, lab_staff, lab_user, admin_user, outsider
):
    from django.http import Http404

    assert list(samples_for_user(qazvin_officer)) == [sample] == list(samples_for_user(unit_rep))
    assert list(samples_for_user(admin_user)) == [sample]
    for user in (tehran_officer, lab_staff, lab_user, outsider):
        assert not samples_for_user(user).exists()
        with pytest.raises(Http404):
            sample_for_user(user, sample.public_id)
    place(qazvin_officer)  # an order for `lab`: now its staff see the sample, and only they
    assert list(samples_for_user(lab_staff)) == [sample]
    assert not samples_for_user(lab_user).exists()
    for junk in ("not-a-uuid", None, 12, "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(Http404):
            sample_for_user(qazvin_officer, junk)
