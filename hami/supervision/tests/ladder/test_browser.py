"""The ladder on a phone-sized screen (Debian chromium through Playwright): the office reviews the proposal,
records the decision, and the unit's ladder and the coercive share fit the screen."""

import os

import pytest

from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role, User
from hami.registry.tests.factories import UnitFactory
from hami.supervision.models import LadderDecision, Step

PASSWORD = "pass-1234-word"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    if os.environ.get("HAMI_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["HAMI_SCREENSHOTS"], name), full_page=True)


def test_the_office_decides_a_step_on_a_phone(live_server, chromium):
    from playwright.sync_api import expect

    from hami.supervision.tests.ladder.conftest import finding_of

    if not Province.objects.exists():
        load_divisions(Province, County)
    qazvin = Province.objects.get(code="qazvin")
    User.objects.create_user(username="officer", password=PASSWORD, role=Role.OFFICE_STAFF, province=qazvin)
    unit = UnitFactory(county=qazvin.counties.get(code="qazvin"))
    finding_of(unit, severity="critical", text="برچسب علامت استاندارد بدون کد رهگیری")
    base = live_server.url
    page = chromium.new_context(locale="fa-IR", viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-title")

    page.goto(f"{base}/supervision/units/{unit.public_id}/ladder/")
    expect(page.locator("#ladder-proposal")).to_be_visible()
    page.click("#ladder-decide")
    expect(page.locator("#id_step")).to_have_value(str(int(Step.CLINIC)))  # pre-filled from the proposal
    page.fill("#id_reason", "یک یافته بحرانی؛ ارجاع به کلینیک مشاوره")
    shot(page, "ladder_decide.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.click("#ladder-form button[type=submit]")
    expect(page.locator("#rung-current")).to_be_visible()
    assert LadderDecision.objects.get().step == Step.CLINIC
    assert page.locator("#rung-current").get_attribute("data-step") == str(int(Step.CLINIC))
    shot(page, "ladder_unit.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scrolling

    page.goto(f"{base}/supervision/measures/")
    expect(page.locator("#share-chart")).to_be_visible()
    shot(page, "ladder_measures.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
