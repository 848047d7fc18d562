"""The supervision pages for every persona, the step-by-step assessment page, and junk input that must
answer with a message, never a 500."""

import pytest
from django.urls import reverse

from hami.supervision.models import RiskAssessment

pytestmark = pytest.mark.django_db

ASSESSORS = ["qazvin_officer", "qazvin_inspector", "admin_user"]
REFUSED = ["unit_rep", "lab_user", "outsider"]


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def steps_data(rows, total=6):
    data = {"steps-TOTAL_FORMS": str(total), "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "6"}  # fmt: skip
    for i, (text, probability) in enumerate(rows):
        data[f"steps-{i}-text"] = text
        data[f"steps-{i}-probability"] = probability
    return data


def form_data(category, *, severity="3", rows=(("Base cracks", "1/10"), ("Touches live part", "0.01"))):
    return {
        "category": category.pk,
        "hazard": "Electric shock",
        "injured_person": "An adult user",
        "injury": "Shock through the hand",
        "severity": severity,
        **steps_data(rows),
    }


@pytest.mark.parametrize("persona", ASSESSORS)
def test_assessors_see_their_provinces_assessments(client, request, persona, qazvin_assessment):
    login(client, request, persona)
    response = client.get(reverse("supervision:risk_list"))
    assert response.status_code == 200
    assert str(qazvin_assessment.public_id) in response.content.decode()


def test_tehran_officer_does_not_see_qazvins_assessment(
    client, tehran_officer, qazvin_assessment, tehran_assessment
):
    client.force_login(tehran_officer)
    page = client.get(reverse("supervision:risk_list")).content.decode()
    assert str(tehran_assessment.public_id) in page
    assert str(qazvin_assessment.public_id) not in page
    detail = reverse("supervision:risk_detail", args=[qazvin_assessment.public_id])
    assert client.get(detail).status_code == 404


@pytest.mark.parametrize("persona", REFUSED)
@pytest.mark.parametrize("name", ["risk_list", "risk_new", "risk_detail"])
def test_other_roles_are_refused(client, request, persona, name, qazvin_assessment):
    login(client, request, persona)
    args = [qazvin_assessment.public_id] if name == "risk_detail" else []
    assert client.get(reverse(f"supervision:{name}", args=args)).status_code == 403


@pytest.mark.parametrize("name", ["risk_list", "risk_new", "risk_detail"])
def test_anonymous_is_sent_to_sign_in(client, name, qazvin_assessment):
    args = [qazvin_assessment.public_id] if name == "risk_detail" else []
    response = client.get(reverse(f"supervision:{name}", args=args))
    assert response.status_code == 302 and "login" in response["Location"]


def test_list_filters_by_level_in_few_queries(client, qazvin_officer, kettles, django_assert_max_num_queries):
    from hami.supervision.tests.conftest import assess

    for severity in (1, 2, 3, 4, 4):
        assess(qazvin_officer, kettles, severity=severity)
    client.force_login(qazvin_officer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("supervision:risk_list"), {"level": "serious"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2


@pytest.mark.parametrize("persona", ASSESSORS)
def test_assessors_open_the_new_page_with_hazard_levels_and_six_step_rows(client, request, persona, kettles):
    login(client, request, persona)
    response = client.get(reverse("supervision:risk_new"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('name="steps-') >= 12  # six rows of text and probability
    labels = [str(label) for _value, label in response.context["form"].fields["category"].choices]
    assert any("کتری برقی" in label and "3" in label for label in labels)  # its typical hazard level


def test_inspector_builds_a_scenario_and_sees_the_explained_level(client, qazvin_inspector, kettles):
    client.force_login(qazvin_inspector)
    response = client.post(reverse("supervision:risk_new"), form_data(kettles))
    assessment = RiskAssessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:risk_detail", args=[assessment.public_id])
    assert assessment.risk_level == "high" and len(assessment.steps) == 2  # 1/1000 → "> 1/10 000", S3
    page = client.get(response["Location"]).content.decode()
    assert 'id="cell-used"' in page and page.count('id="cell-used"') == 1
    assert 'class="table-active"' in page


def test_national_admin_must_choose_a_province(client, admin_user, kettles, qazvin):
    client.force_login(admin_user)
    response = client.post(reverse("supervision:risk_new"), form_data(kettles))
    assert response.status_code == 200 and not RiskAssessment.objects.exists()
    response = client.post(reverse("supervision:risk_new"), {**form_data(kettles), "province": qazvin.pk})
    assert response.status_code == 302
    assert RiskAssessment.objects.get().province == qazvin


@pytest.mark.parametrize(
    "data_change",
    [
        {"severity": "5"},
        {"severity": ""},
        {"steps-0-probability": "2"},
        {"steps-0-probability": "often"},
        {"steps-0-text": ""},
        {"steps-0-text": "", "steps-0-probability": "", "steps-1-text": "", "steps-1-probability": ""},
        {"steps-TOTAL_FORMS": "x"},
        {"steps-TOTAL_FORMS": "60"},
        {"category": "999999"},
    ],
)
def test_junk_input_answers_with_a_message_and_writes_nothing(client, qazvin_inspector, kettles, data_change):
    client.force_login(qazvin_inspector)
    response = client.post(reverse("supervision:risk_new"), {**form_data(kettles), **data_change})
    assert response.status_code == 200
    assert not RiskAssessment.objects.exists()
    page = response.content.decode()
    assert "invalid-feedback" in page or "alert-danger" in page


def test_empty_rows_between_steps_are_ignored(client, qazvin_inspector, kettles):
    client.force_login(qazvin_inspector)
    rows = (("Base cracks", "1/10"), ("", ""), ("Touches live part", "1/100"))
    response = client.post(reverse("supervision:risk_new"), form_data(kettles, rows=rows))
    assert response.status_code == 302
    assert [s["fraction"] for s in RiskAssessment.objects.get().steps] == ["1/10", "1/100"]


def test_navbar_gives_staff_the_supervision_menu_and_a_unit_its_own_page(
    client, qazvin_inspector, unit_rep, lab_user
):
    client.force_login(qazvin_inspector)
    page = client.get(reverse("supervision:risk_list")).content.decode()
    assert reverse("supervision:risk_list") in page
    assert reverse("supervision:inspection_today") in page
    client.force_login(unit_rep)
    page = client.get("/").content.decode()
    assert 'id="nav-supervision"' in page
    assert reverse("supervision:risk_list") not in page
    assert reverse("supervision:mine") in page
    client.force_login(lab_user)
    assert 'id="nav-supervision"' not in client.get("/").content.decode()


def test_a_unit_is_named_by_its_national_id_and_only_of_the_province(
    client, qazvin_inspector, kettles, qazvin_unit, tehran_unit
):
    from hami.supervision.models import RiskAssessment

    client.force_login(qazvin_inspector)
    page = client.get(reverse("supervision:risk_new")).content.decode()
    assert qazvin_unit.name_fa not in page  # no list of every unit
    other = client.post(
        reverse("supervision:risk_new"), {**form_data(kettles), "unit": tehran_unit.national_id}
    )
    assert other.status_code == 200 and not RiskAssessment.objects.exists()
    assert other.context["form"].errors["unit"]
    persian_digits = qazvin_unit.national_id.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client.post(reverse("supervision:risk_new"), {**form_data(kettles), "unit": persian_digits})
    assert response.status_code == 302
    assert RiskAssessment.objects.get().unit == qazvin_unit
