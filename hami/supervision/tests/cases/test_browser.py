"""Reporting a bad mark on a phone-sized screen (Debian chromium through Playwright): an inspector on a
shop floor types the code from the label, and the office's cases page fits the phone too."""

import os

import pytest

from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role, User
from hami.supervision.models import MarketCase
from hami.supervision.tests.cases.conftest import unknown_code

PASSWORD = "pass-1234-word"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inspector_reports_a_bad_mark_on_a_phone(live_server, chromium):
    from playwright.sync_api import expect

    if not Province.objects.exists():
        load_divisions(Province, County)
    qazvin = Province.objects.get(code="qazvin")
    User.objects.create_user(username="insp", password=PASSWORD, role=Role.INSPECTOR, province=qazvin)
    base = live_server.url
    page = chromium.new_context(locale="fa-IR", viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", "insp")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-title")

    page.goto(f"{base}/supervision/cases/market/report/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    code = unknown_code().translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    page.fill("#id_tracking_code", code)
    page.fill("#id_product_description", "چای سیاه ۵۰۰ گرمی")
    page.fill("#id_place", "بقالی محله، خیابان خیام")
    page.fill("#id_producer_name", "چای ممتاز لاهیجان")
    page.click("#report-save")
    expect(page.locator("#case-facts")).to_be_visible()
    if os.environ.get("HAMI_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["HAMI_SCREENSHOTS"], "market_case.png"), full_page=True)
    case = MarketCase.objects.get()
    assert (case.kind, case.mark_status, case.producer_name) == (
        "invalid_mark",
        "unknown",
        "چای ممتاز لاهیجان",
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 400

    page.goto(f"{base}/supervision/cases/")
    expect(page.locator(f"#case-{case.public_id}")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # the table scrolls inside itself
