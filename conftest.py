"""Personas shared by every app's tests (after Healthchecks' alice/bob/charlie).

- `qazvin_officer`: office staff of Qazvin        - `tehran_officer`: office staff of Tehran
- `qazvin_inspector`: inspector of Qazvin         - `admin_user`: national admin
- `lab_user`: staff of a Qazvin lab               - `unit_rep`: representative of `qazvin_unit`
- `outsider`: signed in, no role
"""

import os
import shutil

import pytest
from django.utils import translation

from hami.core.models import County, Province, Role, User


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """PBKDF2's million rounds cost over half a second a user on the shared cores, and the suite makes
    thousands of users: tests need users, not strong hashes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str = "", province: Province | None = None) -> User:
    return User.objects.create_user(
        username=username, password="pass-1234-word", role=role, province=province
    )


@pytest.fixture
def qazvin(db) -> Province:
    return Province.objects.get(code="qazvin")


@pytest.fixture
def tehran(db) -> Province:
    return Province.objects.get(code="tehran")


@pytest.fixture
def qazvin_county(qazvin) -> County:
    return qazvin.counties.get(code="qazvin")


@pytest.fixture
def takestan(qazvin) -> County:
    return qazvin.counties.get(code="takestan")


@pytest.fixture
def tehran_county(tehran) -> County:
    return tehran.counties.get(code="tehran")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin", Role.NATIONAL_ADMIN)


@pytest.fixture
def qazvin_officer(qazvin) -> User:
    return make_user("qazvin-officer", Role.OFFICE_STAFF, qazvin)


@pytest.fixture
def tehran_officer(tehran) -> User:
    return make_user("tehran-officer", Role.OFFICE_STAFF, tehran)


@pytest.fixture
def qazvin_inspector(qazvin) -> User:
    return make_user("qazvin-inspector", Role.INSPECTOR, qazvin)


@pytest.fixture
def outsider(db) -> User:
    return make_user("outsider")


@pytest.fixture
def qazvin_unit(qazvin_officer, qazvin_county):
    from hami.registry.services import unit_create

    return unit_create(
        actor=qazvin_officer,
        national_id="10380284790",
        name_fa="صنایع غذایی کیمیا‌گستر البرز",
        name_en="Kimia Gostar Alborz Food Industries",
        county=qazvin_county,
        isic="1050",
    )


@pytest.fixture
def tehran_unit(tehran_officer, tehran_county):
    from hami.core.identifiers import make_legal_id
    from hami.registry.services import unit_create

    return unit_create(
        actor=tehran_officer,
        national_id=make_legal_id("1010012345"),
        name_fa="کارخانه سیمان تهران",
        name_en="Tehran Cement Factory",
        county=tehran_county,
        isic="2394",
    )


@pytest.fixture
def unit_rep(qazvin_unit, qazvin_officer) -> User:
    from hami.registry.services import unit_membership_add

    user = make_user("unit-rep", Role.UNIT_REP)
    unit_membership_add(actor=qazvin_officer, unit=qazvin_unit, user=user)
    return user


@pytest.fixture
def lab_user(qazvin_county) -> User:
    from hami.labs.models import Lab, LabMembership

    lab = Lab.objects.create(
        name_fa="آزمایشگاه همکار البرز", province=qazvin_county.province, county=qazvin_county
    )
    user = make_user("lab-user", Role.LAB_STAFF)
    LabMembership.objects.create(user=user, lab=lab)
    return user


@pytest.fixture
def in_english():
    """For tests that assert messages in English; the suite otherwise runs in Persian, the default."""
    with translation.override("en"):
        yield


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def chromium():
    """Debian's chromium driven by Playwright (never a browser Playwright downloads itself)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run 'make browser' (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls around it are still sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _end_live_server_sessions(django_db_setup, django_db_blocker):
    """The live server (session-wide) answers browser requests in threads of their own; a thread
    still holding a keep-alive connection at the end keeps its PostgreSQL session, which would stop
    the test database from being dropped. Once every test has run, end those sessions (not ours)."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
