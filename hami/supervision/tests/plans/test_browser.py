"""The plan pages on a phone-sized screen (Debian chromium through Playwright): an officer makes a month's
plan, unticks a day, reads the draft, publishes it and opens the calendar, never scrolling sideways."""

import os

import pytest

from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role, User
from hami.registry.tests.factories import UnitFactory
from hami.supervision.models import InspectionPlan, PlanState

PASSWORD = "pass-1234-word"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    if os.environ.get("HAMI_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["HAMI_SCREENSHOTS"], name), full_page=True)


def test_officer_makes_and_publishes_a_plan_on_a_phone(live_server, chromium):
    from playwright.sync_api import expect

    if not Province.objects.exists():
        load_divisions(Province, County)
    qazvin = Province.objects.get(code="qazvin")
    User.objects.create_user(username="officer", password=PASSWORD, role=Role.OFFICE_STAFF, province=qazvin)
    inspector = User.objects.create_user(
        username="insp", role=Role.INSPECTOR, province=qazvin, first_name="مریم"
    )
    for county in qazvin.counties.all()[:3]:
        for _ in range(4):
            UnitFactory(county=county, province=qazvin)
    base = live_server.url
    page = chromium.new_context(locale="fa-IR", viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-title")

    page.goto(f"{base}/supervision/plans/new/?period_kind=month&year=1405&month=2&season=1")
    expect(page.locator(f"[data-inspector='{inspector.pk}']")).to_be_visible()
    page.locator(f"[data-inspector='{inspector.pk}'] summary").click()
    page.uncheck(f"input[name='days_{inspector.pk}'][value='2026-04-21']")
    shot(page, "plan_new.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.click("#plan-generate")
    expect(page.locator("#plan-title")).to_be_visible()
    plan = InspectionPlan.objects.get()
    assert not plan.visits.filter(scheduled_on="2026-04-21").exists()  # the unticked day
    shot(page, "plan_detail.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400

    page.click("#plan-publish")
    expect(page.locator("[data-state='published']")).to_be_visible()
    plan.refresh_from_db()
    assert plan.state == PlanState.PUBLISHED

    page.goto(f"{base}/supervision/calendar/?month=1405-02")
    expect(page.locator("#month-title")).to_contain_text("اردیبهشت")
    page.locator(".month-grid a.badge").first.click()
    expect(page.locator("#day-visits")).to_be_visible()
    shot(page, "plan_calendar.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
