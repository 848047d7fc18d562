"""Office staff acting on one complaint or case at the same moment, on PostgreSQL with real parallel
transactions: the complaint is triaged once, a case closed once; everyone else gets a clear refusal.

Why this can fail: each thread has its own connection and all start together at a barrier. Without the
row lock on the complaint (select_for_update in complaint_triage) every thread would see no case yet;
the one-to-one on ComplaintCase.complaint then stops the second insert, which the service answers as
ALREADY_TRIAGED rather than a 500. For closing, without the case's row lock each thread would read OPEN
and all would "close" it, writing several audit events and notices."""

import pytest
from django.db import connection

from conftest import make_user
from hami.core.models import AuditEvent, County, EventType, Province, Role
from hami.labs.tests.steps import at_once
from hami.licensing.services.complaints import complaint_file
from hami.supervision.models import ComplaintCase, MarketCase
from hami.supervision.services.cases import complaint_triage, market_case_close, market_case_report_mark
from hami.supervision.tests.cases.conftest import unknown_code

THREADS = 6
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="parallel transactions need PostgreSQL"),
]


def _officers():
    load_divisions_once()
    qazvin = Province.objects.get(code="qazvin")
    return [make_user(f"officer-{n}", Role.OFFICE_STAFF, qazvin) for n in range(THREADS)]


def load_divisions_once():
    from hami.core.divisions import load_divisions

    if not Province.objects.exists():
        load_divisions(Province, County)


def test_officers_triaging_one_complaint_at_once_make_one_case():
    assert connection.vendor == "postgresql"
    officers = _officers()
    for n in range(3):  # three races: a lucky interleaving once would not hide a bug
        complaint = complaint_file(licence=None, tracking_code="", text=f"شکایت شماره {n} درباره کیفیت")
        complaint.province = officers[0].province
        complaint.save(update_fields=["province"])
        outcomes = at_once(
            *(
                lambda officer=officer, complaint=complaint: complaint_triage(
                    actor=officer, complaint=complaint, priority="normal"
                )
                for officer in officers
            )
        )
        assert sum(isinstance(o, ComplaintCase) for o in outcomes) == 1, outcomes
        assert sorted(o for o in outcomes if isinstance(o, str)) == ["already_triaged"] * (THREADS - 1)
        assert ComplaintCase.objects.filter(complaint=complaint).count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.COMPLAINT_TRIAGED).count() == 3


def test_officers_closing_one_case_at_once_close_it_once():
    officers = _officers()
    case = market_case_report_mark(
        actor=officers[0], tracking_code=unknown_code(), place="فروشگاه", product_description="چای",
        producer_name="تولیدی",
    )  # fmt: skip
    outcomes = at_once(
        *(
            lambda officer=officer: market_case_close(
                actor=officer, case=case, outcome="corrected", note="اصلاح شد"
            )
            for officer in officers
        )
    )
    assert sum(isinstance(o, MarketCase) for o in outcomes) == 1, outcomes
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["wrong_state"] * (THREADS - 1)
    assert AuditEvent.objects.filter(event_type=EventType.MARKET_CASE_SAVED).count() == 2  # opened, closed
