"""The assessment page on a phone-sized screen (Debian chromium through Playwright): an inspector builds a
scenario step by step, saves it and sees the level with the table's cell highlighted."""

import os

import pytest

from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role, User
from hami.standards.tests.factories import CategoryFactory
from hami.supervision.models import RiskAssessment

PASSWORD = "pass-1234-word"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inspector_assesses_a_risk_on_a_phone(live_server, chromium):
    from playwright.sync_api import expect

    if not Province.objects.exists():
        load_divisions(Province, County)
    qazvin = Province.objects.get(code="qazvin")
    User.objects.create_user(username="insp", password=PASSWORD, role=Role.INSPECTOR, province=qazvin)
    category = CategoryFactory(code="kettle", name_fa="کتری برقی", hazard_level=3)
    base = live_server.url
    page = chromium.new_context(locale="fa-IR", viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", "insp")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-title")

    page.goto(f"{base}/supervision/risk/new/")
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_hazard", "برق‌گرفتگی")
    page.fill("#id_injured_person", "بزرگسال")
    page.fill("#id_injury", "شوک الکتریکی در دست")
    page.fill("#id_steps-0-text", "ترک خوردن بدنه")
    page.fill("#id_steps-0-probability", "۱/۱۰")
    page.fill("#id_steps-1-text", "لمس قسمت برق‌دار")
    page.fill("#id_steps-1-probability", "0.01")
    page.check("input[name=severity][value='3']")
    page.click("#risk-save")
    expect(page.locator("#cell-used")).to_be_visible()
    if os.environ.get("HAMI_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["HAMI_SCREENSHOTS"], "risk_detail.png"), full_page=True)
    assert RiskAssessment.objects.get().risk_level == "high"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400  # no sideways scrolling on a phone
