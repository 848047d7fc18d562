import datetime as dt
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType
from hami.licensing import signing
from hami.licensing.models import Application, ApplicationState, Decision, DecisionKind, Licence, LicenceState
from hami.licensing.services.applications import (
    application_accept,
    application_audit_done,
    application_create,
    application_record_tests,
    application_submit,
)
from hami.licensing.services.committee import committee_decide, licence_sanction
from hami.licensing.services.keys import mark_payload, signing_key_rotate, verify_payload
from hami.licensing.services.licences import add_years, licences_expire
from hami.licensing.tests.conftest import MEMBERS, ready_application

pytestmark = pytest.mark.django_db


def test_suspend_reinstate_revoke_follow_the_ladder(licence, qazvin_officer, sanction_reason):
    licence_sanction(actor=qazvin_officer, licence=licence, kind=DecisionKind.SUSPEND, reason="مردودی",
                     members_present=MEMBERS, sanction_reason=sanction_reason)  # fmt: skip
    licence.refresh_from_db()
    assert licence.state == LicenceState.SUSPENDED
    licence_sanction(actor=qazvin_officer, licence=licence, kind=DecisionKind.REINSTATE, reason="اصلاح شد",
                     members_present=MEMBERS)  # fmt: skip
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE
    licence_sanction(actor=qazvin_officer, licence=licence, kind=DecisionKind.REVOKE, reason="تکرار تخلف",
                     members_present=MEMBERS, sanction_reason=sanction_reason)  # fmt: skip
    licence.refresh_from_db()
    assert licence.state == LicenceState.REVOKED
    with pytest.raises(HamiError):
        licence_sanction(actor=qazvin_officer, licence=licence, kind=DecisionKind.REINSTATE, reason="x",
                         members_present=MEMBERS)  # fmt: skip
    kinds = Decision.objects.filter(licence=licence).order_by("created_at").values_list("kind", flat=True)
    assert list(kinds) == ["grant", "suspend", "reinstate", "revoke"]


def test_suspension_needs_a_catalogue_reason_and_the_right_office(licence, qazvin_officer, tehran_officer):
    with pytest.raises(HamiError) as exc:
        licence_sanction(actor=qazvin_officer, licence=licence, kind=DecisionKind.SUSPEND, reason="x",
                         members_present=MEMBERS)  # fmt: skip
    assert exc.value.field == "sanction_reason"
    with pytest.raises(Forbidden):
        licence_sanction(actor=tehran_officer, licence=licence, kind=DecisionKind.REINSTATE, reason="x",
                         members_present=MEMBERS)  # fmt: skip
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE


def test_expiry_run_is_idempotent(licence):
    assert licences_expire(today=licence.expires_on) == 0
    assert licences_expire(today=licence.expires_on + dt.timedelta(days=1)) == 1
    assert licences_expire(today=licence.expires_on + dt.timedelta(days=2)) == 0
    licence.refresh_from_db()
    assert licence.state == LicenceState.EXPIRED
    assert AuditEvent.objects.filter(event_type=EventType.LICENCE_EXPIRED).count() == 1


def test_renewal_keeps_the_tracking_code_and_adds_a_version(
    licence, unit_rep, qazvin_officer, qazvin_inspector, product, milk_standard
):
    application = application_create(actor=unit_rep, product=product, standard=milk_standard, licence=licence)
    assert application.kind == "renewal"
    application_submit(actor=unit_rep, application=application)
    application_accept(actor=qazvin_officer, application=application)
    application_audit_done(actor=qazvin_inspector, application=application)
    application_record_tests(actor=qazvin_officer, application=application, passed=True)
    old_expiry, code = licence.expires_on, licence.tracking_code
    committee_decide(actor=qazvin_officer, application=application, grant=True, reason="تمدید",
                     members_present=MEMBERS)  # fmt: skip
    licence.refresh_from_db()
    assert licence.tracking_code == code and licence.versions.count() == 2
    assert licence.expires_on == add_years(old_expiry, 3)
    assert Licence.objects.count() == 1


def test_leap_day_validity():
    assert add_years(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)


def test_mark_payload_verifies_and_survives_key_rotation(licence, qazvin, tmp_path, capsys):
    payload = mark_payload(licence)
    assert verify_payload(payload).verdict == signing.Verdict.VALID
    signing_key_rotate(actor=None, province=qazvin)  # the old key retires but still verifies
    assert verify_payload(payload).verdict == signing.Verdict.VALID
    assert mark_payload(licence) != payload
    keys = tmp_path / "keys.json"
    call_command("signing_keys", "export", "--output", str(keys))
    assert len(json.loads(keys.read_text())["keys"]) == 2
    for text, code in ((payload, 0), (payload[:-3], 1), (payload.replace("HAMI1.", "HAMI1.x", 1), 1)):
        with pytest.raises(SystemExit) as exc:
            call_command("verify_mark", text, "--public-keys", str(keys))
        assert exc.value.code == code
    with pytest.raises(SystemExit) as exc:
        call_command("verify_mark", payload, "--public-keys", str(keys), "--today", "2099-01-01")
    assert exc.value.code == 5 and "expired" in capsys.readouterr().out


def test_verify_mark_reports_unknown_key(licence, tmp_path):
    empty = tmp_path / "none.json"
    empty.write_text('{"keys": []}')
    with pytest.raises(SystemExit) as exc:
        call_command("verify_mark", mark_payload(licence), "--public-keys", str(empty))
    assert exc.value.code == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_officers_deciding_at_once_produce_exactly_one_outcome(request):
    """Two threads, two connections, one application: exactly one decision, one licence."""
    from hami.core.divisions import load_divisions
    from hami.core.models import County, Province

    load_divisions(Province, County)
    for name in ("qazvin_key", "unit_rep", "qazvin_officer", "qazvin_inspector", "product", "milk_standard"):
        request.getfixturevalue(name)
    get = request.getfixturevalue
    application = ready_application(get("unit_rep"), get("qazvin_officer"), get("qazvin_inspector"),
                                    get("product"), get("milk_standard"))  # fmt: skip
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(grant: bool) -> None:
        try:
            barrier.wait()
            officer = get("qazvin_officer")
            committee_decide(actor=officer, application=application, grant=grant, reason="هم‌زمان",
                             members_present=MEMBERS)  # fmt: skip
            outcomes.append("granted" if grant else "refused")
        except HamiError as exc:
            outcomes.append(str(exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(grant,)) for grant in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) in (["already_decided", "granted"], ["already_decided", "refused"])
    assert Decision.objects.filter(application=application).count() == 1
    final = Application.objects.get(pk=application.pk).state
    assert final in (ApplicationState.GRANTED, ApplicationState.REFUSED)
    assert Licence.objects.count() == (1 if final == ApplicationState.GRANTED else 0)
    assert connection.vendor == "postgresql"


def test_amendment_adds_a_version_and_keeps_the_old_one(licence, qazvin_officer, unit_rep):
    from hami.licensing.services.licences import licence_amend

    version = licence_amend(actor=qazvin_officer, licence=licence, reason="تغییر نام تجاری", brand="کیمیا نو")
    licence.refresh_from_db()
    assert licence.current == version and version.number == 2 and version.brand == "کیمیا نو"
    assert list(licence.versions.values_list("brand", flat=True)) == ["کیمیا", "کیمیا نو"]
    assert version.expires_on == licence.expires_on and licence.tracking_code
    with pytest.raises(Forbidden):
        licence_amend(actor=unit_rep, licence=licence, reason="x", brand="y")
    with pytest.raises(HamiError):
        licence_amend(actor=qazvin_officer, licence=licence, reason="x", brand="کیمیا نو")  # nothing changes
    with pytest.raises(HamiError):
        licence_amend(actor=qazvin_officer, licence=licence, reason=" ", brand="z")
    assert licence.versions.count() == 2
