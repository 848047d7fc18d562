"""The licence's whole path in a real browser (Debian chromium through Playwright):
apply → deficiencies → resubmit → audit → tests → grant → verify the mark on the public page."""

import pytest

from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role, User
from hami.licensing.catalogue import load_sanction_reasons
from hami.licensing.models import Licence, SanctionReason

PASSWORD = "pass-1234-word"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(chromium):
    return chromium


def _login(browser, base: str, username: str):
    page = browser.new_context(locale="fa-IR").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-title")
    return page


def _world():
    from hami.licensing.services.keys import signing_key_rotate
    from hami.licensing.tests.conftest import appoint_qc_manager
    from hami.registry.services import product_create, unit_create, unit_membership_add
    from hami.standards.tests.factories import CategoryFactory, StandardFactory

    load_divisions(Province, County)
    load_sanction_reasons(SanctionReason)
    qazvin = Province.objects.get(code="qazvin")
    officer = User.objects.create_user(
        "officer-b", password=PASSWORD, role=Role.OFFICE_STAFF, province=qazvin
    )
    User.objects.create_user("inspector-b", password=PASSWORD, role=Role.INSPECTOR, province=qazvin)
    rep = User.objects.create_user("rep-b", password=PASSWORD, role=Role.UNIT_REP)
    unit = unit_create(actor=officer, national_id="10380284790", name_fa="صنایع لبنی کیمیا",
                       county=qazvin.counties.get(code="qazvin"))  # fmt: skip
    unit_membership_add(actor=officer, unit=unit, user=rep)
    appoint_qc_manager(unit, officer)  # a unit sends an application only with a certified QC manager
    standard = StandardFactory(number=93, year=2020, title_fa="شیر پاستوریزه")
    category = CategoryFactory(name_fa="شیر")
    category.standards.add(standard)
    product_create(
        actor=officer, unit=unit, category=category, name="شیر پرچرب", brand="کیمیا", model="۱ لیتری"
    )
    signing_key_rotate(actor=None, province=qazvin)


def test_apply_deficiencies_resubmit_grant_and_verify_the_mark(live_server, browser):
    from playwright.sync_api import expect

    _world()
    base = live_server.url
    unit = _login(browser, base, "rep-b")
    unit.goto(f"{base}/licensing/applications/new/")
    unit.select_option("#id_product", index=1)
    unit.select_option("#id_standard", index=1)
    unit.click("button[type=submit]")
    expect(unit.locator("#application-state")).to_have_text("پیش‌نویس")
    application_url = unit.url
    unit.click("#act-submit")
    expect(unit.locator("#application-state")).to_contain_text("ارسال")

    office = _login(browser, base, "officer-b")
    office.goto(application_url)
    office.fill("#id_deficiencies", "گواهی صلاحیت مسئول کنترل کیفیت پیوست نشده است")
    office.click("#act-return")
    expect(office.locator("#application-state")).to_contain_text("نواقص")

    unit.goto(application_url)
    unit.fill("#deficiencies input[name=answer]", "گواهی پیوست شد")
    unit.click("#deficiencies button")
    expect(unit.locator("#deficiencies")).to_contain_text("گواهی پیوست شد")
    unit.click("#act-submit")

    office.goto(application_url)
    office.click("#act-accept")
    inspector = _login(browser, base, "inspector-b")
    inspector.goto(application_url)
    inspector.click("#act-audit-done")
    office.goto(application_url)
    office.click("#act-tests")
    office.fill("#id_reason", "همه آزمون‌ها قبول")
    office.fill("#id_members_present", "مدیر کل\nمعاون نظارت")
    office.click("#act-decide")
    expect(office.locator("#application-state")).to_have_text("صادرشده")

    licence = Licence.objects.get()
    public = browser.new_context(locale="fa-IR").new_page()
    public.goto(f"{base}/verify/")
    persian_code = licence.tracking_code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    public.fill("#id_code", persian_code)
    public.click("button[type=submit]")
    expect(public.locator("#licence-state")).to_contain_text("معتبر")
    expect(public.locator("#licence-card")).to_contain_text("صنایع لبنی کیمیا")
