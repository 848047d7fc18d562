"""The shell in a real browser: Debian's chromium driven by Playwright (never a downloaded browser)."""

import pytest

from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(chromium):
    page = chromium.new_page(locale="fa-IR")
    page.set_default_timeout(15_000)
    return page


def test_login_switch_language_search_with_arabic_letters_and_open_unit(live_server, browser_page):
    from playwright.sync_api import expect

    from hami.registry.services import unit_create

    load_divisions(Province, County)  # a transactional test may start after another emptied the tables
    qazvin = Province.objects.get(code="qazvin")
    officer = User.objects.create_user(
        "browser-officer", password="pass-1234-word", role=Role.OFFICE_STAFF, province=qazvin
    )
    county = qazvin.counties.get(code="buin-zahra")
    unit = unit_create(
        actor=officer, national_id="10380284790", name_fa="صنایع کیمیاگستر بوئین‌زهرا",
        name_en="Kimia Gostar Buin Zahra Industries", county=county,
    )  # fmt: skip
    unit_create(
        actor=officer,
        national_id="10100123456",
        name_fa="سیمان تاکستان",
        name_en="Takestan Cement",
        county=county,
    )

    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 900})  # a desktop: the navbar is open from 1400 px
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.fill("#id_username", "browser-officer")
    page.fill("#id_password", "pass-1234-word")
    page.click("button[type=submit]")
    expect(page.locator("#home-title")).to_contain_text("قزوین")

    page.click("#switch-language")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#home-title")).to_contain_text("Qazvin")

    page.goto(f"{live_server.url}/units/")  # the language choice is remembered across pages
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # Arabic yeh and kaf, and a space where the name has none: HTMX searches as one types.
    page.fill("#id_q", "كيميا گستر")
    expect(page.locator("#unit-table tbody tr")).to_have_count(1)
    expect(page.locator("#unit-table")).not_to_contain_text("Takestan Cement")
    page.click("#unit-table tbody a")
    expect(page.locator("#unit-name")).to_have_text("Kimia Gostar Buin Zahra Industries")
    assert str(unit.public_id) in page.url

    page.click("#switch-language")
    expect(page.locator("#unit-name")).to_have_text("صنایع کیمیاگستر بوئین‌زهرا")
    page.click("#logout")
    expect(page).to_have_url(f"{live_server.url}/login/")
