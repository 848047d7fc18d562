import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_public_home_invites_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("login") in response.text


def test_persian_is_the_default_language_and_right_to_left(client):
    response = client.get("/")
    assert '<html lang="fa" dir="rtl">' in response.text
    assert "bootstrap.rtl.min.css" in response.text and "vazirmatn.css" in response.text


def test_english_switch_is_remembered(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.get("/").text.count('<html lang="en" dir="ltr">') == 1


def test_no_asset_comes_from_another_host(client):
    text = client.get("/").text
    assert "http://" not in text.replace("http://127.0.0.1", "") and "https://" not in text


def test_office_home_counts_its_province_only(client, qazvin_officer, qazvin_unit, tehran_unit):
    client.force_login(qazvin_officer)
    response = client.get("/")
    assert response.context["unit_count"] == 1
    assert "قزوین" in response.text


def test_national_admin_home_counts_every_province(client, admin_user, qazvin_unit, tehran_unit):
    client.force_login(admin_user)
    assert client.get("/").context["unit_count"] == 2


def test_unit_rep_home_lists_its_units(client, unit_rep, qazvin_unit, tehran_unit):
    client.force_login(unit_rep)
    response = client.get("/")
    assert [u.pk for u in response.context["units"]] == [qazvin_unit.pk]


def test_lab_home_shows_its_lab(client, lab_user):
    client.force_login(lab_user)
    assert "آزمایشگاه همکار البرز" in client.get("/").text


def test_user_without_role_is_told_so(client, outsider):
    client.force_login(outsider)
    assert client.get("/").status_code == 200


def test_login_with_wrong_password_says_so_in_persian(client, qazvin_officer):
    response = client.post(reverse("login"), {"username": "qazvin-officer", "password": "wrong"})
    assert response.status_code == 200
    assert "نام کاربری" in response.text  # Django's own Persian message for bad credentials


def test_static_assets_are_served_locally(client):
    for path in (
        "/static/vendor/bootstrap/bootstrap.rtl.min.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/vazirmatn/fonts/Vazirmatn-Variable.woff2",
    ):
        response = client.get(path)
        assert response.status_code == 200, path


def test_pages_stay_persian_for_an_english_browser_until_the_user_switches(client):
    assert '<html lang="fa" dir="rtl">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").text
    client.cookies["django_language"] = "en"
    assert '<html lang="en" dir="ltr">' in client.get("/", HTTP_ACCEPT_LANGUAGE="fa").text


def test_unknown_language_cookie_falls_back_to_persian(client):
    client.cookies["django_language"] = "xx"
    assert '<html lang="fa" dir="rtl">' in client.get("/").text


def test_notifications_page_lists_and_marks_read(client, qazvin_officer, outsider):
    from hami.core.notify import notify

    notify(user=qazvin_officer, subject="پروانه رو به انقضا", body="تمدید کنید", link="/licensing/licences/")
    client.force_login(qazvin_officer)
    response = client.get("/notifications/")
    assert "پروانه رو به انقضا" in response.text
    assert qazvin_officer.notifications.get().read_at is not None
    client.force_login(outsider)
    assert "پروانه رو به انقضا" not in client.get("/notifications/").text


def test_unit_portal_lists_its_applications_and_licences(client, unit_rep, licence):
    client.force_login(unit_rep)
    response = client.get("/")
    assert [item.pk for item in response.context["licences"]] == [licence.pk]
    assert licence.number.split("/")[0] in response.text


def test_office_home_counts_the_licensing_queue(client, qazvin_officer, tehran_officer, licence):
    client.force_login(qazvin_officer)
    assert client.get("/").context["active_licences"] == 1
    client.force_login(tehran_officer)
    assert client.get("/").context["active_licences"] == 0
