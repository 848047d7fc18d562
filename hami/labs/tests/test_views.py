"""The labs pages for every persona: who gets a page, who a 403, who a 404 (another province's object),
what each list shows, the POST actions of the office and the lab portal, and junk input that must
answer with a message or a 4xx, never a 500."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_user
from hami.core.models import Role
from hami.labs.models import (
    AssignmentBatch,
    InspectionCompany,
    Lab,
    LabStatus,
    OrderState,
    Sample,
    ScopeLine,
    TestItem,
    TestOrder,
    TestReport,
)
from hami.labs.services.companies import company_create
from hami.labs.services.orders import assignment_propose
from hami.labs.services.results import report_issue
from hami.labs.services.samples import sample_photo_add
from hami.labs.tests.steps import place, report_all, take

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PERSONAS = [
    "anonymous", "qazvin_officer", "tehran_officer", "qazvin_inspector", "admin_user", "unit_rep",
    "lab_user", "cheap_lab_user", "outsider",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(qazvin_officer, qazvin_inspector, sample, cheap_lab, cheap_lab_user, product):
    """A Qazvin sample with a photo, placed with cheap_lab, whose report is issued; an inspection company;
    an unconfirmed batch for a second sample."""
    photo = sample_photo_add(actor=qazvin_inspector, sample=sample, file=SimpleUploadedFile("a.png", PNG))
    [order] = place(qazvin_officer)
    report = report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, order))
    company = company_create(
        actor=qazvin_officer,
        province=qazvin_officer.province,
        name_fa="بازرسی البرز",
        categories=[product.category],
    )
    take(qazvin_inspector, product, sample.standard, seal="SL-B")
    batch = assignment_propose(
        actor=qazvin_officer, province=qazvin_officer.province, samples=Sample.objects.filter(state="taken")
    )
    return {
        "sample": sample,
        "photo": photo,
        "order": order,
        "report": report,
        "company": company,
        "batch": batch,
        "lab": cheap_lab,
    }


def _login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- every page, every persona -----------------------------------------------------------------------

PAGES = {
    # name: (url builder, {persona: status}); personas not named get `default`
    "lab_list": (lambda w: reverse("labs:lab_list"), {}, 200),
    "lab_new": (
        lambda w: reverse("labs:lab_new"),
        {
            "qazvin_officer": 200,
            "tehran_officer": 200,
            "admin_user": 200,
            "lab_user": 200,
            "cheap_lab_user": 200,
        },
        403,
    ),
    "lab_detail": (
        lambda w: reverse("labs:lab_detail", args=[w["lab"].public_id]),
        {"qazvin_officer": 200, "qazvin_inspector": 200, "admin_user": 200, "cheap_lab_user": 200},
        404,
    ),
    "directory": (lambda w: reverse("labs:directory"), {"anonymous": 200}, 200),
    "company_list": (lambda w: reverse("labs:company_list"), {}, 200),
    "company_detail": (
        lambda w: reverse("labs:company_detail", args=[w["company"].public_id]),
        {"qazvin_officer": 200, "qazvin_inspector": 200, "admin_user": 200},
        404,
    ),
    "capacity": (
        lambda w: reverse("labs:capacity"),
        {"qazvin_officer": 200, "tehran_officer": 200, "qazvin_inspector": 200, "admin_user": 200},
        403,
    ),
    "capacity_export": (
        lambda w: reverse("labs:capacity_export", args=["csv"]),
        {"qazvin_officer": 200, "tehran_officer": 200, "qazvin_inspector": 200, "admin_user": 200},
        403,
    ),
    "sample_list": (lambda w: reverse("labs:sample_list"), {}, 200),
    "sample_new": (
        lambda w: reverse("labs:sample_new"),
        {"qazvin_officer": 200, "tehran_officer": 200, "qazvin_inspector": 200, "admin_user": 200},
        403,
    ),
    "sample_detail": (
        lambda w: reverse("labs:sample_detail", args=[w["sample"].public_id]),
        {
            "qazvin_officer": 200,
            "qazvin_inspector": 200,
            "admin_user": 200,
            "unit_rep": 200,
            "cheap_lab_user": 200,
        },
        404,
    ),
    "sample_photo": (
        lambda w: reverse("labs:sample_photo", args=[w["sample"].public_id, w["photo"].pk]),
        {
            "qazvin_officer": 200,
            "qazvin_inspector": 200,
            "admin_user": 200,
            "unit_rep": 200,
            "cheap_lab_user": 200,
        },
        404,
    ),
    "assignment_new": (
        lambda w: reverse("labs:assignment_new"),
        {"qazvin_officer": 200, "tehran_officer": 200},
        403,
    ),
    "assignment_detail": (
        lambda w: reverse("labs:assignment_detail", args=[w["batch"].pk]),
        {"qazvin_officer": 200, "admin_user": 200},
        404,
    ),
    "order_list": (lambda w: reverse("labs:order_list"), {}, 200),
    "order_detail": (
        lambda w: reverse("labs:order_detail", args=[w["order"].public_id]),
        {
            "qazvin_officer": 200,
            "qazvin_inspector": 200,
            "admin_user": 200,
            "unit_rep": 200,
            "cheap_lab_user": 200,
        },
        404,
    ),
    "report_pdf": (
        lambda w: reverse("labs:report_pdf", args=[w["report"].public_id, "fa"]),
        {
            "qazvin_officer": 200,
            "qazvin_inspector": 200,
            "admin_user": 200,
            "unit_rep": 200,
            "cheap_lab_user": 200,
        },
        404,
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_answers_each_persona_as_its_role_and_province_allow(client, request, world, page):
    build, expected, default = PAGES[page]
    url = build(world)
    answers = {}
    for persona in PERSONAS:
        client.logout()
        _login(client, request, persona)
        answers[persona] = client.get(url).status_code
    wanted = {
        p: (302 if p == "anonymous" and page != "directory" else expected.get(p, default)) for p in PERSONAS
    }
    assert answers == wanted


@pytest.mark.parametrize(
    ("persona", "orders", "samples", "labs"),
    [
        ("qazvin_officer", 1, 2, 2),
        ("tehran_officer", 0, 0, 0),
        ("qazvin_inspector", 1, 2, 2),
        ("admin_user", 1, 2, 2),
        ("unit_rep", 1, 2, 0),
        ("lab_user", 0, 0, 1),
        ("cheap_lab_user", 1, 1, 1),
        ("outsider", 0, 0, 0),
    ],
)
def test_lists_show_only_what_the_persona_may_see(
    client, request, world, lab_user, persona, orders, samples, labs
):
    _login(client, request, persona)
    assert client.get(reverse("labs:order_list")).context["page"].paginator.count == orders
    assert client.get(reverse("labs:sample_list")).context["page"].paginator.count == samples
    lab_page = client.get(reverse("labs:lab_list"))
    assert lab_page.context["page"].paginator.count == labs


def test_list_pages_read_a_bounded_number_of_queries(
    client, world, qazvin_officer, qazvin_inspector, product, django_assert_max_num_queries
):
    for n in range(15):
        take(qazvin_inspector, product, world["sample"].standard, seal=f"S-{n}")
    place(qazvin_officer)
    client.force_login(qazvin_officer)
    for name in ("labs:order_list", "labs:sample_list", "labs:lab_list", "labs:company_list"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200


def test_the_report_pdf_comes_in_both_languages_and_no_other(client, world, unit_rep):
    client.force_login(unit_rep)
    report = world["report"]
    for language in ("fa", "en"):
        response = client.get(reverse("labs:report_pdf", args=[report.public_id, language]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert f"{report.number}-{language}.pdf" in response["Content-Disposition"]
    assert client.get(reverse("labs:report_pdf", args=[report.public_id, "de"])).status_code == 404
    unknown = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/labs/reports/{unknown}/fa.pdf").status_code == 404


# --- the office's pages ------------------------------------------------------------------------------


def test_the_office_files_a_lab_and_takes_it_to_approval_by_pages(
    client, qazvin_officer, qazvin_county, requirements
):
    client.force_login(qazvin_officer)
    response = client.post(
        reverse("labs:lab_new"),
        {"name_fa": "آزمایشگاه نو", "kind": "cooperating", "county": qazvin_county.pk},
    )
    lab = Lab.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "labs:lab_detail", args=[lab.public_id]
    )

    def act(action, **data):
        return client.post(reverse("labs:lab_act", args=[lab.public_id, action]), data)

    for target in ("document_review", "assessment", "committee"):
        act("move", target=target)
    act("accreditation", number="NACI-5", body="مرکز ملی", expiry="۱۴۲۰/۰۱/۰۱")
    response = act(
        "scope",
        requirement=requirements[0].pk,
        method="INSO 384",
        weekly_capacity=12,
        price=900000,
        turnaround_days=4,
    )
    assert _messages(response) and ScopeLine.objects.get().weekly_capacity == 12
    act("move", target="approved", reason="کمیته فنی تأیید کرد")
    lab.refresh_from_db()
    assert lab.status == LabStatus.APPROVED and lab.accreditation_number == "NACI-5" and lab.accredited()
    page = client.get(reverse("labs:lab_detail", args=[lab.public_id]))
    assert page.status_code == 200 and "NACI-5" in page.text.translate(
        str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    )
    assert "کمیته فنی تأیید کرد" in page.text


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("move", {"target": "bogus"}),
        ("move", {"target": "approved"}),
        ("move", {}),
        ("move", {"target": "fixing", "reason": "x", "fix_by": "31/02/2020"}),
        ("accreditation", {"number": "N", "body": "B", "expiry": "not a date"}),
        ("accreditation", {}),
        (
            "scope",
            {
                "requirement": "999999",
                "method": "m",
                "weekly_capacity": "-1",
                "price": "x",
                "turnaround_days": "0",
            },
        ),
        ("scope", {"requirement": "abc"}),
        ("conflict", {"unit_national_id": "123"}),
        ("conflict", {}),
        ("explode", {}),
    ],
)
def test_junk_lab_actions_answer_with_a_message_and_change_nothing(
    client, qazvin_officer, qazvin_county, action, data
):
    from hami.labs.services.labs import lab_apply

    lab = lab_apply(actor=qazvin_officer, name_fa="آزمایشگاه", county=qazvin_county)
    client.force_login(qazvin_officer)
    response = client.post(reverse("labs:lab_act", args=[lab.public_id, action]), data)
    assert response.status_code == 302 and _messages(response)
    lab.refresh_from_db()
    assert lab.status == "applied" and not lab.accreditation_number and not ScopeLine.objects.exists()
    assert lab.events.count() == 1 and not lab.conflicts.exists()


def test_an_in_house_lab_is_filed_with_the_national_id_of_its_unit(client, qazvin_officer, qazvin_county,
                                                                   qazvin_unit):  # fmt: skip
    client.force_login(qazvin_officer)
    data = {"name_fa": "آزمایشگاه کارخانه", "kind": "in_house", "county": qazvin_county.pk}
    response = client.post(reverse("labs:lab_new"), data)
    assert response.status_code == 200 and response.context["form"].errors and not Lab.objects.exists()
    response = client.post(reverse("labs:lab_new"), {**data, "owner_unit": "1234567890"})
    assert "owner_unit" in response.context["form"].errors and not Lab.objects.exists()
    client.post(reverse("labs:lab_new"), {**data, "owner_unit": "۱۰۳۸۰۲۸۴۷۹۰"})
    lab = Lab.objects.get()
    assert lab.owner_unit == qazvin_unit and lab.conflicts.get().kind == "ownership"


def test_the_wrong_role_gets_a_message_or_a_404_on_lab_actions(
    client, cheap_lab, cheap_lab_user, tehran_officer, lab_user
):
    url = reverse("labs:lab_act", args=[cheap_lab.public_id, "move"])
    client.force_login(cheap_lab_user)
    response = client.post(url, {"target": "suspended", "reason": "x"})
    assert response.status_code == 302 and _messages(response)
    for user in (tehran_officer, lab_user):
        client.force_login(user)
        assert client.post(url, {"target": "suspended", "reason": "x"}).status_code == 404
    assert Lab.objects.get(pk=cheap_lab.pk).status == "approved"


def test_a_lab_may_declare_a_conflict_by_the_units_national_id(
    client, cheap_lab, cheap_lab_user, qazvin_unit
):
    client.force_login(cheap_lab_user)
    client.post(
        reverse("labs:lab_act", args=[cheap_lab.public_id, "conflict"]),
        {"unit_national_id": "۱۰۳۸۰۲۸۴۷۹۰", "note": "مالکیت مشترک"},
    )
    assert cheap_lab.conflicts.get().unit == qazvin_unit


@pytest.mark.parametrize(
    "data",
    [
        {"name_fa": ""},
        {"name_fa": "x", "kind": "rocket", "county": "1"},
        {"name_fa": "x", "kind": "in_house", "county": "__county__"},
        {"name_fa": "x", "kind": "cooperating", "county": "abc", "email": "no"},
        {"name_fa": "x", "kind": "cooperating", "county": "__county__", "accreditation_expiry": "1/1/1"},
    ],
)
def test_a_bad_lab_application_shows_the_form_again(client, qazvin_officer, qazvin_county, data):
    client.force_login(qazvin_officer)
    data = {k: (qazvin_county.pk if v == "__county__" else v) for k, v in data.items()}
    response = client.post(reverse("labs:lab_new"), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Lab.objects.exists()


def test_an_office_only_offers_its_provinces_counties(client, tehran_officer, qazvin_county):
    client.force_login(tehran_officer)
    response = client.post(
        reverse("labs:lab_new"), {"name_fa": "x", "kind": "cooperating", "county": qazvin_county.pk}
    )
    assert response.status_code == 200 and "county" in response.context["form"].errors
    assert not Lab.objects.exists()


def test_the_office_registers_and_approves_a_company_by_pages(client, qazvin_officer, product, unit_rep):
    client.force_login(qazvin_officer)
    response = client.post(reverse("labs:company_list"), {"name_fa": "بازرسی کیفیت", "phone": "021"})
    company = InspectionCompany.objects.get()
    assert response.status_code == 302 and company.status == "pending"
    url = reverse("labs:company_detail", args=[company.public_id])
    client.post(url, {"status": "approved", "categories": [product.category.code], "reason": "مدارک کامل"})
    company.refresh_from_db()
    assert company.status == "approved" and list(company.categories.all()) == [product.category]
    response = client.post(url, {"status": "nonsense", "reason": "x"})
    assert _messages(response) and InspectionCompany.objects.get().status == "approved"
    response = client.post(url, {"status": "suspended", "reason": ""})
    assert _messages(response) and InspectionCompany.objects.get().status == "approved"
    client.force_login(unit_rep)
    assert client.post(reverse("labs:company_list"), {"name_fa": "x"}).status_code == 403
    assert client.post(url, {"status": "revoked", "reason": "x"}).status_code == 404


def test_the_office_sets_a_companys_staff_by_username(client, qazvin_officer, qazvin):
    from conftest import make_user
    from hami.core.models import Role

    company = InspectionCompany.objects.create(name_fa="بازرسی", province=qazvin)
    sampler = make_user("sampler", Role.INSPECTION_COMPANY)
    make_user("not-a-sampler", Role.UNIT_REP)
    client.force_login(qazvin_officer)
    url = reverse("labs:company_detail", args=[company.public_id])
    client.post(url, {"status": "pending", "reason": "کارکنان", "staff": "sampler\n"})
    assert [m.user for m in company.memberships.all()] == [sampler]
    for wrong in ("nobody", "not-a-sampler"):  # an unknown user, a user of another role: nothing changes
        response = client.post(url, {"status": "pending", "reason": "کارکنان", "staff": f"sampler, {wrong}"})
        assert _messages(response) and [m.user for m in company.memberships.all()] == [sampler]
    client.post(url, {"status": "pending", "reason": "کارکنان", "staff": ""})
    assert not company.memberships.exists()


def test_an_inspector_cannot_register_or_change_a_company(client, qazvin_inspector, world):
    client.force_login(qazvin_inspector)
    assert client.post(reverse("labs:company_list"), {"name_fa": "x"}).status_code == 403
    url = reverse("labs:company_detail", args=[world["company"].public_id])
    assert client.post(url, {"status": "approved", "reason": "x"}).status_code == 403
    assert InspectionCompany.objects.get().status == "pending"


# --- samples -------------------------------------------------------------------------------------------


def test_an_inspector_records_a_sample_sends_it_and_adds_a_photo_by_pages(
    client, qazvin_inspector, product, milk_standard, requirements, cheap_lab
):
    client.force_login(qazvin_inspector)
    response = client.post(
        reverse("labs:sample_new"),
        {
            "product": product.pk,
            "standard": milk_standard.pk,
            "origin": "factory",
            "lot_size": "1200",
            "inspection_level": "II",
            "aql": "1.0",
            "seal_number": "SL-77",
        },
    )
    sample = Sample.objects.get()
    assert response.status_code == 302 and (sample.sample_size, sample.seal_number) == (80, "SL-77")
    assert str(sample.sample_size) in " ".join(_messages(response)).translate(
        str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    )
    act = reverse("labs:sample_act", args=[sample.public_id, "custody"])
    client.post(act, {"step": "sent", "lab": str(cheap_lab.public_id), "note": "پیک"})
    client.post(reverse("labs:sample_act", args=[sample.public_id, "photo"]),
                {"file": SimpleUploadedFile("seal.png", PNG, content_type="image/png")})  # fmt: skip
    sample.refresh_from_db()
    assert sample.state == "sent" and sample.photos.count() == 1
    page = client.get(reverse("labs:sample_detail", args=[sample.public_id]))
    assert page.status_code == 200 and "پیک" in page.text


@pytest.mark.parametrize(
    "data",
    [
        {"seal_number": ""},
        {"product": "abc"},
        {
            "product": "__product__",
            "standard": "__standard__",
            "origin": "space",
            "lot_size": "12",
            "seal_number": "s",
        },
        {
            "product": "__product__",
            "standard": "__standard__",
            "origin": "market",
            "lot_size": "1200",
            "seal_number": "s",
            "inspection_level": "II",
        },
        {
            "product": "__product__",
            "standard": "__standard__",
            "origin": "factory",
            "lot_size": "-4",
            "seal_number": "s",
            "inspection_level": "II",
        },
        {
            "product": "__product__",
            "standard": "__standard__",
            "origin": "factory",
            "lot_size": "10",
            "seal_number": "s",
            "inspection_level": "II",
            "aql": "7.7",
        },
    ],
)
def test_a_bad_sample_shows_the_form_again(client, qazvin_inspector, product, milk_standard, data):
    client.force_login(qazvin_inspector)
    swap = {"__product__": product.pk, "__standard__": milk_standard.pk}
    response = client.post(reverse("labs:sample_new"), {k: swap.get(v, v) for k, v in data.items()})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Sample.objects.exists()


def test_another_provinces_products_are_not_offered(client, tehran_officer, product, milk_standard):
    client.force_login(tehran_officer)
    response = client.post(reverse("labs:sample_new"), {
        "product": product.pk, "standard": milk_standard.pk, "origin": "factory", "lot_size": "100",
        "inspection_level": "II", "seal_number": "s",
    })  # fmt: skip
    assert response.status_code == 200 and "product" in response.context["form"].errors
    assert not Sample.objects.exists()


@pytest.mark.parametrize("query", ["?unit=abc", "?unit=99999999999999999999", "?application=junk",
                                   "?application=00000000-0000-0000-0000-000000000000"])  # fmt: skip
def test_junk_in_the_sample_form_query_is_never_a_500(client, qazvin_inspector, product, query):
    client.force_login(qazvin_inspector)
    assert client.get(reverse("labs:sample_new") + query).status_code in (200, 404)


@pytest.mark.parametrize(
    ("action", "data"),
    [("custody", {"step": "received"}), ("custody", {"step": "bogus"}), ("custody", {"step": "sent"}),
     ("custody", {"step": "sent", "lab": "not-a-uuid"}),
     ("custody", {"step": "sent", "lab": "00000000-0000-0000-0000-000000000000"}),
     ("photo", {}), ("photo", {"file": "__text__"})],
)  # fmt: skip
def test_junk_sample_actions_answer_with_a_message(client, qazvin_inspector, sample, cheap_lab, action, data):
    client.force_login(qazvin_inspector)
    swap = {"__lab__": str(cheap_lab.public_id), "__text__": SimpleUploadedFile("a.png", b"hello")}
    response = client.post(reverse("labs:sample_act", args=[sample.public_id, action]),
                           {k: swap.get(v, v) for k, v in data.items()})  # fmt: skip
    assert response.status_code == 302 and _messages(response)
    sample.refresh_from_db()
    assert sample.state == "taken" and not sample.photos.exists()


def test_unknown_sample_action_or_photo_is_not_found(client, qazvin_inspector, sample):
    client.force_login(qazvin_inspector)
    assert client.post(reverse("labs:sample_act", args=[sample.public_id, "explode"])).status_code == 404
    assert client.get(reverse("labs:sample_photo", args=[sample.public_id, 999])).status_code == 404


def test_the_unit_sees_its_sample_but_cannot_hand_it_over(client, unit_rep, sample, cheap_lab):
    client.force_login(unit_rep)
    response = client.post(reverse("labs:sample_act", args=[sample.public_id, "custody"]),
                           {"step": "sent", "lab": str(cheap_lab.public_id)})  # fmt: skip
    assert response.status_code == 302 and _messages(response)
    assert Sample.objects.get().state == "taken"


# --- assignment ----------------------------------------------------------------------------------------


def test_the_office_proposes_and_confirms_an_assignment_by_pages(
    client, qazvin_officer, sample, cheap_lab, dear_lab
):
    client.force_login(qazvin_officer)
    page = client.get(reverse("labs:assignment_new"))
    assert page.context["tests"] == 3
    response = client.post(reverse("labs:assignment_new"), {
        "price": "1", "distance": "50000", "turnaround": "200000", "rotation_limit": "3",
        "samples": [str(sample.public_id)],
    })  # fmt: skip
    batch = AssignmentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "labs:assignment_detail", args=[batch.pk]
    )
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and len(detail.context["rows"]) == 3
    assert all(row["lines"] for row in detail.context["rows"]) and cheap_lab.name_fa in detail.text
    client.post(response["Location"])
    again = client.post(response["Location"])  # a second click
    assert TestOrder.objects.count() == 1 and _messages(again)
    assert TestOrder.objects.get().lab == cheap_lab


def test_an_infeasible_batch_shows_its_shortages(client, qazvin_officer, sample, milk_standard, cheap_lab):
    from decimal import Decimal

    from hami.standards.tests.factories import RequirementFactory

    RequirementFactory(
        standard=milk_standard,
        clause="7.1",
        title_fa="آفلاتوکسین",
        limit_kind="max",
        low=None,
        high=Decimal("5"),
        unit="µg/kg",
    )
    client.force_login(qazvin_officer)
    response = client.post(reverse("labs:assignment_new"), {"price": "1", "distance": "0", "turnaround": "0",
                                                            "rotation_limit": "3"}, follow=True)  # fmt: skip
    assert response.status_code == 200 and 'id="shortages"' in response.text and "آفلاتوکسین" in response.text


@pytest.mark.parametrize(
    "data",
    [
        {
            "price": "1",
            "distance": "0",
            "turnaround": "0",
            "rotation_limit": "3",
            "samples": ["not-a-uuid", "x"],
        },
        {"price": "-1", "distance": "0", "turnaround": "0", "rotation_limit": "0"},
        {"price": "1e999", "distance": "nan", "turnaround": "inf", "rotation_limit": "3.5"},
        {"price": ""},
    ],
)
def test_junk_assignment_input_is_never_a_500(client, qazvin_officer, sample, cheap_lab, data):
    client.force_login(qazvin_officer)
    response = client.post(reverse("labs:assignment_new"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors or response.context["form"].non_field_errors()


def test_nothing_waiting_is_a_clear_form_error(client, qazvin_officer, world):
    TestOrder.objects.exclude(pk=world["order"].pk).delete()
    place(qazvin_officer)
    client.force_login(qazvin_officer)
    response = client.post(reverse("labs:assignment_new"), {"price": "1", "distance": "0", "turnaround": "0",
                                                            "rotation_limit": "3"})  # fmt: skip
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_another_province_cannot_confirm_a_batch(client, tehran_officer, world):
    client.force_login(tehran_officer)
    response = client.post(reverse("labs:assignment_detail", args=[world["batch"].pk]))
    assert response.status_code == 404 and TestOrder.objects.count() == 1


# --- the lab portal ---------------------------------------------------------------------------------------


def test_the_lab_accepts_reports_issues_and_corrects_by_pages(
    client, qazvin_officer, sample, cheap_lab, cheap_lab_user, requirements
):
    [order] = place(qazvin_officer)
    client.force_login(cheap_lab_user)

    def act(action, **data):
        return client.post(reverse("labs:order_act", args=[order.public_id, action]), data)

    page = client.get(reverse("labs:order_detail", args=[order.public_id]))
    assert 'id="accept"' in page.text and 'id="issue"' not in page.text
    act("accept")
    act("accept")  # a second click
    fat, lead, _label = (order.items.get(requirement=r) for r in requirements)
    act("result", item=fat.pk, value="3.4", unit="%", uncertainty="0.1", method="INSO 384")
    csv = b"clause,value,unit,uncertainty,method,outcome\n5.2,0.05,mg/kg,0.002,INSO 9266,\n6.1,,,,,pass\n"
    response = act("results_file", file=SimpleUploadedFile("r.csv", csv, content_type="text/csv"))
    assert TestItem.objects.filter(reported_at__isnull=False).count() == 3, _messages(response)
    page = client.get(reverse("labs:order_detail", args=[order.public_id]))
    assert 'id="issue"' in page.text
    act("issue")
    act("issue")
    report = TestReport.objects.get()
    assert report.conformity == "does_not_conform" and TestOrder.objects.get().state == OrderState.REPORTED
    act("correct", item=lead.pk, value="0.01", unit="mg/kg", uncertainty="0.002", reason="خطای تایپی")
    assert TestReport.objects.count() == 2 and TestReport.objects.get(version=2).conformity == "conforms"
    page = client.get(reverse("labs:order_detail", args=[order.public_id]))
    assert report.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in page.text
    assert "خطای تایپی" in page.text


def test_the_lab_rejects_an_order_with_a_reason(client, qazvin_officer, sample, cheap_lab, cheap_lab_user):
    [order] = place(qazvin_officer)
    client.force_login(cheap_lab_user)
    url = reverse("labs:order_act", args=[order.public_id, "reject"])
    response = client.post(url, {"reason": ""})
    assert _messages(response) and TestOrder.objects.get().state == "sent"
    client.post(url, {"reason": "دستگاه خراب است"})
    order.refresh_from_db()
    assert order.state == "rejected" and order.reject_reason == "دستگاه خراب است"
    assert "دستگاه خراب است" in client.get(reverse("labs:order_detail", args=[order.public_id])).text


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("result", {}),
        ("result", {"item": "abc", "value": "1"}),
        ("result", {"item": "999999", "value": "1"}),
        ("result", {"item": "٣", "value": "1"}),
        ("result", {"item": "99999999999999999999999", "value": "1"}),
        ("result", {"item": "__fat__", "value": "-3", "unit": "%", "uncertainty": "x"}),
        ("result", {"item": "__lead__", "value": "-0.01", "unit": "mg/kg"}),
        ("result", {"item": "__lead__", "value": "0.01", "unit": "bananas"}),
        ("result", {"item": "__fat__", "value": "1" * 60}),
        ("results_file", {}),
        ("results_file", {"file": "__bad_csv__"}),
        ("results_file", {"file": "__binary__"}),
        ("issue", {}),
        ("correct", {"item": "__fat__", "value": "3.4"}),
        ("reject", {"reason": "x" * 400}),
    ],
)
def test_junk_lab_input_answers_with_a_message_and_writes_nothing(
    client, qazvin_officer, sample, cheap_lab, cheap_lab_user, requirements, action, data
):
    [order] = place(qazvin_officer)
    client.force_login(cheap_lab_user)
    client.post(reverse("labs:order_act", args=[order.public_id, "accept"]))
    fat, lead, _label = (order.items.get(requirement=r) for r in requirements)
    swap = {
        "__fat__": fat.pk,
        "__lead__": lead.pk,
        "__bad_csv__": SimpleUploadedFile("r.csv", b"clause,value,unit\n5.1,3.4,%\n5.2,-1,mg/kg\n"),
        "__binary__": SimpleUploadedFile("r.xlsx", b"\x00\x01\x02 not a workbook"),
    }
    response = client.post(reverse("labs:order_act", args=[order.public_id, action]),
                           {k: swap.get(v, v) for k, v in data.items()})  # fmt: skip
    assert response.status_code == 302 and _messages(response)
    assert not TestItem.objects.filter(reported_at__isnull=False).exists() and not TestReport.objects.exists()
    assert TestOrder.objects.get().state == OrderState.ACCEPTED


def test_result_messages_are_in_persian_by_default(
    client, qazvin_officer, sample, cheap_lab, cheap_lab_user, requirements
):
    [order] = place(qazvin_officer)
    client.force_login(cheap_lab_user)
    client.post(reverse("labs:order_act", args=[order.public_id, "accept"]))
    lead = order.items.get(requirement=requirements[1])
    response = client.post(reverse("labs:order_act", args=[order.public_id, "result"]),
                           {"item": lead.pk, "value": "-0.01", "unit": "mg/kg"})  # fmt: skip
    message = _messages(response)[-1]
    assert any("\u0600" <= ch <= "\u06ff" for ch in message)


def test_an_item_of_another_order_cannot_be_reported_through_this_one(
    client, qazvin_officer, qazvin_inspector, product, milk_standard, cheap_lab, cheap_lab_user, requirements
):
    take(qazvin_inspector, product, milk_standard, seal="A")
    take(qazvin_inspector, product, milk_standard, seal="B")
    first, second = place(qazvin_officer)
    client.force_login(cheap_lab_user)
    client.post(reverse("labs:order_act", args=[first.public_id, "accept"]))
    foreign = second.items.get(requirement=requirements[2])
    response = client.post(reverse("labs:order_act", args=[first.public_id, "result"]),
                           {"item": foreign.pk, "outcome": "pass"})  # fmt: skip
    assert _messages(response) and not TestItem.objects.filter(reported_at__isnull=False).exists()


def test_the_wrong_persona_cannot_answer_an_order(
    client, qazvin_officer, unit_rep, lab_user, tehran_officer, world
):
    order = world["order"]
    TestOrder.objects.filter(pk=order.pk).update(state="sent")
    url = reverse("labs:order_act", args=[order.public_id, "accept"])
    for user in (qazvin_officer, unit_rep):
        client.force_login(user)
        response = client.post(url)
        assert response.status_code == 302 and _messages(response)
    for user in (lab_user, tehran_officer):
        client.force_login(user)
        assert client.post(url).status_code == 404
    assert TestOrder.objects.get(pk=order.pk).state == "sent"
    client.force_login(qazvin_officer)
    assert client.post(reverse("labs:order_act", args=[order.public_id, "explode"])).status_code == 404


def test_a_get_on_an_action_is_not_allowed(client, cheap_lab_user, world):
    client.force_login(cheap_lab_user)
    assert client.get(reverse("labs:order_act", args=[world["order"].public_id, "accept"])).status_code == 405
    assert client.get(reverse("labs:lab_act", args=[world["lab"].public_id, "move"])).status_code == 405


def test_the_public_directory_searches_by_what_labs_test_and_where(
    client, world, requirements, qazvin_county, tehran_county, milk_standard, product
):
    from hami.labs.tests.conftest import make_lab

    make_lab(tehran_county, "آزمایشگاه تهران", requirements=requirements[:1])
    make_lab(qazvin_county, "در حال بررسی", requirements=requirements, status="committee")
    make_lab(qazvin_county, "تعلیق‌شده", requirements=requirements, status="suspended")
    url = reverse("labs:directory")

    def names(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return sorted(lab.name_fa for lab in response.context["page"])

    everyone = names()
    assert "در حال بررسی" not in everyone and {"تعلیق‌شده", "آزمایشگاه تهران", "آزمایشگاه ارزان"} <= set(
        everyone
    )
    assert names(requirement=requirements[1].pk) == sorted(["آزمایشگاه ارزان", "تعلیق‌شده"])
    assert names(county=tehran_county.pk) == ["آزمایشگاه تهران"]
    assert names(standard=milk_standard.pk, county=qazvin_county.pk) == sorted(
        ["آزمایشگاه ارزان", "تعلیق‌شده"]
    )
    assert "آزمایشگاه تهران" in names(category=product.category.pk)
    assert names(q="تهران") == ["آزمایشگاه تهران"]
    for junk in (
        {"standard": "x"},
        {"county": "-1"},
        {"requirement": "1e9"},
        {"q": "x" * 500},
        {"page": "x"},
    ):
        assert client.get(url, junk).status_code == 200


def test_the_directory_marks_a_lapsed_accreditation(client, world):
    import datetime as dt

    from django.utils import timezone

    Lab.objects.filter(pk=world["lab"].pk).update(
        accreditation_expiry=timezone.localdate() - dt.timedelta(days=2)
    )
    response = client.get(reverse("labs:directory"))
    assert "text-bg-danger" in response.text


def test_lab_staff_file_an_application_and_become_its_members(client, qazvin_county):
    user = make_user("new-lab-staff", Role.LAB_STAFF)
    client.force_login(user)
    client.post(reverse("labs:lab_new"), {"name_fa": "آزمایشگاه خصوصی", "kind": "cooperating",
                                          "county": qazvin_county.pk})  # fmt: skip
    assert list(Lab.objects.get().memberships.values_list("user", flat=True)) == [user.pk]


def test_the_sample_list_filters_by_custody_step(client, qazvin_officer, world):
    client.force_login(qazvin_officer)
    assert client.get(reverse("labs:sample_list"), {"state": "taken"}).context["page"].paginator.count == 2
    assert client.get(reverse("labs:sample_list"), {"state": "disposed"}).context["page"].paginator.count == 0
    assert client.get(reverse("labs:sample_list"), {"state": "junk", "page": "999"}).status_code == 200
    assert client.get(reverse("labs:order_list"), {"state": "reported"}).context["page"].paginator.count == 1
    assert client.get(reverse("labs:lab_list"), {"status": "approved"}).context["page"].paginator.count == 1
