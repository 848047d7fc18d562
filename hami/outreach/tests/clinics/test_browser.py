"""The clinics in a real browser (Debian chromium through Playwright): a unit's representative opens the
Jalali calendar, clicks an open (green) slot, books it with a question, sees its booking highlighted in
the calendar, and cancels it."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role, User
from hami.outreach.models import Booking, Topic

PASSWORD = "pass-1234-word"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from hami.outreach.services.clinics import advisor_save, slot_publish
    from hami.registry.services import unit_create, unit_membership_add

    load_divisions(Province, County)
    qazvin = Province.objects.get(code="qazvin")
    officer = User.objects.create_user(
        "officer-c", password=PASSWORD, role=Role.OFFICE_STAFF, province=qazvin
    )
    consultant = User.objects.create_user("consultant-c", password=PASSWORD, role=Role.ADVISOR)
    rep = User.objects.create_user("rep-c", password=PASSWORD, role=Role.UNIT_REP)
    topic, _ = Topic.objects.get_or_create(code="quality-control", defaults={"name_fa": "کنترل کیفیت"})
    unit = unit_create(
        actor=officer,
        national_id="10380284790",
        name_fa="صنایع لبنی کیمیا",
        county=qazvin.counties.get(code="qazvin"),
    )
    unit_membership_add(actor=officer, unit=unit, user=rep)
    advisor = advisor_save(
        actor=officer,
        user=consultant,
        kind="consultant",
        display_name="دکتر احمدی",
        province=qazvin,
        topics=[topic],
    )
    day = timezone.localdate() + dt.timedelta(days=3)  # beyond the 24-hour notice: the unit may cancel
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    return slot_publish(
        actor=consultant,
        advisor=advisor,
        topic=topic,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        mode="in_person",
        venue="اداره کل استاندارد قزوین",
    )


def test_a_unit_books_a_slot_from_the_calendar_and_cancels_it(live_server, chromium, settings):
    from playwright.sync_api import expect

    settings.HAMI_CLINIC_PRIORITY_HOURS = 0
    slot = _world()
    base = live_server.url
    page = chromium.new_context(locale="fa-IR").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", "rep-c")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-title")

    import jdatetime

    local = timezone.localtime(slot.starts_at).date()
    j = jdatetime.date.fromgregorian(date=local)
    calendar = f"{base}/outreach/clinics/?month={j.year}-{j.month:02d}"
    page.goto(calendar)
    cell = page.locator(f'td[data-date="{local.isoformat()}"]')
    cell.locator("a.text-bg-success").click()
    page.fill("#b-question", "چگونه آزمون روزانه چربی را ثبت کنیم؟")
    page.click("#book")
    expect(page.locator("#booking-status")).to_be_visible()
    booking = Booking.objects.get()
    assert booking.question == "چگونه آزمون روزانه چربی را ثبت کنیم؟" and booking.status == "booked"

    page.goto(calendar)
    expect(cell.locator("a.text-bg-primary")).to_be_visible()
    page.click(f'td[data-date="{local.isoformat()}"] a.text-bg-primary')
    page.click("#cancel-form button[type=submit]")
    expect(page.locator("#booking-status")).to_be_visible()
    expect(page.locator(".alert-success")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "cancelled"
