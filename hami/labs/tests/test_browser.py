"""The lab portal in a real browser (Debian chromium through Playwright): a lab user logs in, accepts an
order, types the results, issues the report and sees it listed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role, User
from hami.labs.models import (
    Lab,
    LabMembership,
    OrderState,
    Sample,
    ScopeLine,
    TestItem,
    TestOrder,
    TestReport,
)

PASSWORD = "pass-1234-word"
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base: str, username: str):
    page = browser.new_context(locale="fa-IR").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-title")
    return page


def _world() -> TestOrder:
    """A Qazvin unit's milk sampled by an inspector and placed with an approved lab: one order, sent."""
    from hami.labs.services.orders import assignment_confirm, assignment_propose
    from hami.labs.services.samples import sample_take
    from hami.registry.services import product_create, unit_create
    from hami.standards.models import LimitKind, Severity
    from hami.standards.tests.factories import CategoryFactory, RequirementFactory, StandardFactory

    load_divisions(Province, County)
    qazvin = Province.objects.get(code="qazvin")
    county = qazvin.counties.get(code="qazvin")
    officer = User.objects.create_user(
        "officer-b", password=PASSWORD, role=Role.OFFICE_STAFF, province=qazvin
    )
    inspector = User.objects.create_user(
        "inspector-b", password=PASSWORD, role=Role.INSPECTOR, province=qazvin
    )
    lab_user = User.objects.create_user("lab-b", password=PASSWORD, role=Role.LAB_STAFF)
    unit = unit_create(actor=officer, national_id="10380284790", name_fa="صنایع لبنی کیمیا", county=county)
    standard = StandardFactory(number=93, year=2020, title_fa="شیر پاستوریزه")
    requirements = [
        RequirementFactory(standard=standard, clause="5.1", title_fa="چربی", limit_kind=LimitKind.MIN,
                           low=Decimal("3"), high=None, unit="%", severity=Severity.MAJOR),
        RequirementFactory(standard=standard, clause="5.2", title_fa="سرب", limit_kind=LimitKind.MAX,
                           low=None, high=Decimal("0.02"), unit="mg/kg", severity=Severity.CRITICAL),
        RequirementFactory(standard=standard, clause="6.1", title_fa="برچسب", limit_kind=LimitKind.PASS_FAIL,
                           low=None, high=None, unit="", severity=Severity.MINOR),
    ]  # fmt: skip
    category = CategoryFactory(name_fa="شیر")
    category.standards.add(standard)
    product = product_create(actor=officer, unit=unit, category=category, name="شیر پرچرب", brand="کیمیا")
    lab = Lab.objects.create(
        name_fa="آزمایشگاه همکار البرز", province=qazvin, county=county, status="approved",
        accreditation_number="NACI-1", accreditation_body="مرکز ملی تأیید صلاحیت",
        accreditation_expiry=timezone.localdate() + dt.timedelta(days=365),
    )  # fmt: skip
    LabMembership.objects.create(user=lab_user, lab=lab)
    for requirement in requirements:
        ScopeLine.objects.create(lab=lab, requirement=requirement, method="INSO 366", weekly_capacity=10,
                                 price=1_000_000, turnaround_days=5)  # fmt: skip
    sample_take(actor=inspector, product=product, standard=standard, origin="factory", lot_size=1200,
                seal_number="SL-1")  # fmt: skip
    batch = assignment_propose(actor=officer, province=qazvin, samples=Sample.objects.all())
    [order] = assignment_confirm(actor=officer, batch=batch)
    return order


def test_a_lab_accepts_an_order_types_its_results_and_issues_the_report(live_server, chromium):
    from playwright.sync_api import expect

    order = _world()
    base = live_server.url
    page = _login(chromium, base, "lab-b")
    page.goto(f"{base}/labs/orders/")
    page.click(f"#order-table a:has-text('{order.number.translate(PERSIAN_DIGITS)}')")
    expect(page.locator("#accept")).to_be_visible()
    page.click("#accept")
    expect(page.locator("#order-state")).not_to_have_text(str(OrderState.SENT.label))
    assert TestOrder.objects.get().state == OrderState.ACCEPTED

    items = {item.requirement.clause: item.pk for item in TestItem.objects.select_related("requirement")}
    fat = page.locator(f"#item-{items['5.1']}")
    fat.locator("input[name=value]").fill("۳٫۴")  # typed with a Persian keyboard
    fat.locator("input[name=uncertainty]").fill("0.1")
    fat.locator("input[name=method]").fill("INSO 384")
    fat.locator("button[type=submit]").click()
    expect(page.locator(f"#item-{items['5.1']} .badge")).to_be_visible()
    lead = page.locator(f"#item-{items['5.2']}")
    lead.locator("input[name=value]").fill("12")
    lead.locator("input[name=unit]").fill("µg/kg")
    lead.locator("input[name=uncertainty]").fill("2")
    lead.locator("button[type=submit]").click()
    expect(page.locator(f"#item-{items['5.2']} .badge")).to_be_visible()
    label = page.locator(f"#item-{items['6.1']}")
    label.locator("select[name=outcome]").select_option("pass")
    label.locator("button[type=submit]").click()
    expect(page.locator(f"#item-{items['6.1']} .badge")).to_be_visible()

    page.click("#issue")
    report = TestReport.objects.get()
    expect(page.locator("#reports")).to_contain_text(report.number.translate(PERSIAN_DIGITS))
    assert report.conformity == "conforms"
    assert dict(TestItem.objects.values_list("requirement__clause", "value")) == {
        "5.1": Decimal("3.4"), "5.2": Decimal("0.012"), "6.1": None,
    }  # fmt: skip

    page.goto(f"{base}/labs/orders/?state=reported")
    expect(page.locator("#order-table")).to_contain_text(order.number.translate(PERSIAN_DIGITS))
    pdf = page.request.get(f"{base}/labs/reports/{report.public_id}/fa.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
