import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from hami.licensing.models import Application, ApplicationState, Licence
from hami.licensing.services.applications import application_create
from hami.licensing.tests.conftest import MEMBERS

pytestmark = pytest.mark.django_db


def act(client, application, action, **data):
    url = reverse("licensing:application_act", args=[application.public_id, action])
    return client.post(url, data)


def state(application):
    return Application.objects.get(pk=application.pk).state


def test_unit_applies_and_the_office_takes_it_to_a_licence_by_pages(
    client, unit_rep, qazvin_officer, qazvin_inspector, product, milk_standard, qazvin_key
):
    client.force_login(unit_rep)
    response = client.post(
        reverse("licensing:application_new"), {"product": product.pk, "standard": milk_standard.pk}
    )
    application = Application.objects.get()
    assert response.status_code == 302 and application.state == ApplicationState.DRAFT
    act(client, application, "submit")
    client.force_login(qazvin_officer)
    act(client, application, "return", deficiencies="گواهی مسئول کنترل کیفیت\nنقشه کارخانه")
    assert state(application) == ApplicationState.RETURNED
    client.force_login(unit_rep)
    for deficiency in application.deficiencies.all():
        url = reverse("licensing:deficiency_answer", args=[application.public_id, deficiency.pk])
        client.post(url, {"answer": "پیوست شد"})
    act(client, application, "submit")
    client.force_login(qazvin_officer)
    act(client, application, "accept")
    client.force_login(qazvin_inspector)
    act(client, application, "audit_done", note="نمونه‌برداری شد")
    client.force_login(qazvin_officer)
    act(client, application, "tests", passed="1", note="همه قبول")
    act(client, application, "decide", grant="1", reason="قبول", members_present="\n".join(MEMBERS))
    assert state(application) == ApplicationState.GRANTED
    licence = Licence.objects.get()
    page = client.get(reverse("licensing:licence_detail", args=[licence.public_id]))
    assert page.status_code == 200 and "<svg" in page.text and 'id="qr-payload"' in page.text


def test_wrong_role_move_shows_a_message_and_changes_nothing(client, unit_rep, product, milk_standard):
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    client.force_login(unit_rep)
    response = act(client, application, "accept")
    assert response.status_code == 302 and state(application) == ApplicationState.DRAFT
    follow = client.get(response["Location"])
    assert [m.level_tag for m in follow.context["messages"]] == ["error"]


def test_unknown_action_is_404(client, unit_rep, product, milk_standard):
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    client.force_login(unit_rep)
    assert act(client, application, "explode").status_code == 404


def test_other_province_cannot_see_or_act_on_an_application(
    client, tehran_officer, unit_rep, product, milk_standard
):
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    client.force_login(tehran_officer)
    assert (
        client.get(reverse("licensing:application_detail", args=[application.public_id])).status_code == 404
    )
    assert act(client, application, "submit").status_code == 404
    assert application.number not in client.get(reverse("licensing:application_list")).text


def test_queue_puts_overdue_first(client, qazvin_officer, unit_rep, product, milk_standard):
    import datetime as dt

    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    Application.objects.filter(pk=application.pk).update(due_on=dt.date(2020, 1, 1))
    client.force_login(qazvin_officer)
    page = client.get(reverse("licensing:application_list")).context["page"]
    assert page[0].pk == application.pk and page[0].overdue


def test_register_filters_and_exports(client, qazvin_officer, licence, tehran_officer):
    client.force_login(qazvin_officer)
    page = client.get(reverse("licensing:licence_list"), {"state": "active"}).context["page"]
    assert [item.pk for item in page] == [licence.pk]
    response = client.get(reverse("licensing:licence_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1] == "tracking_code" and rows[1][1] == licence.tracking_code
    response = client.get(reverse("licensing:licence_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(2, 2).value == licence.tracking_code
    assert client.get(reverse("licensing:licence_export", args=["pdf"])).status_code == 404
    client.force_login(tehran_officer)
    response = client.get(reverse("licensing:licence_export", args=["csv"]))
    assert licence.tracking_code not in response.content.decode("utf-8-sig")
    assert client.get(reverse("licensing:licence_detail", args=[licence.public_id])).status_code == 404
