"""An inspector's visit on a phone-sized screen (Debian chromium through Playwright): today's visits, the
visit started, every checklist item answered with one tap, a nonconforming item's finding recorded with a
photo from the camera input, the visit finished; then the unit's representative proposes its corrective
action on the same screen size. No sideways scrolling on any of these pages."""

import importlib
import os

import pytest
from django.apps import apps
from django.utils import timezone

from conftest import make_user
from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role
from hami.registry.models import UnitMembership
from hami.registry.tests.factories import UnitFactory
from hami.supervision.models import ActionState, Checklist, CorrectiveAction, Finding, InspectionState
from hami.supervision.services.inspections import inspection_schedule
from hami.supervision.tests.inspections.conftest import JPEG, days

PASSWORD = "pass-1234-word"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    """A transactional test starts from an emptied database: load what the migrations would have."""
    if not Province.objects.exists():
        load_divisions(Province, County)
    if not Checklist.objects.filter(code="general").exists():
        importlib.import_module("hami.supervision.migrations.0003_general_checklist").load(apps, None)
    qazvin = Province.objects.get(code="qazvin")
    officer = make_user("officer", Role.OFFICE_STAFF, qazvin)
    inspector = make_user("insp", Role.INSPECTOR, qazvin)
    rep = make_user("rep", Role.UNIT_REP)
    unit = UnitFactory(name_fa="لبنیات کاله قزوین", address="شهرک صنعتی لیا، خیابان سوم")
    UnitMembership.objects.create(user=rep, unit=unit)
    visit = inspection_schedule(
        actor=officer,
        unit=unit,
        inspector=inspector,
        scheduled_on=timezone.localdate(),
        kind="complaint",
        note="شکایت مصرف‌کننده از برچسب",
    )
    return unit, visit


def _phone(chromium):
    page = chromium.new_context(locale="fa-IR", viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(15_000)
    return page


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-title")


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 400


def _shot(page, name):
    if os.environ.get("HAMI_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["HAMI_SCREENSHOTS"], name), full_page=True)


def test_an_inspector_carries_out_a_visit_on_a_phone_and_the_unit_answers(live_server, chromium):
    from playwright.sync_api import expect

    unit, visit = _world()
    base = live_server.url
    page = _phone(chromium)
    _login(page, base, "insp")

    page.goto(f"{base}/supervision/today/")
    card = page.locator(f"#visit-{visit.public_id}")
    expect(card).to_contain_text("لبنیات کاله قزوین")
    expect(card).to_contain_text("شکایت مصرف‌کننده از برچسب")
    _no_sideways_scroll(page)
    _shot(page, "inspection_today.png")
    card.click()
    page.click("#start")
    expect(page.locator("#checklist")).to_be_visible()
    _no_sideways_scroll(page)

    codes = page.eval_on_selector_all(".checklist-item", "items => items.map(i => i.id.slice(5))")
    assert len(codes) >= 12
    for code in codes:
        result = "nonconforming" if code == "labels" else "conforms"
        page.click(f"#answer-{code}-{result}")
        expect(page.locator(f"#item-{code}")).to_have_attribute("data-answer", result)
    expect(page.locator("#finding-form-labels")).to_be_visible()
    page.fill("#text-labels", "برچسب شماره استاندارد ندارد")
    page.set_input_files(
        "#photos-labels", files=[{"name": "label.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    page.click("#finding-save-labels")
    expect(page.locator("#item-labels .item-finding")).to_contain_text("برچسب شماره استاندارد ندارد")
    _no_sideways_scroll(page)
    _shot(page, "inspection_checklist.png")
    page.fill("#summary", "یک عدم انطباق در برچسب")
    page.click("#finish-button")
    expect(page.locator("#summary-text")).to_be_visible()
    visit.refresh_from_db()
    finding = Finding.objects.get()
    assert visit.state == InspectionState.DONE and finding.evidence.count() == 1

    page = _phone(chromium)
    _login(page, base, "rep")
    page.goto(f"{base}/supervision/units/{unit.public_id}/findings/")
    expect(page.locator(f"#finding-{finding.public_id}")).to_contain_text("برچسب شماره استاندارد ندارد")
    _no_sideways_scroll(page)
    page.click(f"#finding-{finding.public_id} a.btn")
    page.fill("#propose-text", "برچسب‌های جدید با شماره استاندارد چاپ می‌شود")
    page.fill("#propose-due", days(14).isoformat())
    page.click("#propose-save")
    expect(page.locator(".card[id^=action-]")).to_be_visible()
    _no_sideways_scroll(page)
    _shot(page, "finding_unit.png")
    assert CorrectiveAction.objects.get().state == ActionState.PROPOSED
