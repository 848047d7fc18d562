"""Demo outreach: the province's training season, its consultation clinics and its working groups.

Written in bulk like the rest of the demo, by the rules the services keep:
- every QC manager's competence certificate comes from a QC competence session the week it was issued,
  so the number the registry holds verifies on the public page and licensing reads a real expiry;
- a session never holds more people than its capacity; the rest wait in order of registration;
- past sessions are completed, with attendance, and certificates only for those who attended;
- a slot is booked at most once; past bookings are held (with the advisor's notes and, mostly, the
  unit's rating) or missed; referrals come from the failed test reports of the last four months;
- a working group's action items and proposals belong to its members, each proposal with its steps.

Dates derive from today's date and the seeded generator, so the same seed gives the same rows.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from hami.core.audit import Change, audit_many
from hami.core.calendar import add_months
from hami.core.identifiers import make_national_code
from hami.core.models import EventType, Notification, Province, Role, User
from hami.demo import vocab
from hami.demo.history import backdate
from hami.labs.decision import Conformity
from hami.labs.models import Lab, LabMembership, TestReport
from hami.licensing.tracking import verhoeff_check_digit
from hami.outreach import selectors
from hami.outreach.models import (
    ActionItem,
    ActionState,
    Advisor,
    AdvisorKind,
    Booking,
    BookingStatus,
    Certificate,
    Course,
    CourseKind,
    CourseSession,
    Meeting,
    MeetingStatus,
    Member,
    MemberKind,
    MemberRole,
    Mode,
    Proposal,
    ProposalKind,
    ProposalState,
    ProposalStep,
    Referral,
    ReferralSource,
    ReferralStatus,
    Registration,
    RegistrationStatus,
    SessionStatus,
    Slot,
    SlotStatus,
    Topic,
    WorkingGroup,
)
from hami.registry.models import ProductionUnit, QCManager
from hami.standards.models import ProductCategory, Requirement

VENUE_FA = "قزوین، بلوار نوروزیان، اداره کل استاندارد استان، سالن آموزش"
ADVISOR_NOTES_FA = [
    "روش نمونه‌برداری داخلی و ثبت سوابق کنترل کیفیت مرور شد؛ فرم جدید پیشنهاد شد.",
    "علت عدم انطباق بررسی شد: کالیبراسیون ترازوی خط تولید منقضی بود. برنامه کالیبراسیون تنظیم شد.",
    "الزامات برچسب‌گذاری مطابق استاندارد مرور و نمونه برچسب اصلاح‌شده تأیید شد.",
    "برای آزمون‌های روزانه، تجهیزات حداقلی آزمایشگاه کارخانه فهرست شد.",
    "مستندات پرونده تمدید پروانه مرور و کمبودها به واحد اعلام شد.",
]
MINUTES_FA = [
    "گزارش پیشرفت اقدامات جلسه قبل ارائه شد. مقرر شد دبیرخانه فهرست آزمون‌های بدون آزمایشگاه را به روز کند.",
    "مشکلات واحدها در تأمین مواد اولیه منطبق بحث شد. پیشنهاد برگزاری دوره آموزشی مشترک تصویب شد.",
    "نتایج نمونه‌برداری فصل گذشته مرور شد؛ واحدهای دارای عدم انطباق به کلینیک مشاوره ارجاع شدند.",
]
RATING_COMMENTS_FA = ["بسیار مفید بود.", "راهکارهای عملی داشت.", "زمان جلسه کوتاه بود.", ""]


@dataclass
class OutreachFigures:
    courses: int = 0
    sessions: int = 0
    registrations: int = 0
    certificates: int = 0
    advisors: int = 0
    slots: int = 0
    bookings: int = 0
    referrals: int = 0
    groups: int = 0
    meetings: int = 0
    actions: int = 0
    proposals: int = 0


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _certificate_code(rng: random.Random, taken: set[str]) -> str:
    """12 digits, the last a Verhoeff check digit, like the service makes them."""
    while True:
        body = f"{rng.randrange(1, 10)}{rng.randrange(10**10):010d}"
        code = body + str(verhoeff_check_digit(body))
        if code not in taken:
            taken.add(code)
            return code


def build_outreach(
    *, rng: random.Random, admin: User, province: Province, labs: list[Lab], producer_unit: ProductionUnit
) -> OutreachFigures:
    """Training, clinics and working groups of the demo province, with their audit events."""
    officer = User.objects.get(username="officer")
    figures = OutreachFigures()
    changes: dict[User, list[Change]] = defaultdict(list)
    units = list(
        ProductionUnit.objects.filter(province=province, products__isnull=False)
        .distinct()
        .select_related("province")
        .order_by("pk")
    )
    topics = _topics(rng, province, units)
    courses = _courses(topics, admin, changes)
    figures.courses = len(courses)
    taken_codes: set[str] = set()
    _qc_history(rng, province, officer, courses["qc-competence"], taken_codes, figures, changes)
    _season(rng, province, officer, courses, units, producer_unit, taken_codes, figures, changes)
    advisors = _advisors(rng, province, labs, topics, figures, changes, admin)
    _clinics(rng, province, advisors, units, producer_unit, topics, figures, changes)
    _groups(rng, province, officer, advisors, units, labs, producer_unit, figures, changes)
    for actor, actor_changes in changes.items():
        audit_many(actor=actor, changes=actor_changes)
    return figures


def _topics(rng, province, units) -> dict[str, Topic]:
    topics = {t.code: t for t in Topic.objects.all()}
    # A topic for each of the six categories the province's units make most, linking its standards.
    counts = defaultdict(int)
    for category_id in ProductionUnit.objects.filter(pk__in=[u.pk for u in units]).values_list(
        "products__category_id", flat=True
    ):
        counts[category_id] += 1
    top = sorted(counts, key=lambda c: (-counts[c], c))[:6]
    for category in ProductCategory.objects.filter(pk__in=top).prefetch_related("standards").order_by("pk"):
        topic = Topic.objects.create(
            code=f"category-{category.code}"[:60],
            name_fa=f"الزامات و کنترل کیفیت {category.name_fa}",
            name_en=f"Requirements and quality control of {category.name_en or category.code}",
        )
        topic.categories.add(category)
        topic.standards.add(*category.standards.all())
        topics[topic.code] = topic
    return topics


def _courses(topics, admin, changes) -> dict[str, Course]:
    qc = topics["quality-control"]
    rows = [
        (
            "qc-competence",
            "دوره تعیین صلاحیت مسئولان کنترل کیفیت",
            "QC manager competence",
            CourseKind.QC_COMPETENCE,
            qc,
            40,
            36,
        ),
        (
            "qc-renewal",
            "بازآموزی و تمدید صلاحیت مسئولان کنترل کیفیت",
            "QC manager competence renewal",
            CourseKind.QC_RENEWAL,
            qc,
            16,
            36,
        ),
        (
            "lab-17025",
            "الزامات ISO/IEC 17025 برای آزمایشگاه کارخانه",
            "ISO/IEC 17025 for the factory lab",
            CourseKind.LAB_PRACTICE,
            topics["testing"],
            24,
            None,
        ),
        (
            "labelling",
            "نشانه‌گذاری و برچسب‌گذاری فرآورده‌ها",
            "Marking and labelling of products",
            CourseKind.GENERAL,
            topics["labelling"],
            8,
            None,
        ),
        (
            "sampling-2859",
            "نمونه‌برداری پذیرش بر اساس ISO 2859-1",
            "Acceptance sampling by ISO 2859-1",
            CourseKind.LAB_PRACTICE,
            topics["testing"],
            12,
            None,
        ),
    ]
    for topic in (t for c, t in topics.items() if c.startswith("category-")):
        standard = topic.standards.order_by("number").first()
        if standard is None:
            continue
        rows.append(
            (
                f"standard-{standard.number}",
                f"الزامات استاندارد ملی {standard.number}: {standard.title_fa}"[:300],
                f"The requirements of INSO {standard.number}",
                CourseKind.STANDARD,
                topic,
                16,
                None,
            )
        )
    courses = {}
    for code, title_fa, title_en, kind, topic, hours, months in rows:
        course = Course.objects.create(
            code=code[:40],
            title_fa=title_fa,
            title_en=title_en,
            kind=kind,
            topic=topic,
            hours=hours,
            certificate_months=months,
        )
        courses[code] = course
        changes[admin].append(Change(EventType.COURSE_SAVED, obj=course, details={"code": course.code}))
    return courses


def _qc_history(rng, province, officer, course, taken_codes, figures, changes) -> None:
    """The certificates the province's QC managers hold, each from the week's QC competence session."""
    managers = list(
        QCManager.objects.filter(unit__province=province, is_active=True)
        .select_related("unit")
        .order_by("pk")
    )
    by_week: dict[dt.date, list[QCManager]] = defaultdict(list)
    for manager in managers:
        issued = add_months(manager.certificate_expiry, -36)
        by_week[issued - dt.timedelta(days=(issued.weekday() - 5) % 7)].append(manager)  # the Saturday before
    sessions = []
    for saturday in sorted(by_week):
        people = by_week[saturday]
        sessions.append(
            CourseSession(
                course=course,
                province=province,
                mode=Mode.IN_PERSON,
                venue=VENUE_FA,
                starts_at=_at(saturday - dt.timedelta(days=4), 8),
                ends_at=_at(saturday - dt.timedelta(days=2), 16),
                capacity=max(30, len(people)),
                trainer=f"{rng.choice(vocab.PERSON_FIRST_FA)} {rng.choice(vocab.PERSON_LAST_FA)}",
                status=SessionStatus.COMPLETED,
            )
        )
    CourseSession.objects.bulk_create(sessions, batch_size=500)
    registrations, certificates = [], []
    for session, saturday in zip(sessions, sorted(by_week), strict=True):
        for manager in by_week[saturday]:
            registration = Registration(
                session=session,
                unit=manager.unit,
                full_name=manager.full_name,
                national_code=manager.national_code,
                registered_by=officer,
                status=RegistrationStatus.ATTENDED,
            )
            registrations.append(registration)
            manager.certificate_number = _certificate_code(rng, taken_codes)
            certificates.append(
                Certificate(
                    code=manager.certificate_number,
                    registration=registration,
                    course=course,
                    unit=manager.unit,
                    full_name=manager.full_name,
                    national_code=manager.national_code,
                    issued_on=session.ends_at.date(),
                    expires_on=manager.certificate_expiry,
                )
            )
    Registration.objects.bulk_create(registrations, batch_size=1000)
    for certificate in certificates:
        certificate.registration_id = certificate.registration.pk
    Certificate.objects.bulk_create(certificates, batch_size=1000)
    QCManager.objects.bulk_update(managers, ["certificate_number"], batch_size=1000)
    backdate(Registration, [(r.session.starts_at - dt.timedelta(days=14), r.pk) for r in registrations])
    figures.sessions += len(sessions)
    figures.registrations += len(registrations)
    figures.certificates += len(certificates)
    changes[officer].extend(
        Change(EventType.CERTIFICATE_ISSUED, obj=c, province=province, details={"code": c.code})
        for c in certificates
    )


def _season(rng, province, officer, courses, units, producer_unit, taken_codes, figures, changes) -> None:
    """This season's sessions: six weeks back (completed) to ten weeks ahead (open, some full)."""
    plan = []
    this_monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    for week in range(-6, 11):
        monday = this_monday + dt.timedelta(weeks=week)
        # Every other week a QC course (competence, then renewal), the other weeks the rest in turn.
        others = [code for code in courses if not code.startswith("qc-")]
        # A renewal is open only to holders of a QC certificate; the coming ones take the QC managers whose
        # certificate runs out soonest (the past weeks hold competence courses instead).
        if week % 2 == 0:
            course = courses["qc-competence" if week % 4 == 0 or week < 0 else "qc-renewal"]
        else:
            course = courses[others[(week + 7) // 2 % len(others)]]
        online = week % 4 == 1
        day = monday + dt.timedelta(days=rng.choice([0, 1, 5]))  # Monday, Tuesday or Saturday
        capacity = rng.choice([12, 20, 25, 30])
        plan.append((course, day, online, capacity, week))
    season_people = [u for u in units if u.pk != producer_unit.pk]
    renewing = iter(
        QCManager.objects.filter(unit__province=province, is_active=True)
        .exclude(unit=producer_unit)
        .select_related("unit")
        .order_by("certificate_expiry", "pk")
    )
    registrations, certificates = [], []
    for course, day, online, capacity, week in plan:
        past = day < timezone.localdate()
        session = CourseSession.objects.create(
            course=course,
            province=province,
            mode=Mode.ONLINE if online else Mode.IN_PERSON,
            venue="" if online else VENUE_FA,
            link="https://meet.example.ir/hami-training" if online else "",
            starts_at=_at(day, 9),
            ends_at=_at(day + dt.timedelta(days=max(0, course.hours // 8 - 1)), 15),
            capacity=capacity,
            trainer=f"{rng.choice(vocab.PERSON_FIRST_FA)} {rng.choice(vocab.PERSON_LAST_FA)}",
            status=SessionStatus.COMPLETED if past else SessionStatus.SCHEDULED,
        )
        figures.sessions += 1
        changes[officer].append(
            Change(
                EventType.SESSION_SCHEDULED, obj=session, province=province, details={"course": course.code}
            )
        )
        # Past sessions filled up; upcoming ones fill as their date nears, a few over capacity (a waitlist).
        wanted = (
            capacity + rng.randrange(1, 5)
            if (past or week <= 2) and rng.random() < 0.5
            else rng.randrange(capacity // 3, capacity + 1)
        )
        if course.kind == CourseKind.QC_RENEWAL:
            managers = [manager for manager, _ in zip(renewing, range(wanted), strict=False)]
            people = [m.unit for m in managers]
        else:
            managers = []
            people = rng.sample(season_people, min(wanted, len(season_people)))
            if week in (1, 3) or (past and week == -2):
                people = [producer_unit, *people[:-1]]
        for position, unit in enumerate(people):
            holds = position < capacity
            if past:
                status = rng.choices([RegistrationStatus.ATTENDED, RegistrationStatus.ABSENT], [9, 1])[0]
                status = status if holds else RegistrationStatus.CANCELLED
            else:
                status = RegistrationStatus.REGISTERED if holds else RegistrationStatus.WAITLISTED
            national = f"{rng.randrange(1, 10**9):09d}"
            registration = Registration(
                session=session,
                unit=unit,
                full_name=f"{rng.choice(vocab.PERSON_FIRST_FA)} {rng.choice(vocab.PERSON_LAST_FA)}",
                national_code=make_national_code(national),
                registered_by=officer,
                status=status,
            )
            if managers:
                registration.full_name = managers[position].full_name
                registration.national_code = managers[position].national_code
            registrations.append(registration)
            if past and status == RegistrationStatus.ATTENDED:
                months = course.certificate_months
                issued = session.ends_at.date()
                certificates.append(
                    Certificate(
                        code=_certificate_code(rng, taken_codes),
                        registration=registration,
                        course=course,
                        unit=unit,
                        full_name=registration.full_name,
                        national_code=registration.national_code,
                        issued_on=issued,
                        expires_on=add_months(issued, months) if months else None,
                    )
                )
    Registration.objects.bulk_create(registrations, batch_size=1000)
    for certificate in certificates:
        certificate.registration_id = certificate.registration.pk
    Certificate.objects.bulk_create(certificates, batch_size=1000)
    figures.registrations += len(registrations)
    figures.certificates += len(certificates)
    changes[officer].extend(
        Change(EventType.REGISTRATION_CREATED, obj=r, province=province, details={"status": r.status})
        for r in registrations
    )
    changes[officer].extend(
        Change(EventType.CERTIFICATE_ISSUED, obj=c, province=province, details={"code": c.code})
        for c in certificates
    )


def _advisors(rng, province, labs, topics, figures, changes, admin) -> list[Advisor]:
    from hami.demo.builder import DEMO_PASSWORD

    category_topics = [t for c, t in topics.items() if c.startswith("category-")]
    people = [
        ("advisor", Role.ADVISOR, AdvisorKind.PRIVATE_CONSULTANT, "فرهاد", "صالحی", None),
        ("consultant-2", Role.ADVISOR, AdvisorKind.PRIVATE_CONSULTANT, "لیلا", "جعفری", None),
        ("expert-1", Role.OFFICE_STAFF, AdvisorKind.OFFICE_EXPERT, "محمد", "قاسمی", None),
        ("expert-2", Role.OFFICE_STAFF, AdvisorKind.OFFICE_EXPERT, "زهرا", "اکبری", None),
        ("lab-expert", Role.LAB_STAFF, AdvisorKind.LAB_EXPERT, "امیر", "رحیمی", labs[1]),
    ]
    advisors = []
    for index, (username, role, kind, first, last, lab) in enumerate(people):
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            first_name=first,
            last_name=last,
            province=province if role == Role.OFFICE_STAFF else None,
        )
        if lab is not None:
            LabMembership.objects.create(user=user, lab=lab)
        advisor = Advisor.objects.create(
            user=user,
            kind=kind,
            display_name=f"{first} {last}",
            province=province,
            lab=lab,
            bio="مشاور کنترل کیفیت و استقرار استاندارد با بیش از ده سال سابقه در صنایع استان.",
        )
        general = [topics["quality-control"], topics["testing"] if lab else topics["labelling"]]
        advisor.topics.add(*general, *category_topics[index :: len(people)])
        advisors.append(advisor)
        changes[admin].append(Change(EventType.ADVISOR_SAVED, obj=advisor, province=province))
    figures.advisors = len(advisors)
    return advisors


def _clinics(rng, province, advisors, units, producer_unit, topics, figures, changes) -> None:
    """Four weeks back and four ahead of each advisor's slots; bookings and referrals."""
    now = timezone.now()
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    slots = []
    for advisor in advisors:
        advisor_topics = list(advisor.topics.order_by("pk"))
        for week in range(-4, 5):
            for weekday, hour in ((5, 9), (0, 10), (2, 14)):
                day = monday + dt.timedelta(weeks=week, days=weekday)
                start = _at(day, hour)
                published = start - dt.timedelta(days=rng.randrange(5, 20))
                slots.append(
                    Slot(
                        advisor=advisor,
                        topic=rng.choice(advisor_topics),
                        province=province,
                        starts_at=start,
                        ends_at=start + dt.timedelta(minutes=45),
                        mode=Mode.ONLINE if hour == 14 else Mode.IN_PERSON,
                        venue="" if hour == 14 else VENUE_FA,
                        link="https://meet.example.ir/hami-clinic" if hour == 14 else "",
                        priority_until=min(start, published + dt.timedelta(hours=48)),
                    )
                )
    Slot.objects.bulk_create(slots, batch_size=1000)
    figures.slots = len(slots)

    # Referrals: one per failed report of the last four months (the latest version of each).
    since = now - dt.timedelta(days=120)
    reports = (
        TestReport.objects.filter(
            issued_at__gte=since,
            conformity__in=[Conformity.DOES_NOT_CONFORM, Conformity.NOT_DEMONSTRATED],
            amended_by__isnull=True,
            order__sample__unit__province=province,
        )
        .select_related("order__sample__unit", "order__sample__product", "order__sample__standard")
        .order_by("issued_at", "pk")
    )
    # The topic by the referral service's rule: the standard's, else the category's, else the fallback.
    reports = list(reports)
    by_standard, by_category = selectors.topic_maps(
        {r.order.sample.standard_id for r in reports}, {r.order.sample.product.category_id for r in reports}
    )
    referrals = []
    for report in reports:
        sample = report.order.sample
        referrals.append(
            Referral(
                unit=sample.unit,
                topic_id=by_standard.get(sample.standard_id)
                or by_category.get(sample.product.category_id)
                or topics["quality-control"].pk,
                source=ReferralSource.TEST_REPORT,
                source_ref=report.number,
                reason=f"گزارش {report.number} (استاندارد {sample.standard.number}) انطباق را نشان نداد.",
            )
        )
        referrals[-1].demo_at = report.issued_at
    # The producer always has one open referral, from the office, to see the flow from its side.
    referrals.append(
        Referral(
            unit=producer_unit,
            topic=topics["labelling"],
            source=ReferralSource.OFFICE,
            source_ref="demo-1",
            reason="در بازدید اخیر برچسب محصول با الزامات مغایرت داشت؛ یک جلسه مشاوره پیشنهاد می‌شود.",
        )
    )
    referrals[-1].demo_at = now - dt.timedelta(days=3)
    Referral.objects.bulk_create(referrals, batch_size=1000)
    backdate(Referral, [(r.demo_at, r.pk) for r in referrals])
    figures.referrals = len(referrals)

    # Bookings: referrals first (on a slot of their topic after they were made), then other units.
    free = defaultdict(list)
    for slot in slots:
        free[slot.topic_id].append(slot)
    reps = dict(
        ProductionUnit.objects.filter(memberships__isnull=False).values_list("pk", "memberships__user_id")
    )
    fallback = User.objects.get(username="officer")

    def officer_or_rep(unit):
        return User(pk=reps[unit.pk]) if unit.pk in reps else fallback

    bookings, touched_slots, touched_referrals = [], [], []
    booked_ids = set()

    def book(slot, unit, referral=None, question=""):
        past = slot.starts_at < now
        # The demo consultant's sessions of the last four days still wait for its notes.
        if past and slot.advisor_id == advisors[0].pk and slot.starts_at > now - dt.timedelta(days=4):
            status = BookingStatus.BOOKED
        elif past:
            status = rng.choices([BookingStatus.HELD, BookingStatus.NO_SHOW], [9, 1])[0]
        else:
            status = BookingStatus.BOOKED
        booking = Booking(
            slot=slot,
            unit=unit,
            booked_by=officer_or_rep(unit),
            question=question,
            status=status,
            referral=referral,
            advisor_notes=rng.choice(ADVISOR_NOTES_FA) if status == BookingStatus.HELD else "",
            rating=rng.choice([3, 4, 4, 5, 5])
            if status == BookingStatus.HELD and rng.random() < 0.8
            else None,
        )
        if booking.rating:
            booking.rating_comment = rng.choice(RATING_COMMENTS_FA)
        slot.status = SlotStatus.BOOKED if status == BookingStatus.BOOKED else SlotStatus.HELD
        booked_ids.add(id(slot))
        touched_slots.append(slot)
        bookings.append(booking)
        if referral is not None:
            referral.status = (
                ReferralStatus.COMPLETED
                if status == BookingStatus.HELD
                else (ReferralStatus.BOOKED if status == BookingStatus.BOOKED else ReferralStatus.OPEN)
            )
            touched_referrals.append(referral)

    for referral in referrals:
        if referral.source == ReferralSource.OFFICE or rng.random() < 0.35:
            continue  # left open: some units do not book
        options = [
            s for s in free[referral.topic_id] if id(s) not in booked_ids and s.starts_at > referral.demo_at
        ]
        if options:
            book(options[0], referral.unit, referral, "علت عدم انطباق و اقدام اصلاحی مناسب")
    others = [u for u in units if u.pk != producer_unit.pk]
    for slot in slots:
        if id(slot) in booked_ids or rng.random() < 0.45:
            continue
        if slot.starts_at > now and slot.priority_until and slot.priority_until > now:
            continue  # still reserved for units with priority
        book(slot, rng.choice(others), None, rng.choice(["راه‌اندازی آزمایشگاه کارخانه", "تمدید پروانه", ""]))
    upcoming = [s for s in slots if s.starts_at > now + dt.timedelta(days=2) and id(s) not in booked_ids]
    if upcoming:
        book(upcoming[0], producer_unit, None, "آماده‌سازی برای ممیزی تمدید پروانه")
    Slot.objects.bulk_update(touched_slots, ["status"], batch_size=1000)
    Referral.objects.bulk_update(touched_referrals, ["status"], batch_size=1000)
    Booking.objects.bulk_create(bookings, batch_size=1000)
    backdate(Booking, [(b.slot.starts_at - dt.timedelta(days=rng.randrange(1, 6)), b.pk) for b in bookings])
    figures.bookings = len(bookings)
    for referral in referrals:
        changes[fallback].append(
            Change(
                EventType.REFERRAL_CREATED,
                obj=referral,
                province=province,
                details={"source": referral.source},
            )
        )
    for booking in bookings:
        changes[fallback].append(Change(EventType.BOOKING_CREATED, obj=booking, province=province))
    if producer_unit.pk in reps:
        rep = User.objects.get(pk=reps[producer_unit.pk])
        Notification.objects.create(
            user=rep,
            subject="ارجاع به کلینیک مشاوره",
            body="واحد شما برای یک جلسه مشاوره درباره نشانه‌گذاری و برچسب‌گذاری ارجاع شده است.",
            link="/outreach/clinics/referrals/",
        )


def _groups(rng, province, officer, advisors, units, labs, producer_unit, figures, changes) -> None:
    """Three sector groups with members, meetings, action items and proposals."""
    today = timezone.localdate()
    isic_counts = defaultdict(list)
    for unit in units:
        if unit.isic:
            isic_counts[unit.isic[:2]].append(unit)
    sectors = sorted(isic_counts, key=lambda s: (-len(isic_counts[s]), s))[:3]
    gaps = list(
        Requirement.objects.filter(standard__is_mandatory=True, scope_lines__isnull=True)
        .select_related("standard")
        .order_by("pk")[:3]
    )
    consultant = advisors[0].user
    for index, sector in enumerate(sectors):
        group = WorkingGroup.objects.create(
            name_fa=f"کارگروه ویژه صنایع بخش {sector} استان قزوین",
            name_en=f"Special working group of ISIC division {sector}, Qazvin",
            isic=sector,
            province=province,
            purpose="هم‌اندیشی واحدها، آزمایشگاه‌ها و اداره کل برای رفع موانع اجرای استانداردهای اجباری.",
        )
        figures.groups += 1
        changes[officer].append(Change(EventType.GROUP_SAVED, obj=group, province=province))
        sector_units = isic_counts[sector][:8]
        if index == 0 and producer_unit not in sector_units:
            sector_units = [producer_unit, *sector_units[:7]]
        members = [
            Member(
                group=group,
                kind=MemberKind.OFFICE,
                user=officer,
                role=MemberRole.SECRETARY,
                display_name=officer.get_full_name(),
            ),
            Member(
                group=group,
                kind=MemberKind.EXPERT,
                user=consultant,
                role=MemberRole.MEMBER,
                display_name=consultant.get_full_name(),
            ),
        ]
        for position, unit in enumerate(sector_units):
            members.append(
                Member(
                    group=group,
                    kind=MemberKind.UNIT,
                    unit=unit,
                    display_name=unit.name_fa,
                    role=MemberRole.CHAIR if position == 0 else MemberRole.MEMBER,
                )
            )
        for lab in labs[index * 2 : index * 2 + 2]:
            members.append(Member(group=group, kind=MemberKind.LAB, lab=lab, display_name=lab.name_fa))
        Member.objects.bulk_create(members)
        changes[officer].extend(
            Change(
                EventType.GROUP_MEMBER_CHANGED,
                obj=group,
                province=province,
                details={"added": m.display_name},
            )
            for m in members
        )
        meetings = []
        for months_back in (3, 2, 1):
            meeting = Meeting.objects.create(
                group=group,
                starts_at=_at(today - dt.timedelta(days=30 * months_back + index), 10),
                venue=VENUE_FA,
                agenda="۱. گزارش اقدامات جلسه قبل\n۲. مسائل واحدها در اجرای استانداردها\n۳. پیشنهادها",
                minutes=rng.choice(MINUTES_FA),
                status=MeetingStatus.HELD,
            )
            meeting.attendees.add(*[m for m in members if rng.random() < 0.75])
            meetings.append(meeting)
        upcoming = Meeting.objects.create(
            group=group,
            starts_at=_at(today + dt.timedelta(days=10 + index), 10),
            mode=Mode.ONLINE,
            link="https://meet.example.ir/hami-group",
            agenda="۱. مرور پیشنهادها\n۲. برنامه آموزشی فصل آینده",
        )
        figures.meetings += 4
        changes[officer].extend(
            Change(EventType.MEETING_SAVED, obj=m, province=province) for m in [*meetings, upcoming]
        )
        actions = []
        titles = [
            "تهیه فهرست آزمون‌هایی که در استان آزمایشگاه ندارند",
            "برگزاری دوره مشترک نمونه‌برداری",
            "پیگیری تأمین مواد اولیه منطبق",
            "ارائه گزارش عدم انطباق‌های پرتکرار",
            "تهیه راهنمای برچسب‌گذاری بخش",
            "معرفی آزمایشگاه برای آزمون مهارت",
        ]
        owners = [m for m in members if m.kind in (MemberKind.UNIT, MemberKind.LAB, MemberKind.OFFICE)]
        for position, title in enumerate(titles):
            meeting = meetings[position % len(meetings)]
            due = meeting.starts_at.date() + dt.timedelta(days=rng.choice([20, 30, 45, 90]))
            state = rng.choice([ActionState.DONE, ActionState.OPEN, ActionState.IN_PROGRESS])
            if due < today and state == ActionState.OPEN and position % 2:
                state = ActionState.DONE
            actions.append(
                ActionItem(
                    group=group,
                    meeting=meeting,
                    title=title,
                    owner=owners[position % len(owners)],
                    due_on=due,
                    state=state,
                    done_on=min(due, today) if state == ActionState.DONE else None,
                )
            )
        ActionItem.objects.bulk_create(actions)
        figures.actions += len(actions)
        changes[officer].extend(
            Change(EventType.ACTION_ITEM_SAVED, obj=a, province=province) for a in actions
        )
        proposals = []
        gap = gaps[index] if index < len(gaps) else None
        plans = [
            (
                ProposalKind.TEST_CAPABILITY,
                f"راه‌اندازی آزمون «{gap.title_fa}» (استاندارد {gap.standard.number})"
                if gap
                else "راه‌اندازی آزمون جدید",
                "هیچ آزمایشگاهی در کشور این آزمون را در دامنه ندارد؛ نمونه‌ها به خارج فرستاده می‌شوند.",
                [ProposalState.UNDER_REVIEW, ProposalState.ACCEPTED],
                gap.standard if gap else None,
            ),
            (
                ProposalKind.TRAINING_NEED,
                "دوره تخصصی کنترل فرایند آماری برای مسئولان کنترل کیفیت",
                "بیشتر عدم انطباق‌ها از نوسان فرایند است؛ آموزش SPC پیشنهاد می‌شود.",
                [ProposalState.UNDER_REVIEW, ProposalState.ACCEPTED, ProposalState.IMPLEMENTED],
                None,
            ),
            (
                ProposalKind.STANDARD_CHANGE,
                "بازنگری حدود مجاز برچسب‌گذاری برای بسته‌های کوچک",
                "الزام درج همه اطلاعات روی بسته‌های کمتر از ۱۰ گرم عملی نیست.",
                [] if index else [ProposalState.UNDER_REVIEW, ProposalState.REJECTED],
                None,
            ),
        ]
        for kind, title, description, path, standard in plans:
            proposal = Proposal.objects.create(
                group=group,
                kind=kind,
                title=title,
                description=description,
                standard=standard,
                state=path[-1] if path else ProposalState.SUBMITTED,
                submitted_by=officer,
                outcome=(
                    "دوره در برنامه آموزشی فصل بعد گنجانده و برگزار شد."
                    if path[-1:] == [ProposalState.IMPLEMENTED]
                    else "کمیته فنی پیشنهاد را برای بازنگری آینده استاندارد ثبت کرد؛ فعلاً تغییر نمی‌کند."
                    if path[-1:] == [ProposalState.REJECTED]
                    else ""
                ),
            )
            steps = [
                ProposalStep(
                    proposal=proposal, state=ProposalState.SUBMITTED, actor=officer, note=description
                )
            ]
            steps += [
                ProposalStep(proposal=proposal, state=state, actor=officer, note=proposal.outcome or "")
                for state in path
            ]
            ProposalStep.objects.bulk_create(steps)
            proposals.append(proposal)
            changes[officer].append(
                Change(
                    EventType.PROPOSAL_MOVED,
                    obj=proposal,
                    province=province,
                    details={"state": proposal.state},
                )
            )
        figures.proposals += len(proposals)
