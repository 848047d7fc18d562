"""The score pages on a phone-sized screen (Debian chromium through Playwright): a unit's representative
reads its score explained, the office its ranking and the instruction, with no sideways scrolling."""

import os

import pytest

from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role, User
from hami.registry.models import UnitMembership
from hami.supervision.tests.scores import build
from hami.supervision.tests.scores.conftest import run_scores

PASSWORD = "pass-1234-word"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser, base: str, username: str):
    page = browser.new_context(locale="fa-IR", viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-title")
    return page


def _shot(page, name: str) -> None:
    if os.environ.get("HAMI_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["HAMI_SCREENSHOTS"], name), full_page=True)


def test_the_unit_and_the_office_read_scores_on_a_phone(live_server, chromium):
    from playwright.sync_api import expect

    if not Province.objects.exists():
        load_divisions(Province, County)
    qazvin = Province.objects.get(code="qazvin")
    unit = build.unit(name_fa="صنایع غذایی البرز با نامی بلند برای آزمودن شکستن سطرها")
    build.product(unit, hazard_level=3)
    build.report(unit, days=30)
    build.finding(unit, severity="critical")
    build.complaint(unit, days=20)
    build.unit()
    run_scores()
    rep = User.objects.create_user(username="rep", password=PASSWORD, role=Role.UNIT_REP)
    UnitMembership.objects.create(user=rep, unit=unit)
    User.objects.create_user(username="officer", password=PASSWORD, role=Role.OFFICE_STAFF, province=qazvin)
    base = live_server.url

    page = _sign_in(chromium, base, "rep")
    page.goto(f"{base}/supervision/units/{unit.public_id}/risk/")
    expect(page.locator("#unit-score")).to_be_visible()
    expect(page.locator("#component-open_findings")).to_be_visible()
    expect(page.locator("#hint-open_findings")).to_be_visible()
    _shot(page, "scores_unit.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scrolling

    page = _sign_in(chromium, base, "officer")
    page.goto(f"{base}/supervision/scores/")
    expect(page.locator("#scores-table")).to_be_visible()
    assert page.locator("#scores-table tbody tr").count() == 2
    _shot(page, "scores_list.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.goto(f"{base}/supervision/policy/")
    expect(page.locator("#section-weights")).to_be_visible()
    _shot(page, "scores_policy.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
