"""The cases pages for every persona: the office's two tabs, a case's actions, reporting a mark,
triaging and filing complaints, a unit's own cases. Junk input answers with a message, never a 500."""

import pytest
from django.urls import reverse

from hami.licensing.models import Complaint
from hami.licensing.services.complaints import complaint_file, complaint_reference
from hami.supervision.models import ComplaintCase, MarketCase
from hami.supervision.services.cases import complaint_triage, market_case_close, market_case_report_mark
from hami.supervision.tests.cases.conftest import COMPLAINT_TEXT, CONTACT, SHOP, make_licence, unknown_code

pytestmark = pytest.mark.django_db

OFFICE_SIDE = ["qazvin_officer", "qazvin_inspector", "admin_user"]
PRODUCT = "شیر پرچرب ۱ لیتری کیمیا"


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


@pytest.fixture
def bad_mark_case(qazvin_inspector, qazvin_unit, milk_standard):
    licence = make_licence(qazvin_unit, milk_standard, state="revoked")
    return market_case_report_mark(
        actor=qazvin_inspector, tracking_code=licence.tracking_code, place=SHOP, product_description=PRODUCT
    )


def report_data(code, **extra):
    return {
        "tracking_code": code,
        "place": SHOP,
        "product_description": PRODUCT,
        "producer_name": "",
        **extra,
    }


# ---------------------------------------------------------------- the cases page


@pytest.mark.parametrize("persona", OFFICE_SIDE)
def test_the_office_side_sees_the_provinces_cases_in_persian(client, request, persona, bad_mark_case):
    login(client, request, persona)
    response = client.get(reverse("supervision:cases_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'lang="fa"' in page and str(bad_mark_case.public_id) in page and "کیمیا" in page


def test_a_unit_representative_is_sent_to_its_own_units_cases(client, unit_rep, qazvin_unit):
    client.force_login(unit_rep)
    response = client.get(reverse("supervision:cases_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:cases_unit", args=[qazvin_unit.public_id])


@pytest.mark.parametrize("persona", ["lab_user", "outsider"])
@pytest.mark.parametrize("name", ["cases_list", "cases_market_report", "cases_complaint_new"])
def test_other_roles_are_refused(client, request, persona, name):
    login(client, request, persona)
    assert client.get(reverse(f"supervision:{name}")).status_code == 403


@pytest.mark.parametrize("name", ["cases_list", "cases_market_report", "cases_complaint_new"])
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(f"supervision:{name}"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_another_province_sees_neither_the_case_nor_the_complaint(
    client, tehran_officer, bad_mark_case, public_complaint
):
    client.force_login(tehran_officer)
    for tab in ("market", "complaints"):
        page = client.get(reverse("supervision:cases_list"), {"tab": tab}).content.decode()
        assert str(bad_mark_case.public_id) not in page and str(public_complaint.public_id) not in page
    assert (
        client.get(reverse("supervision:cases_market_detail", args=[bad_mark_case.public_id])).status_code
        == 404
    )
    url = reverse("supervision:cases_complaint_detail", args=[public_complaint.public_id])
    assert client.get(url).status_code == 404
    assert (
        client.post(reverse("supervision:cases_market_close", args=[bad_mark_case.public_id])).status_code
        == 404
    )


def test_the_market_tab_lists_open_cases_first_in_few_queries(
    client, qazvin_officer, qazvin_inspector, django_assert_max_num_queries
):
    cases = [
        market_case_report_mark(
            actor=qazvin_inspector,
            tracking_code=unknown_code(),
            place=f"{SHOP} {n}",
            product_description=PRODUCT,
            producer_name=f"تولیدی {n}",
        )
        for n in range(12)
    ]
    market_case_close(actor=qazvin_officer, case=cases[-1], outcome="unfounded", note="برچسب درست بود")
    client.force_login(qazvin_officer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("supervision:cases_list"))
    rows = list(response.context["page"])
    assert len(rows) == 12 and rows[-1].pk == cases[-1].pk  # the closed one last
    closed = client.get(reverse("supervision:cases_list"), {"state": "closed"}).context["page"]
    assert [c.pk for c in closed] == [cases[-1].pk]
    junk = client.get(reverse("supervision:cases_list"), {"state": "nonsense", "page": "x"})
    assert junk.status_code == 200


def test_the_complaints_tab_puts_untriaged_first_and_highlights_urgent(
    client, qazvin_officer, milk_licence, public_complaint, django_assert_max_num_queries
):
    later = []
    for priority in ("low", "urgent", "normal"):
        complaint = complaint_file(
            licence=milk_licence,
            tracking_code=milk_licence.tracking_code,
            text=f"{COMPLAINT_TEXT} {priority}",
        )
        complaint_triage(actor=qazvin_officer, complaint=complaint, priority=priority)
        later.append(complaint)
    client.force_login(qazvin_officer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("supervision:cases_list"), {"tab": "complaints"})
    order = [c.pk for c in response.context["page"]]
    assert order == [public_complaint.pk, later[1].pk, later[2].pk, later[0].pk]  # untriaged, then urgent…
    page = response.content.decode()
    assert f'id="complaint-{later[1].public_id}" class="table-danger"' in page
    assert f'id="complaint-{public_complaint.public_id}" class="table-warning"' in page
    assert CONTACT not in page  # contacts only on a complaint's own page
    untriaged = client.get(reverse("supervision:cases_list"), {"tab": "complaints", "state": "untriaged"})
    assert [c.pk for c in untriaged.context["page"]] == [public_complaint.pk]
    urgent = client.get(reverse("supervision:cases_list"), {"tab": "complaints", "priority": "urgent"})
    assert [c.pk for c in urgent.context["page"]] == [later[1].pk]


def test_the_office_finds_a_complaint_by_the_reference_the_complainant_quotes(
    client, qazvin_officer, public_complaint, milk_licence
):
    complaint_file(licence=milk_licence, tracking_code="", text="یک شکایت دیگر درباره همین شیر")
    client.force_login(qazvin_officer)
    reference = complaint_reference(public_complaint)
    for typed in (reference, reference.lower()):
        response = client.get(reverse("supervision:cases_list"), {"tab": "complaints", "q": typed})
        assert [c.pk for c in response.context["page"]] == [public_complaint.pk]


# ---------------------------------------------------------------- reporting a mark


def test_an_inspector_reports_a_bad_mark_from_the_phone_form(client, qazvin_inspector):
    client.force_login(qazvin_inspector)
    assert client.get(reverse("supervision:cases_market_report")).status_code == 200
    response = client.post(
        reverse("supervision:cases_market_report"), report_data(unknown_code(), producer_name="لبنیات کیمیا")
    )
    case = MarketCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:cases_market_detail", args=[case.public_id])
    page = client.get(response["Location"]).content.decode()
    assert "لبنیات کیمیا" in page and 'id="move-form"' in page and 'id="close-form"' not in page


def test_a_valid_mark_is_answered_on_the_form_and_nothing_recorded(client, qazvin_inspector, milk_licence):
    client.force_login(qazvin_inspector)
    response = client.post(
        reverse("supervision:cases_market_report"), report_data(milk_licence.tracking_code)
    )
    assert response.status_code == 400 and not MarketCase.objects.exists()
    assert milk_licence.number in response.content.decode()


@pytest.mark.parametrize(
    "change",
    [{"tracking_code": ""}, {"tracking_code": "abc"}, {"place": ""}, {"product_description": ""},
     {"unit": "12345678901"}, {"tracking_code": "1" * 41}, {"as_printed": "on", "tracking_code": ""}],
)  # fmt: skip
def test_junk_on_the_report_form_answers_with_a_message_and_writes_nothing(client, qazvin_inspector, change):
    client.force_login(qazvin_inspector)
    data = {**report_data(unknown_code(), producer_name="x"), **change}
    response = client.post(reverse("supervision:cases_market_report"), data)
    assert response.status_code == 400 and not MarketCase.objects.exists()
    assert "invalid-feedback" in response.content.decode()


def test_the_producer_is_chosen_by_national_id(client, qazvin_inspector, tehran_unit):
    client.force_login(qazvin_inspector)
    data = report_data(unknown_code(), unit="".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in tehran_unit.national_id))
    assert client.post(reverse("supervision:cases_market_report"), data).status_code == 302
    assert MarketCase.objects.get().unit == tehran_unit


# ---------------------------------------------------------------- a market case's actions


def test_inspector_moves_officer_closes_with_the_coercive_outcomes_marked(
    client, qazvin_inspector, qazvin_officer, bad_mark_case
):
    detail = reverse("supervision:cases_market_detail", args=[bad_mark_case.public_id])
    client.force_login(qazvin_inspector)
    response = client.post(reverse("supervision:cases_market_move", args=[bad_mark_case.public_id]),
                           {"state": "investigating"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == detail
    close = reverse("supervision:cases_market_close", args=[bad_mark_case.public_id])
    assert client.post(close, {"outcome": "withdrawn", "note": "x"}).status_code == 403
    client.force_login(qazvin_officer)
    page = client.get(detail).content.decode()
    assert page.count("badge text-bg-danger") >= 2  # withdrawn and referred are marked coercive
    response = client.post(close, {"outcome": "withdrawn", "note": ""})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    bad_mark_case.refresh_from_db()
    assert bad_mark_case.state == "investigating"
    assert client.post(close, {"outcome": "withdrawn", "note": "جمع‌آوری از ۳ فروشگاه"}).status_code == 302
    bad_mark_case.refresh_from_db()
    assert (bad_mark_case.state, bad_mark_case.outcome) == ("closed", "withdrawn")
    assert 'id="case-outcome"' in client.get(detail).content.decode()


def test_the_unit_reads_its_case_but_cannot_act(client, unit_rep, bad_mark_case):
    client.force_login(unit_rep)
    detail = client.get(reverse("supervision:cases_market_detail", args=[bad_mark_case.public_id]))
    assert detail.status_code == 200 and 'id="close-form"' not in detail.content.decode()
    move = reverse("supervision:cases_market_move", args=[bad_mark_case.public_id])
    assert client.post(move, {"state": "investigating"}).status_code == 403
    bad_mark_case.refresh_from_db()
    assert bad_mark_case.state == "open"


def test_moving_twice_answers_with_a_message(client, qazvin_inspector, bad_mark_case):
    client.force_login(qazvin_inspector)
    move = reverse("supervision:cases_market_move", args=[bad_mark_case.public_id])
    client.post(move, {"state": "investigating"})
    response = client.post(move, {"state": "investigating"}, follow=True)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert client.post(move, {"state": "nonsense"}, follow=True).status_code == 200


# ---------------------------------------------------------------- complaints


def test_the_contact_is_shown_to_the_office_only(client, qazvin_officer, qazvin_inspector, admin_user,
                                                 public_complaint):  # fmt: skip
    url = reverse("supervision:cases_complaint_detail", args=[public_complaint.public_id])
    for user, shown in ((qazvin_officer, True), (admin_user, True), (qazvin_inspector, False)):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert COMPLAINT_TEXT in page
        assert (CONTACT in page) is shown


def test_the_office_triages_investigates_and_closes_from_the_page(
    client, qazvin_officer, qazvin_inspector, public_complaint, qazvin_unit, milk_licence
):
    client.force_login(qazvin_officer)
    detail = reverse("supervision:cases_complaint_detail", args=[public_complaint.public_id])
    page = client.get(detail).content.decode()
    assert 'id="triage-form"' in page and qazvin_unit.national_id in page  # pre-filled from the licence
    triage = reverse("supervision:cases_complaint_triage", args=[public_complaint.public_id])
    response = client.post(triage, {"unit": "10000000000", "priority": "urgent"})
    assert response.status_code == 400 and not ComplaintCase.objects.exists()
    response = client.post(triage, {"unit": qazvin_unit.national_id, "licence": milk_licence.tracking_code,
                                    "priority": "urgent", "assigned_to": qazvin_inspector.pk})  # fmt: skip
    assert response.status_code == 302
    case = ComplaintCase.objects.get()
    assert (case.unit, case.licence, case.priority, case.assigned_to) == (
        qazvin_unit, milk_licence, "urgent", qazvin_inspector,
    )  # fmt: skip
    investigate = reverse("supervision:cases_complaint_investigate", args=[public_complaint.public_id])
    assert client.post(investigate, {"inspection": ""}).status_code == 302
    close = reverse("supervision:cases_complaint_close", args=[public_complaint.public_id])
    assert client.post(close, {"outcome": "upheld", "note": ""}).status_code == 400
    assert client.post(close, {"outcome": "upheld", "note": "تأیید شد"}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.outcome) == ("closed", "upheld")
    assert client.post(triage, {"priority": "low"}).status_code == 302  # already triaged: a message
    assert ComplaintCase.objects.count() == 1


@pytest.mark.parametrize(
    "name", ["cases_complaint_triage", "cases_complaint_investigate", "cases_complaint_close"]
)
def test_inspectors_do_not_decide_on_complaints(client, qazvin_inspector, public_complaint, name):
    client.force_login(qazvin_inspector)
    response = client.post(
        reverse(f"supervision:{name}", args=[public_complaint.public_id]), {"priority": "low"}
    )
    assert response.status_code == 403 and not ComplaintCase.objects.exists()


def test_the_office_records_a_phoned_complaint(client, qazvin_officer, qazvin_unit):
    client.force_login(qazvin_officer)
    url = reverse("supervision:cases_complaint_new")
    assert client.get(url).status_code == 200
    data = {"unit": qazvin_unit.national_id, "text": COMPLAINT_TEXT, "contact": CONTACT, "priority": "normal"}
    assert client.post(url, {**data, "text": "کوتاه"}).status_code == 400
    assert client.post(url, {**data, "priority": "asap"}).status_code == 400
    assert not Complaint.objects.exists()
    response = client.post(url, data)
    case = ComplaintCase.objects.get()
    assert response.status_code == 302 and case.channel == "office" and case.complaint.contact == CONTACT
    assert response["Location"] == reverse(
        "supervision:cases_complaint_detail", args=[case.complaint.public_id]
    )


def test_inspectors_do_not_record_complaints(client, qazvin_inspector):
    client.force_login(qazvin_inspector)
    assert client.get(reverse("supervision:cases_complaint_new")).status_code == 403


def test_a_national_admin_triages_a_complaint_with_an_unknown_code(client, admin_user, unknown_code_complaint,
                                                                   tehran_unit, tehran_officer):  # fmt: skip
    client.force_login(admin_user)
    page = client.get(reverse("supervision:cases_list"), {"tab": "complaints"}).content.decode()
    assert str(unknown_code_complaint.public_id) in page
    triage = reverse("supervision:cases_complaint_triage", args=[unknown_code_complaint.public_id])
    assert client.post(triage, {"priority": "low"}).status_code == 400
    assert client.post(triage, {"priority": "low", "unit": tehran_unit.national_id}).status_code == 302
    client.force_login(tehran_officer)  # now the Tehran office's
    url = reverse("supervision:cases_complaint_detail", args=[unknown_code_complaint.public_id])
    assert client.get(url).status_code == 200


# ---------------------------------------------------------------- a unit's own cases


def test_the_unit_sees_its_cases_without_the_complainants_contact(
    client, unit_rep, qazvin_unit, bad_mark_case, complaint_case, public_complaint, tehran_unit,
    django_assert_max_num_queries,
):  # fmt: skip
    client.force_login(unit_rep)
    url = reverse("supervision:cases_unit", args=[qazvin_unit.public_id])
    with django_assert_max_num_queries(8):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and qazvin_unit.name_fa in page
    assert str(bad_mark_case.public_id) in page and str(public_complaint.public_id) in page
    assert CONTACT not in page
    detail = client.get(reverse("supervision:cases_complaint_detail", args=[public_complaint.public_id]))
    assert detail.status_code == 200 and COMPLAINT_TEXT in detail.content.decode()
    assert (
        CONTACT not in detail.content.decode() and 'id="complaint-close-form"' not in detail.content.decode()
    )
    assert client.get(reverse("supervision:cases_unit", args=[tehran_unit.public_id])).status_code == 404


def test_the_unit_does_not_see_complaints_before_triage(client, unit_rep, public_complaint):
    client.force_login(unit_rep)
    url = reverse("supervision:cases_complaint_detail", args=[public_complaint.public_id])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("persona", ["lab_user", "outsider", "tehran_officer"])
def test_strangers_do_not_see_a_units_cases(client, request, persona, qazvin_unit):
    login(client, request, persona)
    assert client.get(reverse("supervision:cases_unit", args=[qazvin_unit.public_id])).status_code == 404


# ---------------------------------------------------------------- the public complainant's reference


def test_the_public_complainant_gets_a_reference_the_office_can_find(client, milk_licence, qazvin_officer):
    url = reverse("complaint_new", args=[milk_licence.tracking_code])
    response = client.post(url, {"text": COMPLAINT_TEXT, "contact": CONTACT})
    complaint = Complaint.objects.get()
    reference = complaint_reference(complaint)
    assert (
        response.status_code == 200 and f'id="complaint-reference">{reference}<' in response.content.decode()
    )
    client.force_login(qazvin_officer)
    found = client.get(reverse("supervision:cases_list"), {"tab": "complaints", "q": reference})
    assert [c.pk for c in found.context["page"]] == [complaint.pk]


def test_the_complaint_page_offers_to_schedule_a_complaint_visit_at_the_unit(
    client, qazvin_officer, complaint_case, public_complaint
):
    client.force_login(qazvin_officer)
    page = client.get(reverse("supervision:cases_complaint_detail", args=[public_complaint.public_id]))
    link = f"{reverse('supervision:inspection_new')}?unit={complaint_case.unit.public_id}&amp;kind=complaint"
    assert link in page.content.decode()
    form = client.get(link.replace("&amp;", "&")).context["form"]
    assert form.initial["kind"] == "complaint"
