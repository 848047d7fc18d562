"""The score pages in Persian: the office's ranking (scoped, filtered, few queries), "recompute now", a
unit's explained score for its representative and the office (404 for anyone else), the instruction
page (read by the office, changed by a national admin only)."""

import pytest
from django.urls import reverse

from hami.registry.models import ProductionUnit
from hami.supervision.models import ScoreRun, SupervisionPolicy
from hami.supervision.tests.scores import build
from hami.supervision.tests.scores.conftest import run_scores

pytestmark = pytest.mark.django_db

RANKING = reverse("supervision:scores_list")
POLICY = reverse("supervision:scores_policy")
RECOMPUTE = reverse("supervision:scores_recompute")


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def unit_page(unit) -> str:
    return reverse("supervision:scores_unit", args=[unit.public_id])


@pytest.fixture
def scored(risky, tehran_unit):
    run_scores()
    return risky


# ---------------------------------------------------------------- the ranking


@pytest.mark.parametrize("persona", ["qazvin_officer", "qazvin_inspector"])
def test_the_office_and_inspectors_rank_their_provinces_units_only(
    client, request, persona, scored, tehran_unit
):
    quiet = build.unit()
    run_scores()
    login(client, request, persona)
    response = client.get(RANKING)
    page = response.content.decode()
    assert response.status_code == 200
    assert [row.unit for row in response.context["page"]] == [scored, quiet]  # highest first
    assert tehran_unit.name_fa not in page and scored.name_fa in page
    assert "۵۵٫۲" in page and "۱۰" in page  # scores in Persian digits
    assert unit_page(scored) in page
    assert 'id="scores-run"' in page and "۱۴۰۵" in page  # the run's time, Jalali


def test_a_national_admin_sees_every_province_or_the_one_chosen(client, admin_user, scored, tehran_unit):
    client.force_login(admin_user)
    everything = client.get(RANKING)
    assert {row.unit for row in everything.context["page"]} == {scored, tehran_unit}
    chosen = client.get(RANKING, {"province": "tehran"})
    assert [row.unit for row in chosen.context["page"]] == [tehran_unit]
    junk = client.get(RANKING, {"province": "atlantis", "tier": "awful", "county": "x", "page": "zz"})
    assert junk.status_code == 200 and len(junk.context["page"].object_list) == 2


def test_the_ranking_filters_by_tier_and_county(client, qazvin_officer, scored, takestan):
    elsewhere = build.unit(county=takestan)
    run_scores()
    client.force_login(qazvin_officer)
    high = client.get(RANKING, {"tier": "high"})
    assert [row.unit for row in high.context["page"]] == [scored]
    low = client.get(RANKING, {"tier": "low"})
    assert [row.unit for row in low.context["page"]] == [elsewhere]
    in_takestan = client.get(RANKING, {"county": takestan.pk})
    assert [row.unit for row in in_takestan.context["page"]] == [elsewhere]
    assert dict((t, n) for t, _label, n in in_takestan.context["tier_counts"]) == {
        "serious": 0, "high": 0, "medium": 0, "low": 1,
    }  # fmt: skip


def test_the_ranking_takes_the_same_few_queries_for_3_units_as_for_60(
    client, qazvin_officer, django_assert_max_num_queries
):
    client.force_login(qazvin_officer)
    for total in (3, 60):
        for _ in range(total - ProductionUnit.objects.count()):
            build.unit()
        run_scores()
        with django_assert_max_num_queries(8):
            response = client.get(RANKING, {"page": "2"} if total > 50 else {})
        assert response.status_code == 200
    assert response.context["page"].paginator.count == 60 and len(response.context["page"].object_list) == 10


@pytest.mark.parametrize("persona", ["unit_rep", "lab_user", "outsider"])
def test_other_roles_may_not_open_the_ranking(client, request, persona, scored):
    login(client, request, persona)
    assert client.get(RANKING).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    for url in (RANKING, POLICY):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_without_any_run_the_ranking_says_so(client, qazvin_officer):
    client.force_login(qazvin_officer)
    response = client.get(RANKING)
    assert response.status_code == 200 and response.context["run"] is None


# ---------------------------------------------------------------- recompute now


@pytest.mark.parametrize("persona", ["qazvin_officer", "admin_user"])
def test_office_staff_recompute_now(client, request, persona, qazvin_unit):
    login(client, request, persona)
    response = client.post(RECOMPUTE)
    assert response.status_code == 302 and response["Location"] == RANKING
    run = ScoreRun.objects.get()
    assert run.state == "done" and run.started_by == request.getfixturevalue(persona)
    page = client.get(RANKING).content.decode()
    assert "alert-success" in page and "۱" in page


@pytest.mark.parametrize("persona", ["qazvin_inspector", "unit_rep", "lab_user", "outsider"])
def test_other_roles_may_not_recompute(client, request, persona):
    login(client, request, persona)
    assert client.post(RECOMPUTE).status_code == 403
    assert not ScoreRun.objects.exists()


def test_recompute_is_a_post_and_a_refusal_is_a_message(client, qazvin_officer, qazvin_unit):
    client.force_login(qazvin_officer)
    assert client.get(RECOMPUTE).status_code == 405
    ScoreRun.objects.create(state="running", as_of=build.NOW)
    response = client.post(RECOMPUTE, follow=True)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert ScoreRun.objects.count() == 1


# ---------------------------------------------------------------- a unit's score


@pytest.mark.parametrize("persona", ["unit_rep", "qazvin_officer", "qazvin_inspector", "admin_user"])
def test_the_unit_its_office_and_national_admins_see_the_explained_score(client, request, persona, scored):
    login(client, request, persona)
    response = client.get(unit_page(scored))
    page = response.content.decode()
    assert response.status_code == 200
    assert "۵۵٫۲" in page and scored.name_fa in page
    for key in ("hazard", "test_failures", "open_findings", "late_actions", "upheld_complaints",
                "since_inspection", "licence_state", "standing"):  # fmt: skip
        assert f'id="component-{key}"' in page
    assert "۱۸٫۸" in page and "۱۳٫۳" in page and "۷۳۰" in page  # points, and the window in days
    assert [h["key"] for h in response.context["hints"]] == [
        "test_failures", "open_findings", "licence_state", "late_actions", "upheld_complaints",
        "since_inspection",
    ]  # fmt: skip


@pytest.mark.parametrize("persona", ["tehran_officer", "lab_user", "outsider"])
def test_anyone_else_gets_a_404_for_a_units_score(client, request, persona, scored):
    login(client, request, persona)
    assert client.get(unit_page(scored)).status_code == 404


def test_a_representative_does_not_see_another_units_score(client, unit_rep, scored, tehran_unit):
    client.force_login(unit_rep)
    assert client.get(unit_page(tehran_unit)).status_code == 404
    assert client.get("/supervision/units/not-a-uuid/risk/").status_code == 404


def test_a_unit_not_scored_yet_is_told_so(client, unit_rep, qazvin_unit):
    client.force_login(unit_rep)
    response = client.get(unit_page(qazvin_unit))
    assert response.status_code == 200 and 'id="not-scored"' in response.content.decode()


# ---------------------------------------------------------------- the instruction


@pytest.mark.parametrize("persona", ["qazvin_officer", "qazvin_inspector", "tehran_officer"])
def test_office_and_inspectors_read_every_setting_but_get_no_form(client, request, persona):
    login(client, request, persona)
    response = client.get(POLICY)
    page = response.content.decode()
    assert response.status_code == 200 and response.context["form"] is None
    assert 'id="policy-form"' not in page
    assert page.count("<tr><td>") >= 30  # every setting on its row
    assert "۷۳۰" in page and "۰٫۲" in page  # the look-back days and the unannounced share


@pytest.mark.parametrize("persona", ["qazvin_officer", "qazvin_inspector"])
def test_only_a_national_admin_may_post_the_instruction(client, request, persona):
    login(client, request, persona)
    assert client.post(POLICY, {"reason": "x"}).status_code == 403
    assert not SupervisionPolicy.objects.exists()


@pytest.mark.parametrize("persona", ["unit_rep", "lab_user", "outsider"])
def test_other_roles_may_not_read_the_instruction(client, request, persona):
    login(client, request, persona)
    assert client.get(POLICY).status_code == 403


def _form_data(client) -> dict:
    form = client.get(POLICY).context["form"]
    return {name: form[name].value() for name in form.fields}


def test_a_national_admin_adopts_a_new_version_from_the_form(client, admin_user):
    client.force_login(admin_user)
    data = _form_data(client) | {
        "weights__hazard": "۳۰",
        "tier_thresholds__serious": "65",
        "reason": "Hazard first",
    }
    response = client.post(POLICY, data)
    assert response.status_code == 302
    row = SupervisionPolicy.objects.get()
    assert row.version == 1 and row.values == {"weights": {"hazard": 30}, "tier_thresholds": {"serious": 65}}
    page = client.get(POLICY).content.decode()
    assert 'id="policy-history"' in page and "Hazard first" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weights__hazard": "500"}, "weights__hazard"),
        ({"weights__hazard": "lots"}, "weights__hazard"),
        ({"tier_thresholds__serious": "10"}, None),
        ({"reason": ""}, "reason"),
        ({"visits_per_day": ""}, "visits_per_day"),
    ],
)
def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_adopted(client, admin_user, change, field):
    client.force_login(admin_user)
    response = client.post(POLICY, _form_data(client) | {"reason": "Trying"} | change)
    assert response.status_code == 200
    page = response.content.decode()
    if field:
        assert response.context["form"].errors[field]
        assert "invalid-feedback" in page
    else:
        assert "alert-danger" in page
    assert not SupervisionPolicy.objects.exists()


def test_posting_the_same_instruction_says_nothing_changed(client, admin_user):
    client.force_login(admin_user)
    response = client.post(POLICY, _form_data(client) | {"reason": "Same"})
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert not SupervisionPolicy.objects.exists()
