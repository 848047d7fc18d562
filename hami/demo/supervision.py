"""Demo supervision (issue 6, point 11): a year of risk-based supervision in the demo province, so that the
risk tiers, the plans, the ladder and the coercive share mean something from the first start.

Written in bulk like the rest of the demo, not through the services, but by the rules they keep:
- the province's inspectors (the `inspector` login and six more) each usually cover two or three counties;
  every month of the last year and the current one has a published plan with the inspectors' available
  days, next month a draft for the office to review. Routine visits follow the unit's tier (serious
  monthly … low yearly, the instruction's intervals), overdue units first, grouped by county on an
  inspector's day, never more than the instruction's visits a day, never the same inspector twice in a
  row at a unit; a serious-tier unit's visits and a share of the others are unannounced. Every visit says
  why (`reasons` codes: tier, overdue, test_failures, open_findings, follow_up, complaint, market_case);
- past visits are done (a few cancelled) with the general checklist answered; about one in five has
  findings (critical rare, a few safety risks, repeats of an item found before), each corrected through
  corrective actions in every state: on time, late, overdue (escalated by the weekly overdue run),
  submitted, proposed, returned and proposed again, reopened;
- the ladder moves as hami/supervision/ladder.py allows: first rungs from findings, one rung up for a
  missed deadline (automatically, up to intensified sampling) or a repeated finding, one rung down after
  a clean period, straight to suspension with market withdrawal for a critical safety finding (the Marks
  Committee's suspension written on the licence, and its reinstatement on the way back). A warning gives
  the instruction's negative points, a missed deadline its own; a few units carry points from before the
  platform that have expired. A unit that missed a date keeps the next ones (the ladder deters), so few
  reach intensified sampling; coercive measures are fewer in the recent months than a year ago, as the
  plan intends;
- market cases for the failed market samples of the labs demo and for marks with invalid tracking codes;
  complaints from the public page and the office in every triage state, some upheld.

The weekly periodic runs (overdue escalation, stepping down) are taken to run on Saturdays at 01:00.
Dates derive from today's date and a generator seeded from the demo's, so the same seed gives the same
rows; nothing is dated today or later except visits still planned.
"""

import bisect
import datetime as dt
import heapq
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import jdatetime
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from hami.core import workdays
from hami.core.audit import Change, audit_many
from hami.core.calendar import holidays_for
from hami.core.jalali import format_date
from hami.core.models import EventType, Province, Role, User
from hami.core.month import month_bounds
from hami.core.persian import to_persian_digits
from hami.demo import vocab
from hami.demo.history import backdate
from hami.labs.decision import Conformity
from hami.labs.models import Sample, SampleOrigin, TestReport
from hami.licensing.models import (
    Complaint,
    Decision,
    DecisionKind,
    Licence,
    LicenceState,
    SanctionReason,
)
from hami.outreach import selectors as outreach_selectors
from hami.outreach.models import Referral, ReferralSource, ReferralStatus, Topic
from hami.registry.models import Product, ProductionUnit, Site, UnitMembership, UnitStatus
from hami.supervision import models as m
from hami.supervision.policy import default_policy

FAILED = (Conformity.DOES_NOT_CONFORM, Conformity.NOT_DEMONSTRATED)
TIERS = ("serious", "high", "medium", "low")  # highest first: the planner's order
# Shares of the supervised units in each tier (the top of the demo's own risk estimate).
TIER_SHARES = {"serious": 0.02, "high": 0.10, "medium": 0.30}
# Chance that a routine visit finds something, by tier (about one visit in five overall).
FINDING_CHANCE = {"serious": 0.45, "high": 0.28, "medium": 0.14, "low": 0.06}
SEVERITY_WEIGHTS = {"minor": 45, "major": 51, "critical": 4}
CANCEL_CHANCE = 0.03
AVAILABLE_SHARE = 0.62  # of the working days an inspector is out on visits
SATURDAY = 5  # date.weekday(): the weekly runs' day
AUTOMATIC_UP_TO = m.Step.TIGHTENED  # ladder.AUTOMATIC_UP_TO: the overdue run climbs no higher
STEP_DOWN_AUTOMATIC = range(m.Step.ADVICE, m.Step.SUSPENSION)  # from suspension the office decides

# The inspectors: (username, first name, last name, counties they usually cover). The first is the login.
INSPECTORS = [
    ("inspector", None, None, ("qazvin", "alborz")),
    ("inspector-2", "سعید", "محمدی", ("qazvin", "takestan", "avaj")),
    ("inspector-3", "فاطمه", "کاظمی", ("alborz", "abyek")),
    ("inspector-4", "مجید", "صادقی", ("qazvin", "buin-zahra")),
    ("inspector-5", "الهام", "نجفی", ("alborz", "qazvin")),
    ("inspector-6", "حمید", "یوسفی", ("abyek", "buin-zahra", "alborz")),
    ("inspector-7", "کامران", "شریفی", ("takestan", "avaj", "qazvin")),
]

TIER_FA = {"low": "پایین", "medium": "متوسط", "high": "بالا", "serious": "جدی"}
FINDING_TEXTS_FA = {
    "qc-manager-present": [
        "مسئول کنترل کیفیت در زمان بازرسی در واحد حضور نداشت و جانشینی هم معرفی نشده بود.",
        "مسئول کنترل کیفیت تنها دو روز در هفته در کارخانه است؛ آزمون‌های روزهای دیگر بی‌نظارت انجام می‌شود.",
    ],
    "qc-manager-certificate": [
        "گواهی صلاحیت مسئول کنترل کیفیت منقضی شده و برای تمدید آن اقدامی نشده است.",
        "فرد حاضر به‌عنوان مسئول کنترل کیفیت با فرد ثبت‌شده در سامانه یکی نیست.",
    ],
    "production-records": [
        "شماره بهر و تاریخ تولید سه روز اخیر در دفتر تولید ثبت نشده است.",
        "مقدار تولید ثبت‌شده با موجودی انبار همخوانی ندارد.",
    ],
    "test-records": [
        "سوابق آزمون‌های کنترل کیفیت ماه گذشته در دسترس نبود.",
        "نتایج آزمون‌ها بدون تاریخ و امضای مسئول کنترل کیفیت ثبت شده است.",
    ],
    "test-frequency": [
        "آزمون‌های روزانه طرح کنترل کیفیت هفته‌ای یک بار انجام می‌شود.",
        "آزمون دوره‌ای شش‌ماهه در موعد خود انجام نشده است.",
    ],
    "calibration": [
        "گواهی کالیبراسیون ترازوی آزمایشگاه کارخانه منقضی شده است.",
        "دماسنج آون آزمایشگاه برچسب و گواهی کالیبراسیون ندارد.",
    ],
    "raw-materials": [
        "مواد اولیه بی‌گواهی انطباق تأمین‌کننده و بی‌آزمون ورودی مصرف می‌شود.",
        "سوابق کنترل ورودی دو محموله اخیر مواد اولیه موجود نیست.",
    ],
    "mark-use": [
        "یک کد رهگیری روی چند بسته با شماره بهرهای متفاوت درج شده است.",
        "علامت استاندارد روی بسته‌بندی محصولی درج شده که پروانه آن به نام خط تولید دیگری است.",
    ],
    "storage": [
        "محصول نهایی روی زمین و در معرض رطوبت انبار شده است.",
        "بسته‌های محصول نهایی بیش از ارتفاع مجاز روی هم چیده شده‌اند.",
    ],
    "nonconforming-product": [
        "محصول نامنطبق بهر قبلی جدا نشده و کنار محصول آماده ارسال نگهداری می‌شود.",
        "برای محصولات برگشتی از بازار سابقه تعیین تکلیف ثبت نشده است.",
    ],
    "complaints": [
        "دفتر ثبت شکایات مشتریان وجود ندارد.",
        "دو شکایت مشتری ثبت شده اما پیگیری آن‌ها مستند نشده است.",
    ],
    "labels": [
        "برچسب محصول شماره استاندارد ملی و تاریخ انقضا را ندارد.",
        "اطلاعات برچسب با مشخصات مندرج در پروانه مغایرت دارد.",
    ],
}
SAFETY_FINDING_FA = (
    "محصولات آماده ارسال در آزمون ایمنی کارخانه مردود شدند و بهرهای همان خط به بازار رفته است؛ "
    "خطر جدی برای مصرف‌کننده."
)
ACTION_TEXTS_FA = {
    "qc-manager-present": "تنظیم برنامه حضور تمام‌وقت مسئول کنترل کیفیت و معرفی جانشین آموزش‌دیده.",
    "qc-manager-certificate": "ثبت‌نام مسئول کنترل کیفیت در دوره بازآموزی و ارائه گواهی معتبر.",
    "production-records": "راه‌اندازی دفتر روزانه تولید با شماره بهر و آموزش سرپرستان شیفت.",
    "test-records": "ثبت روزانه نتایج آزمون در فرم جدید با امضای مسئول کنترل کیفیت.",
    "test-frequency": "بازنگری طرح کنترل کیفیت و انجام آزمون‌ها با تناوب استاندارد.",
    "calibration": "کالیبراسیون تجهیزات نزد آزمایشگاه مرجع و تدوین برنامه سالانه کالیبراسیون.",
    "raw-materials": "الزام گواهی انطباق از تأمین‌کنندگان و آزمون ورودی هر محموله.",
    "mark-use": "بازنگری روش چاپ کد رهگیری و جمع‌آوری بسته‌های دارای کد نادرست.",
    "storage": "جابه‌جایی محصول به قفسه‌بندی استاندارد و تعیین ارتفاع مجاز چیدمان.",
    "nonconforming-product": "ایجاد محل جداگانه برای محصول نامنطبق و ثبت تعیین تکلیف هر بهر.",
    "complaints": "راه‌اندازی دفتر ثبت و پیگیری شکایات مشتریان.",
    "labels": "اصلاح طرح برچسب مطابق بند نشانه‌گذاری استاندارد و امحای برچسب‌های قدیمی.",
}
ACTION_FALLBACK_FA = "رفع علت مغایرت، آموزش کارکنان مربوط و ارسال مستندات اصلاح."
EVIDENCE_NOTES_FA = [
    "مستندات اصلاح با امضای مدیر عامل و مسئول کنترل کیفیت بارگذاری شد.",
    "تصویر وضعیت اصلاح‌شده و صورت‌جلسه آموزش کارکنان ارسال شد.",
    "سوابق یک ماه اخیر پس از اصلاح ارسال شد.",
]
RETURN_NOTES_FA = [
    "اقدام پیشنهادی علت ریشه‌ای را برطرف نمی‌کند؛ برنامه پیشگیری از تکرار را هم بنویسید.",
    "اقدام پیشنهادی کلی است؛ کار مشخص، مسئول و تاریخ آن را بنویسید.",
]
REOPEN_NOTES_FA = [
    "مستندات ارسالی ناقص است؛ سوابق دو هفته پس از اصلاح هم لازم است.",
    "تصویر ارسالی مربوط به خط تولید دیگری است؛ مستند خط مورد نظر را بفرستید.",
]
CANCEL_REASONS_FA = [
    "واحد به دلیل توقف موقت تولید تعطیل بود.",
    "بازرس به مأموریت فوری دیگری اعزام شد.",
    "تعطیلی ادارات به دلیل آلودگی هوا.",
]
WITHDRAW_REASON_FA = "ثبت اشتباه: مورد مربوط به واحد مجاور در همان شهرک صنعتی بود."
COMPLAINT_TEXTS_FA = [
    ("نشتی از اتصال محصول پس از دو هفته مصرف؛ بوی گاز در منزل پیچیده است.", "urgent"),
    ("وزن خالص بسته کمتر از مقدار درج‌شده روی برچسب است.", "normal"),
    ("کد رهگیری روی بسته در سامانه استعلام نتیجه‌ای ندارد.", "normal"),
    ("رنگ محصول پس از یک هفته تغییر کرده و بوی نامطبوع دارد.", "normal"),
    ("تاریخ تولید روی بسته پاک شده و خوانا نیست.", "low"),
    ("روکش کابل پس از چند روز استفاده داغ شد و ذوب شد.", "urgent"),
    ("برچسب فارسی و نشانی تولیدکننده روی محصول نیست.", "low"),
    ("کیفیت محصول بسیار پایین‌تر از نمونه‌ای است که پیش‌تر خریده بودم.", "normal"),
]
OFFICE_COMPLAINT_TEXTS_FA = [
    ("گزارش تلفنی یک فروشگاه: بسته‌های این واحد بی‌برچسب استاندارد عرضه می‌شود.", "normal"),
    ("نامه اداره صنعت، معدن و تجارت شهرستان درباره عرضه محصول با کد رهگیری تکراری.", "normal"),
    ("مراجعه حضوری مصرف‌کننده: محصول در شرایط کار معمولی آسیب دید و خطرساز شد.", "urgent"),
]
COMPLAINT_OUTCOME_NOTES_FA = {
    "upheld": [
        "بازدید سرزده شکایت را تأیید کرد؛ یافته ثبت و اقدام اصلاحی از واحد خواسته شد.",
        "نمونه‌برداری از انبار واحد مغایرت گزارش‌شده را تأیید کرد.",
    ],
    "not_upheld": [
        "بازدید و بررسی سوابق بهر مورد نظر مغایرتی نشان نداد.",
        "محصول نمونه شاکی تقلبی بود و به این واحد ربطی نداشت.",
    ],
    "not_ours": ["موضوع شکایت قیمت‌گذاری است؛ به سازمان حمایت مصرف‌کنندگان ارجاع شد."],
}
CASE_NOTES_FA = {
    "corrected": "تولیدکننده بهر نامنطبق را از بازار جمع‌آوری و علت را برطرف کرد.",
    "withdrawn": "کالای نامنطبق از بازار جمع‌آوری و در انبار توقیف شد.",
    "referred": "پرونده استفاده غیرمجاز از علامت استاندارد به مرجع قضایی فرستاده شد.",
    "unfounded": "آزمون نمونه شاهد انطباق را نشان داد؛ پرونده بسته شد.",
}


@dataclass
class SupervisionFigures:
    inspectors: int = 0
    plans: int = 0
    visits: int = 0
    done: int = 0
    cancelled: int = 0
    planned: int = 0
    answers: int = 0
    findings: int = 0
    actions: int = 0
    overdue_actions: int = 0
    decisions: int = 0
    coercive: int = 0
    points: int = 0
    market_cases: int = 0
    complaints: int = 0
    complaint_cases: int = 0
    tightened_units: int = 0
    suspended_units: int = 0


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _fa(value) -> str:
    return to_persian_digits(str(value))


def _jdate(day: dt.date) -> str:
    return format_date(day, language="fa")


def _saturday_after(day: dt.date) -> dt.date:
    """The first Saturday strictly after `day`."""
    return day + dt.timedelta(days=(SATURDAY - day.weekday() - 1) % 7 + 1)


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT `rows` (values prepared for the database, in the order of `fields`) in one executemany."""
    if not rows:
        return
    meta = model._meta
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {meta.db_table} ({columns}) VALUES ({marks})", rows)


# ---------------------------------------------------------------- what the simulation keeps


@dataclass(eq=False)
class _Unit:
    unit: ProductionUnit
    county_id: int
    site_id: int | None
    hazard: int
    failures: int
    licences: list[dict]  # pk, state, tracking_code, standard_id, expires_on
    tier: str = "low"
    interval: int = 365
    chance: float = 0.07
    behaviour: str = "good"  # good, late or bad with corrective actions
    script: str = ""  # "", "safety_back" (suspended, then back), "safety_held", "troubled", "producer"
    routine: bool = True
    next_due: dt.date | None = None
    rep: User | None = None
    cap: int = AUTOMATIC_UP_TO
    findings: list = field(default_factory=list)  # _Finding, in date order
    forced: list = field(default_factory=list)  # what the next visits must find (scripts)

    @property
    def pk(self) -> int:
        return self.unit.pk

    def active_licence(self) -> int | None:
        return next((lic["pk"] for lic in self.licences if lic["state"] == LicenceState.ACTIVE), None)


@dataclass(eq=False)
class _Visit:
    unit: _Unit
    county_id: int
    inspector: User
    day: dt.date
    slot: int
    kind: str
    month: int | None  # the plan's month index for routine visits
    unannounced: bool
    reasons: list
    checks: list = field(default_factory=list)  # _Finding
    force: list = field(default_factory=list)  # (severity, item code or None, safety, text or None)
    repeat_items: list = field(default_factory=list)  # items a follow-up finds again
    complaint: object = None  # _Complaint
    state: str = m.InspectionState.PLANNED
    row: m.Inspection | None = None
    findings: list = field(default_factory=list)


@dataclass(eq=False)
class _Finding:
    visit: _Visit
    row: m.Finding
    at: dt.datetime
    repeat_of: object = None  # _Finding
    closed: dt.datetime | None = None  # verified (or withdrawn); None: open today
    withdrawn: bool = False
    actions: list = field(default_factory=list)  # m.CorrectiveAction rows, oldest first
    live: m.CorrectiveAction | None = None
    # (at, state) of the live action: to know what the weekly overdue run saw.
    timeline: list = field(default_factory=list)
    due: dt.date | None = None
    escalated: dt.datetime | None = None


@dataclass(eq=False)
class _Complaint:
    unit: _Unit
    licence_id: int | None
    channel: str
    filed: dt.datetime
    text: str
    priority: str
    tracking_code: str
    province_known: bool
    triaged: dt.datetime | None
    outcome: str  # what the investigation will conclude
    visit: _Visit | None = None
    contact: str = ""


class _Scheduler:
    """Inspectors' days: at most `per_day` visits a day, the same county on a day where possible, never the
    same inspector at a unit twice in a row (looking both ways in time), one visit a unit a day."""

    def __init__(self, inspectors, coverage, available, per_day):
        self.inspectors = inspectors
        self.coverage = coverage  # inspector pk → set of county ids
        self.available = available  # inspector pk → set of dates
        self.per_day = per_day
        self.load: dict[tuple[int, dt.date], int] = defaultdict(int)
        self.county: dict[tuple[int, dt.date], int] = {}
        self.month_load: dict[tuple[int, int, int], int] = defaultdict(int)
        self.unit_days: dict[int, list[dt.date]] = defaultdict(list)
        self.unit_by: dict[int, dict[dt.date, int]] = defaultdict(dict)

    def _rotation_ok(self, unit_pk: int, day: dt.date, inspector_pk: int) -> bool:
        days = self.unit_days[unit_pk]
        at = bisect.bisect_left(days, day)
        if at < len(days) and days[at] == day:
            return False
        by = self.unit_by[unit_pk]
        if at > 0 and by[days[at - 1]] == inspector_pk:
            return False
        return not (at < len(days) and by[days[at]] == inspector_pk)

    def _cost(self, inspector: User, day: dt.date, county_id: int) -> tuple | None:
        key = (inspector.pk, day)
        if day not in self.available[inspector.pk] or self.load[key] >= self.per_day:
            return None
        home = county_id in self.coverage[inspector.pk]
        mixed = key in self.county and self.county[key] != county_id
        month = (inspector.pk, day.year, day.month)
        return (not home) * 4 + mixed * 2, self.load[key] == 0, self.month_load[month]

    def place(
        self, unit_pk: int, county_id: int, wanted: dt.date, lo: dt.date, hi: dt.date, only=None
    ) -> tuple[User, dt.date, int] | None:
        """An inspector and a day for a visit wanted on `wanted`, between `lo` and `hi`: the first day
        from `wanted` on (then back towards `lo`) with a home-county inspector whose day is free or in
        the same county; failing that, the best other choice within a few days."""
        days = [wanted + dt.timedelta(days=i) for i in range((hi - wanted).days + 1)]
        days += [wanted - dt.timedelta(days=i) for i in range(1, (wanted - lo).days + 1)]
        best, best_index = None, None
        for index, day in enumerate(days):
            if best_index is not None and index > best_index + 5:
                break
            for inspector in only or self.inspectors:
                cost = self._cost(inspector, day, county_id)
                if cost is None or not self._rotation_ok(unit_pk, day, inspector.pk):
                    continue
                if best is None or cost < best[0]:
                    best, best_index = (cost, inspector, day), index if best_index is None else best_index
            if best is not None and best[0][0] == 0 and best[2] == day:
                break
        if best is None:
            return None
        _cost, inspector, day = best
        key = (inspector.pk, day)
        slot = self.load[key]
        self.load[key] += 1
        self.county.setdefault(key, county_id)
        self.month_load[(inspector.pk, day.year, day.month)] += 1
        days_of_unit = self.unit_days[unit_pk]
        bisect.insort(days_of_unit, day)
        self.unit_by[unit_pk][day] = inspector.pk
        return inspector, day, slot


# ---------------------------------------------------------------- the build


def build_supervision(
    *, rng: random.Random, admin: User, province: Province, producer_unit: ProductionUnit
) -> SupervisionFigures:
    """A year of the province's supervision, with its audit events; then the units' risk scores."""
    year = _Year(random.Random(rng.getrandbits(64)), admin, province, producer_unit)
    year.load()
    year.make_inspectors()
    year.scripts()
    year.complaints_and_cases()
    year.simulate()
    year.ladder()
    year.write()
    from hami.supervision.services import scores

    recompute = getattr(scores, "scores_recompute", None)
    if recompute is not None:
        recompute(actor=None)
    # TODO(integration): without scores_recompute the units have no tier until the nightly run.
    return year.figures


class _Year:
    def __init__(self, rng: random.Random, admin: User, province: Province, producer_unit: ProductionUnit):
        self.rng = rng
        self.admin = admin
        self.province = province
        self.producer_unit = producer_unit
        self.today = timezone.localdate()
        self.policy = default_policy()
        self.figures = SupervisionFigures()
        self.officer = User.objects.get(username="officer")
        self.visits: list[_Visit] = []
        self.findings: list[_Finding] = []
        self.heap: list = []
        self.seq = 0
        self.complaints: list[_Complaint] = []
        self.cases: list[m.MarketCase] = []
        self.decisions: list[m.LadderDecision] = []
        self.points: list[m.NegativePoint] = []
        self.licence_decisions: list[Decision] = []
        self.licence_states: dict[int, str] = {}
        self.referrals: list[Referral] = []
        self.dated: dict[int, list] = defaultdict(list)  # month index → requests placed first
        self.plans_info: list[dict] = []
        self.legacy_points = 0

    # -- what the rest of the demo made

    def load(self) -> None:
        province, today = self.province, self.today
        licences = defaultdict(list)
        for row in (
            Licence.objects.filter(province=province)
            .order_by("pk")
            .values("pk", "unit_id", "state", "tracking_code", "standard_id", "expires_on")
        ):
            licences[row["unit_id"]].append(row)
        self.all_licences = [lic for rows in licences.values() for lic in rows]
        hazard: dict[int, int] = defaultdict(int)
        for unit_id, level in Product.objects.filter(unit__province=province).values_list(
            "unit_id", "category__hazard_level"
        ):
            hazard[unit_id] = max(hazard[unit_id], level or 0)
        sites: dict[int, tuple[int, int]] = {}
        for unit_id, site_id, county_id in (
            Site.objects.filter(unit__province=province)
            .order_by("pk")
            .values_list("unit_id", "pk", "county_id")
        ):
            sites.setdefault(unit_id, (site_id, county_id))
        failures = dict(
            Sample.objects.filter(province=province, conformity__in=FAILED)
            .values("unit_id")
            .annotate(n=Count("pk"))
            .values_list("unit_id", "n")
        )
        reps = {}
        for membership in (
            UnitMembership.objects.filter(unit__province=province).select_related("user").order_by("pk")
        ):
            reps.setdefault(membership.unit_id, membership.user)
        units = (
            ProductionUnit.objects.filter(province=province, pk__in=list(licences))
            .exclude(status=UnitStatus.CLOSED)
            .order_by("pk")
        )
        self.units: list[_Unit] = []
        for unit in units:
            site_id, county_id = sites.get(unit.pk, (None, unit.county_id))
            self.units.append(
                _Unit(
                    unit=unit,
                    county_id=county_id or unit.county_id,
                    site_id=site_id,
                    hazard=hazard.get(unit.pk, 0),
                    failures=failures.get(unit.pk, 0),
                    licences=licences[unit.pk],
                    rep=reps.get(unit.pk),
                )
            )
        self.by_pk = {u.pk: u for u in self.units}
        checklist = m.Checklist.objects.filter(code="general").first()
        self.checklist = checklist
        self.items = list(checklist.items.order_by("order", "pk")) if checklist else []
        self.items_by_code = {item.code: item for item in self.items}
        self.items_by_severity = defaultdict(list)
        for item in self.items:
            self.items_by_severity[item.severity].append(item)
        # The demo's own risk estimate, before any score run: what the office knew when it planned. The
        # scores helper computes the real scores at the end, from what this year left.
        rng = self.rng
        estimate = {}
        for u in self.units:
            bad_licence = any(
                lic["state"] in (LicenceState.SUSPENDED, LicenceState.REVOKED) for lic in u.licences
            )
            expired = any(lic["state"] == LicenceState.EXPIRED for lic in u.licences)
            estimate[u.pk] = (
                25 * u.hazard / 4 + 15 * min(u.failures, 2) + (10 if bad_licence else 5 if expired else 0)
            ) + rng.uniform(0, 25)
        ranked = sorted(self.units, key=lambda u: (-estimate[u.pk], u.pk))
        bounds, start = {}, 0
        for tier in ("serious", "high", "medium"):
            count = max(1, round(len(ranked) * TIER_SHARES[tier]))
            bounds[tier] = (start, start + count)
            start += count
        for index, u in enumerate(ranked):
            tier = next((t for t, (lo, hi) in bounds.items() if lo <= index < hi), "low")
            self._set_tier(u, tier)
            # Units that do not correct at all are the scripts' (troubled); the rest are on time or late.
            late = 0.2 if tier in ("serious", "high") else 0.12
            u.behaviour = "late" if rng.random() < late else "good"
        # Months: the last twelve Jalali months, the current one (published) and the next (a draft); two
        # more for the follow-ups that fall after it.
        current = jdatetime.date.fromgregorian(date=today)
        self.months = []
        for k in range(-12, 4):
            index = current.year * 12 + current.month - 1 + k
            year_, month_ = divmod(index, 12)
            first, last = month_bounds(year_, month_ + 1, jalali=True)
            self.months.append((k, year_, month_ + 1, first, last))
        self.start = self.months[0][3]
        self.current = next(month for month in self.months if month[0] == 0)
        self.draft = next(month for month in self.months if month[0] == 1)
        # Each unit's next routine visit: spread over its interval before the year began.
        for u in self.units:
            u.next_due = self.start + dt.timedelta(days=rng.randrange(u.interval))

    def _set_tier(self, u: _Unit, tier: str) -> None:
        u.tier = tier
        u.interval = int(self.policy["visit_interval_days"][tier])
        u.chance = FINDING_CHANCE[tier]

    def make_inspectors(self) -> None:
        """The `inspector` login and six more (not loginable: the demo's logins are the README's)."""
        counties = dict(self.province.counties.values_list("code", "pk"))
        rows = []
        for username, first, last, _covers in INSPECTORS[1:]:
            rows.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    role=Role.INSPECTOR,
                    province=self.province,
                    password=make_password(None),
                )
            )
        User.objects.bulk_create(rows)
        self.inspectors = [User.objects.get(username="inspector"), *rows]
        self.login = self.inspectors[0]
        self.figures.inspectors = len(self.inspectors)
        coverage = {
            user.pk: {counties[code] for code in covers if code in counties}
            for user, (_u, _f, _l, covers) in zip(self.inspectors, INSPECTORS, strict=True)
        }
        # Available days: about three working days in five, month by month; the login works today.
        first, last = self.months[0][3], self.months[-1][4]
        holidays = holidays_for(self.province, first, last)
        thursday = settings.HAMI_THURSDAY_IS_WORKING_DAY
        self.available: dict[int, set[dt.date]] = defaultdict(set)
        self.month_days: dict[tuple[int, int], list[dt.date]] = {}
        for k, _y, _m, first_day, last_day in self.months:
            working = [
                first_day + dt.timedelta(days=i)
                for i in range((last_day - first_day).days + 1)
                if workdays.is_working_day(
                    first_day + dt.timedelta(days=i), holidays=holidays, thursday_works=thursday
                )
            ]
            for inspector in self.inspectors:
                days = sorted(self.rng.sample(working, round(len(working) * AVAILABLE_SHARE)))
                if inspector is self.login and k == 0 and self.today not in days:
                    days = sorted([*days, self.today])
                self.month_days[(inspector.pk, k)] = days
                self.available[inspector.pk].update(days)
        self.scheduler = _Scheduler(
            self.inspectors, coverage, self.available, int(self.policy["visits_per_day"])
        )

    # -- the stories the demo must tell whatever the seed

    def scripts(self) -> None:
        rng, today = self.rng, self.today
        producer = self.by_pk.get(self.producer_unit.pk)
        month = {k: (first, last) for k, _y, _m, first, last in self.months}
        taken = {producer.pk} if producer else set()

        def pick(condition) -> _Unit | None:
            candidates = [u for u in self.units if u.pk not in taken and condition(u)]
            if not candidates:
                return None
            chosen = rng.choice(candidates)
            taken.add(chosen.pk)
            return chosen

        def suspendable(u: _Unit) -> bool:
            return any(
                lic["state"] == LicenceState.ACTIVE and lic["expires_on"] > today + dt.timedelta(days=60)
                for lic in u.licences
            )

        # Critical safety findings a year and ten months ago: suspension with market withdrawal, then the
        # way back down; and one eight months ago, still suspended (its correction is not verified yet).
        for script, k in (("safety_back", -12), ("safety_back", -10), ("safety_held", -8)):
            u = pick(lambda u: u.hazard >= 3 and suspendable(u) and u.site_id) or pick(suspendable)
            if u is None:
                continue
            self._set_tier(u, "serious")
            u.script, u.behaviour = script, "good" if script == "safety_back" else "held"
            u.next_due = month[k][0] + dt.timedelta(days=3)
            u.chance = 0.05 if script == "safety_back" else 0.3
            u.forced.append(("critical", "nonconforming-product", True, SAFETY_FINDING_FA, month[k][0]))
        # Two units that do not correct: findings on almost every monthly visit, deadlines missed, the same
        # items found again; they climb to intensified sampling (automatically) and stay there.
        for _ in range(2):
            u = (
                pick(lambda u: u.tier in ("high", "serious") and u.hazard >= 3 and u.failures)
                or pick(lambda u: u.tier in ("high", "serious"))
                or pick(lambda u: True)
            )
            if u is None:
                continue
            self._set_tier(u, "serious")
            u.script, u.behaviour, u.chance = "troubled", "bad", 0.9
            u.next_due = self.start + dt.timedelta(days=rng.randrange(10))
        # The producer login's unit: a finding eight months ago (advice, corrected, stepped back down), and
        # a visit three weeks ago with a major finding whose corrective action is accepted (evidence due)
        # and a minor one the unit has still to propose an action for; a follow-up visit is announced.
        if producer is not None:
            producer.script, producer.routine, producer.behaviour = "producer", False, "good"
            self._set_tier(producer, "medium")
            for wanted, force in (
                (today - dt.timedelta(days=200), [("major", "test-records", False, None, None)]),
                (
                    today - dt.timedelta(days=21),
                    [("major", "labels", False, None, None), ("minor", "storage", False, None, None)],
                ),
            ):
                self._request(
                    producer,
                    wanted,
                    lo=wanted - dt.timedelta(days=6),
                    hi=min(wanted + dt.timedelta(days=6), today - dt.timedelta(days=8)),
                    kind=m.InspectionKind.ROUTINE,
                    reasons=[self._tier_reason(producer)],
                    force=force,
                )

    def _tier_reason(self, u: _Unit) -> dict:
        return {
            "code": "tier",
            "text": f"رده ریسک {TIER_FA[u.tier]}: بازدید دوره‌ای هر {_fa(u.interval)} روز",
        }

    def _month_of(self, day: dt.date) -> int | None:
        for k, _y, _m, first, last in self.months:
            if first <= day <= last:
                return k
        return None

    def _request(
        self, u: _Unit, wanted: dt.date, *, lo, hi, kind, reasons, force=(), checks=(), complaint=None
    ):
        """A visit wanted on a date (not the month's routine pass): placed when its month is planned."""
        month = self._month_of(max(wanted, lo))
        if month is None:
            return
        self.dated[month].append(
            {
                "unit": u,
                "wanted": wanted,
                "lo": lo,
                "hi": hi,
                "kind": kind,
                "reasons": reasons,
                "force": list(force),
                "checks": list(checks),
                "complaint": complaint,
            }
        )

    # -- complaints and market cases (they ask for visits)

    def complaints_and_cases(self) -> None:
        rng, today = self.rng, self.today
        candidates = [u for u in self.units if u.script in ("", "troubled")]
        weights = [{"serious": 6, "high": 4, "medium": 2, "low": 1}[u.tier] for u in candidates]
        count = max(12, round(30 * len(self.units) / 1870))
        # Most over the year; ten in the last two months: three not triaged yet, two just taken in hand
        # (received), the rest mostly under investigation.
        days = sorted(rng.sample(range(61, 361), count - 10) + rng.sample(range(1, 61), 10), reverse=True)
        untriaged, received = 3, 2
        for position, ago in enumerate(days):
            u = rng.choices(candidates, weights)[0]
            filed = _at(today - dt.timedelta(days=ago), rng.randrange(8, 22), rng.randrange(60))
            office = rng.random() < 0.35
            recent = position >= len(days) - untriaged
            if recent:
                office = False
            text, priority = rng.choice(OFFICE_COMPLAINT_TEXTS_FA if office else COMPLAINT_TEXTS_FA)
            with_licence = rng.random() < (0.5 if office else 0.75)
            licence = rng.choice(u.licences) if with_licence and u.licences else None
            tracking = (
                licence["tracking_code"] if licence else ("" if office else f"{rng.randrange(10**9, 10**10)}")
            )
            triaged = (
                None if recent else filed + dt.timedelta(days=0 if office else rng.randrange(1, 4), hours=1)
            )
            outcome = rng.choices(["upheld", "not_upheld", "not_ours"], [45, 40, 15])[0]
            complaint = _Complaint(
                unit=u,
                licence_id=licence["pk"] if licence else None,
                channel=m.ComplaintChannel.OFFICE if office else m.ComplaintChannel.PUBLIC,
                filed=filed,
                text=text,
                priority=priority,
                tracking_code=tracking,
                province_known=office or licence is not None,
                triaged=triaged,
                outcome=outcome,
                contact=rng.choice(["", f"09{rng.randrange(10**8, 10**9)}", "ایمیل: reader@example.ir"]),
            )
            complaint.received = count - untriaged - received <= position < count - untriaged
            self.complaints.append(complaint)
            if triaged is None or complaint.received:
                continue
            # The newest of the others waits for its visit, coming in a few days: under investigation.
            waiting = position == count - untriaged - received - 1
            if waiting:
                complaint.outcome = outcome = "upheld"
            elif outcome == "not_ours":
                continue
            if outcome == "upheld" or rng.random() < 0.5:
                wanted = triaged.date() + dt.timedelta(
                    days=rng.randrange(1, 4) if priority == "urgent" else rng.randrange(4, 12)
                )
                if waiting:
                    wanted = max(wanted, today + dt.timedelta(days=rng.randrange(2, 8)))
                self._request(
                    u,
                    wanted,
                    lo=wanted,
                    hi=wanted + dt.timedelta(days=20),
                    kind=m.InspectionKind.COMPLAINT,
                    reasons=[
                        {"code": "complaint", "text": f"رسیدگی به شکایت ثبت‌شده در {_jdate(filed.date())}"}
                    ],
                    force=[
                        (
                            "major",
                            rng.choice(["labels", "test-records", "nonconforming-product"]),
                            False,
                            None,
                            None,
                        )
                    ]
                    if outcome == "upheld"
                    else [],
                    complaint=complaint,
                )
        self._market_cases()

    def _market_cases(self) -> None:
        """A case for every failed market sample of the labs demo (one a sample, on its report), and a few
        marks with an unknown, expired, revoked or suspended tracking code."""
        rng, today, province = self.rng, self.today, self.province
        reports = (
            TestReport.objects.filter(
                order__sample__origin=SampleOrigin.MARKET,
                order__sample__province=province,
                conformity__in=FAILED,
                amended_by__isnull=True,
                issued_at__lt=_at(today, 0),
            )
            .select_related("order__sample__product")
            .order_by("issued_at", "pk")
        )
        seen, withdrawn = set(), 0
        for report in reports:
            sample = report.order.sample
            if sample.pk in seen:
                continue
            seen.add(sample.pk)
            opened = report.issued_at + dt.timedelta(hours=rng.randrange(8, 40))
            if opened.date() >= today:
                continue
            u = self.by_pk.get(sample.unit_id)
            licence = None
            if u is not None:
                licence = next(
                    (lic["pk"] for lic in u.licences if lic["standard_id"] == sample.standard_id), None
                )
            age = (today - opened.date()).days
            case = m.MarketCase(
                public_id=_uuid(rng),
                province=province,
                kind=m.CaseKind.FAILED_SAMPLE,
                unit_id=sample.unit_id,
                licence_id=licence,
                sample_id=sample.pk,
                report_id=report.pk,
                place=sample.place[:300],
                product_description=sample.product.name[:300],
            )
            case.demo_at = opened
            if age < 20:
                case.state = m.CaseState.OPEN
            elif age < 75:
                case.state = m.CaseState.INVESTIGATING
            else:
                closed = opened + dt.timedelta(days=rng.randrange(20, 60))
                # Seizures only in the first half of the year: fewer coercive measures lately.
                if age > 200 and withdrawn < 2 and rng.random() < 0.5:
                    outcome = m.CaseOutcome.WITHDRAWN
                    withdrawn += 1
                else:
                    outcome = rng.choices([m.CaseOutcome.CORRECTED, m.CaseOutcome.UNFOUNDED], [7, 3])[0]
                case.state, case.outcome, case.outcome_note = (
                    m.CaseState.CLOSED,
                    outcome,
                    CASE_NOTES_FA[outcome],
                )
                case.closed_by, case.closed_at = (
                    self.officer,
                    min(closed, _at(today - dt.timedelta(days=1), 12)),
                )
            self.cases.append(case)
            if u is not None and case.state != m.CaseState.OPEN and rng.random() < 0.6:
                wanted = opened.date() + dt.timedelta(days=rng.randrange(5, 12))
                self._request(
                    u,
                    wanted,
                    lo=wanted,
                    hi=wanted + dt.timedelta(days=15),
                    kind=m.InspectionKind.CASE,
                    reasons=[
                        {"code": "market_case", "text": "پرونده نظارت بازار: نمونه بازار در آزمون مردود شد"}
                    ],
                )
        # Marks with bad tracking codes: (days ago opened, licence state or None for unknown, state, outcome).
        plans = [
            (335, None, m.CaseState.CLOSED, m.CaseOutcome.REFERRED),
            (250, LicenceState.REVOKED, m.CaseState.CLOSED, m.CaseOutcome.WITHDRAWN),
            (120, LicenceState.SUSPENDED, m.CaseState.CLOSED, m.CaseOutcome.CORRECTED),
            (40, LicenceState.EXPIRED, m.CaseState.INVESTIGATING, ""),
            (5, None, m.CaseState.OPEN, ""),
        ]
        codes = {lic["tracking_code"] for lic in self.all_licences}
        statuses = {
            None: m.MarkStatus.UNKNOWN,
            LicenceState.REVOKED: m.MarkStatus.REVOKED,
            LicenceState.SUSPENDED: m.MarkStatus.SUSPENDED,
            LicenceState.EXPIRED: m.MarkStatus.EXPIRED,
        }
        names = dict(ProductionUnit.objects.filter(province=province).values_list("pk", "name_fa"))
        for ago, state, case_state, outcome in plans:
            licence = None
            if state is not None:
                pool = [lic for lic in self.all_licences if lic["state"] == state]
                if not pool:
                    continue
                licence = rng.choice(pool)
                code = licence["tracking_code"]
            else:
                code = f"{rng.randrange(10**9, 10**10)}"
                while code in codes:
                    code = f"{rng.randrange(10**9, 10**10)}"
            opened = _at(today - dt.timedelta(days=ago), rng.randrange(9, 15))
            shop = rng.choice(vocab.SHOP_PATTERNS_FA).format(core=rng.choice(vocab.UNIT_CORES_FA))
            unit_id = licence["unit_id"] if licence else None
            case = m.MarketCase(
                public_id=_uuid(rng),
                province=province,
                kind=m.CaseKind.INVALID_MARK,
                unit_id=unit_id,
                producer_name=names.get(unit_id, "")
                if unit_id
                else f"{rng.choice(vocab.UNIT_PREFIXES_FA)} {rng.choice(vocab.UNIT_CORES_FA)}",
                licence_id=licence["pk"] if licence else None,
                tracking_code=code,
                mark_status=statuses[state],
                place=f"{shop}، قزوین",
                product_description="محصول دارای علامت استاندارد با کد رهگیری نامعتبر",
                state=case_state,
                outcome=outcome,
                outcome_note=CASE_NOTES_FA.get(outcome, ""),
                opened_by=self.inspectors[1],
            )
            case.demo_at = opened
            if case_state == m.CaseState.CLOSED:
                case.closed_by = self.officer
                case.closed_at = opened + dt.timedelta(days=rng.randrange(15, 30))
            self.cases.append(case)

    # -- the year, month by month

    def simulate(self) -> None:
        for k, year_, month_, first, last in self.months:
            if k > 1:
                break
            plan = {"k": k, "year": year_, "month": month_, "first": first, "last": last, "due": 0,
                    "unplaced": [], "overdue": 0}  # fmt: skip
            self.plans_info.append(plan)
            for request in self.dated.pop(k, []):
                self._place_request(request)
            self._routine(plan)
            while self.heap and self.heap[0][0] <= last and self.heap[0][0] < self.today:
                _day, _slot, _seq, visit = heapq.heappop(self.heap)
                self._carry_out(visit)
        # Requests for months past the draft (follow-ups far ahead) were placed directly; what is left
        # in the heap is today or later: planned.
        self._every_state()

    def _every_state(self) -> None:
        """However small the province, the office has an action to accept, evidence to verify and a reopened
        action: the newest findings of ordinary units that no visit checks yet get those stories."""
        wanted = [m.ActionState.PROPOSED, m.ActionState.SUBMITTED, m.ActionState.REOPENED]
        present = {f.live.state for f in self.findings if f.live is not None}
        checked = {id(f) for visit in self.visits for f in visit.checks}
        cutoff = self.today - dt.timedelta(days=6)
        candidates = [
            f
            for f in reversed(self.findings)
            if not f.withdrawn and not f.visit.unit.script and id(f) not in checked and f.at.date() <= cutoff
        ]
        for state in wanted:
            if state in present or not candidates:
                continue
            f = candidates.pop(0)
            f.closed = f.escalated = None
            f.row.state, f.row.closed_at = m.FindingState.OPEN, None
            self._actions(f, guarantee=state)

    def _push(self, visit: _Visit) -> None:
        self.visits.append(visit)
        self.seq += 1
        heapq.heappush(self.heap, (visit.day, visit.slot, self.seq, visit))

    def _place_request(self, request) -> _Visit | None:
        u = request["unit"]
        lo, hi = request["lo"], request["hi"]
        if hi < lo:
            return None
        wanted = min(max(request["wanted"], lo), hi)
        placed = self.scheduler.place(u.pk, u.county_id, wanted, lo, hi)
        if placed is None:
            return None
        inspector, day, slot = placed
        kind = request["kind"]
        visit = _Visit(
            unit=u,
            county_id=u.county_id,
            inspector=inspector,
            day=day,
            slot=slot,
            kind=kind,
            month=self._month_of(day) if kind == m.InspectionKind.ROUTINE else None,
            unannounced=kind in (m.InspectionKind.COMPLAINT, m.InspectionKind.CASE) or u.tier == "serious",
            reasons=request["reasons"],
            checks=request["checks"],
            force=request["force"],
            complaint=request["complaint"],
        )
        if visit.complaint is not None:
            visit.complaint.visit = visit
        if kind == m.InspectionKind.FOLLOW_UP:
            visit.unannounced = False
        self._push(visit)
        return visit

    def _routine(self, plan: dict) -> None:
        """The month's routine pass: the units due by its last day, overdue first, then by tier."""
        first, last, k = plan["first"], plan["last"], plan["k"]
        due = [u for u in self.units if u.routine and u.next_due <= last]
        rank = {tier: i for i, tier in enumerate(TIERS)}
        due.sort(key=lambda u: (u.next_due >= first, rank[u.tier], u.next_due, u.pk))
        plan["due"] = len(due)
        lo = first
        if k == 0:
            # The login inspector's today: the nearest due visits in his counties.
            mine = [
                u
                for u in due
                if u.county_id in self.scheduler.coverage[self.login.pk] and u.next_due >= first
            ]
            mine.sort(key=lambda u: (abs((u.next_due - self.today).days), u.pk))
            for u in mine[: int(self.policy["visits_per_day"])]:
                placed = self.scheduler.place(
                    u.pk, u.county_id, self.today, self.today, self.today, only=[self.login]
                )
                if placed is not None:
                    self._routine_visit(u, placed, plan)
                    due.remove(u)
        for u in due:
            wanted = max(u.next_due, first)
            placed = self.scheduler.place(u.pk, u.county_id, wanted, lo, last)
            if placed is None:
                plan["unplaced"].append(u)
                continue
            self._routine_visit(u, placed, plan)

    def _routine_visit(self, u: _Unit, placed, plan) -> None:
        inspector, day, slot = placed
        first = plan["first"]
        reasons = [self._tier_reason(u)]
        if u.next_due < first:
            plan["overdue"] += 1
            reasons.append(
                {
                    "code": "overdue",
                    "text": f"{_fa((first - u.next_due).days)} روز از موعد بازدید دوره‌ای گذشته است",
                }
            )
        if u.failures:
            reasons.append(
                {"code": "test_failures", "text": f"{_fa(u.failures)} گزارش آزمون نامنطبق در ۲۴ ماه گذشته"}
            )
        open_now = sum(
            1 for f in u.findings if f.at.date() < first and (f.closed is None or f.closed.date() >= first)
        )
        if open_now:
            reasons.append({"code": "open_findings", "text": f"{_fa(open_now)} یافته باز از بازدیدهای قبلی"})
        visit = _Visit(
            unit=u,
            county_id=u.county_id,
            inspector=inspector,
            day=day,
            slot=slot,
            kind=m.InspectionKind.ROUTINE,
            month=plan["k"],
            unannounced=u.tier == "serious" or self.rng.random() < float(self.policy["unannounced_share"]),
            reasons=reasons,
        )
        jitter = round(u.interval * self.rng.uniform(-0.06, 0.06))
        u.next_due = day + dt.timedelta(days=u.interval + jitter)
        self._push(visit)

    # -- a visit carried out

    def _carry_out(self, visit: _Visit) -> None:
        rng, u = self.rng, visit.unit
        if visit.kind == m.InspectionKind.ROUTINE and not u.script and rng.random() < CANCEL_CHANCE:
            visit.state = m.InspectionState.CANCELLED
            visit.cancel_reason = rng.choice(CANCEL_REASONS_FA)
            u.next_due = visit.day + dt.timedelta(days=rng.randrange(14, 22))
            return
        visit.state = m.InspectionState.DONE
        visit.started = _at(visit.day, 8 + visit.slot * 2, 30 + rng.randrange(0, 25))
        visit.finished = visit.started + dt.timedelta(minutes=rng.randrange(70, 130))
        specs = list(visit.force)
        # A script's finding lands on the first visit after its date.
        for forced in list(u.forced):
            if forced[4] is not None and visit.day >= forced[4]:
                specs.append(forced)
                u.forced.remove(forced)
        if u.script == "producer":
            pass  # the producer finds only what its script says
        elif visit.kind == m.InspectionKind.FOLLOW_UP:
            for item in visit.repeat_items:
                if rng.random() < (0.7 if u.script == "troubled" else 0.3):
                    specs.append(("major", item.code, False, None, None))
            if rng.random() < u.chance / 2:
                specs.extend(self._random_specs(u))
        elif visit.kind != m.InspectionKind.COMPLAINT and rng.random() < u.chance:
            specs.extend(self._random_specs(u))
        seen_items = set()
        for severity, code, safety, text, _when in specs:
            item = self._item(severity, code, u)
            if item is not None and item.pk in seen_items:
                continue
            if item is not None:
                seen_items.add(item.pk)
            self._finding(visit, item, severity, safety, text)
        follow = [f for f in visit.findings if not f.withdrawn]
        self._follow_up(visit, follow)

    def _random_specs(self, u: _Unit) -> list:
        rng = self.rng
        count = rng.choices([1, 2, 3], [70, 25, 5])[0]
        specs = []
        for _ in range(count):
            severity = rng.choices(list(SEVERITY_WEIGHTS), list(SEVERITY_WEIGHTS.values()))[0]
            code = None
            earlier = [f.row.item for f in u.findings if f.row.item_id and not f.withdrawn]
            if earlier and rng.random() < (0.6 if u.script == "troubled" else 0.08):
                item = rng.choice(earlier)  # the same lapse again: a repeated finding
                code, severity = item.code, item.severity if item.severity != "critical" else "major"
            safety = severity == "major" and rng.random() < 0.05
            specs.append((severity, code, safety, None, None))
        return specs

    def _item(self, severity: str, code: str | None, u: _Unit):
        if not self.items:
            return None
        if code and code in self.items_by_code:
            return self.items_by_code[code]
        # A new lapse: an item not found at this unit before (repeats are drawn on purpose, not by chance).
        had = {f.row.item_id for f in u.findings}
        pool = [item for item in self.items_by_severity.get(severity) or self.items if item.pk not in had]
        return self.rng.choice(pool or self.items_by_severity.get(severity) or self.items)

    def _finding(self, visit: _Visit, item, severity: str, safety: bool, text: str | None) -> _Finding:
        rng, u = self.rng, visit.unit
        if text is None:
            texts = FINDING_TEXTS_FA.get(item.code) if item is not None else None
            text = (
                rng.choice(texts)
                if texts
                else (
                    f"«{item.text_fa}» رعایت نشده بود."
                    if item
                    else rng.choice([t for ts in FINDING_TEXTS_FA.values() for t in ts])
                )
            )
        licence = None
        if safety and severity == "critical":
            licence = u.active_licence()
        elif u.licences and rng.random() < 0.7:
            licence = rng.choice(u.licences)["pk"]
        repeat_of = None
        if item is not None:
            window = visit.finished - dt.timedelta(days=int(self.policy["lookback_days"]))
            repeat_of = next(
                (
                    f
                    for f in reversed(u.findings)
                    if f.row.item_id == item.pk and not f.withdrawn and f.at > window
                ),
                None,
            )
        row = m.Finding(
            public_id=_uuid(rng),
            unit=u.unit,
            province=self.province,
            licence_id=licence,
            item=item,
            severity=severity,
            safety=safety,
            text=text,
            created_by=visit.inspector,
        )
        finding = _Finding(visit=visit, row=row, at=visit.finished, repeat_of=repeat_of)
        visit.findings.append(finding)
        u.findings.append(finding)
        self.findings.append(finding)
        if not u.script and rng.random() < 0.02:
            withdrawn = visit.finished + dt.timedelta(days=rng.randrange(1, 3))
            if withdrawn.date() < self.today:
                finding.withdrawn, finding.closed = True, withdrawn
                row.state, row.closed_at, row.withdraw_reason = (
                    m.FindingState.WITHDRAWN,
                    withdrawn,
                    WITHDRAW_REASON_FA,
                )
                return finding
        self._actions(finding)
        return finding

    def _actions(self, f: _Finding, guarantee: str | None = None) -> None:
        """The corrective action's story, cut at today: proposal (maybe returned and proposed again),
        acceptance, evidence on time, late or never, verification (maybe reopened first)."""
        rng, today, u = self.rng, self.today, f.visit.unit
        severity = f.row.severity
        days = int(self.policy["action_days"][severity])
        start = f.at.date()
        behaviour = u.behaviour
        missed = sum(1 for g in u.findings if g.escalated is not None and g.escalated < f.at)
        if not u.script and behaviour == "late" and missed >= 1:
            behaviour = "good"  # a missed date and the climb after it: responsive regulation works
        if behaviour == "held":
            fate = "held"
        elif u.script == "producer":
            fate = "on_time"
        else:
            weights = {"good": (93, 6, 1), "late": (55, 42, 3), "bad": (15, 45, 40)}[behaviour]
            fate = rng.choices(["on_time", "late", "never"], weights)[0]
        forced_open = u.script == "producer" and f.at.date() > today - dt.timedelta(days=60)
        steps: list[tuple[dt.datetime, str, str]] = []  # (at, row, state): row "a" first proposal, "b" second

        def at(day: dt.date) -> dt.datetime:
            return _at(day, rng.randrange(9, 15), rng.randrange(60))

        if guarantee is not None:
            # The guarantee pass (_every_state): a recent action left proposed, submitted or reopened.
            day = start + dt.timedelta(days=1)
            steps.append((at(day), "a", m.ActionState.PROPOSED))
            if guarantee != m.ActionState.PROPOSED:
                steps.append((at(day + dt.timedelta(days=1)), "a", m.ActionState.ACCEPTED))
                steps.append((at(day + dt.timedelta(days=2)), "a", m.ActionState.SUBMITTED))
            if guarantee == m.ActionState.REOPENED:
                steps.append((at(day + dt.timedelta(days=4)), "a", m.ActionState.REOPENED))
            row = "a"
            f.due = max(start + dt.timedelta(days=days), day + dt.timedelta(days=6))
        else:
            proposed = start + dt.timedelta(days=rng.randrange(1, 5))
            if forced_open and severity == "minor":
                proposed = today + dt.timedelta(days=3)  # the unit has yet to propose
            steps.append((at(proposed), "a", m.ActionState.PROPOSED))
            decided = proposed + dt.timedelta(days=rng.randrange(1, 4))
            row = "a"
            if not forced_open and rng.random() < 0.12:
                steps.append((at(decided), "a", m.ActionState.RETURNED))
                proposed = decided + dt.timedelta(days=rng.randrange(2, 6))
                steps.append((at(proposed), "b", m.ActionState.PROPOSED))
                decided = proposed + dt.timedelta(days=rng.randrange(1, 4))
                row = "b"
            steps.append((at(decided), row, m.ActionState.ACCEPTED))
            due = max(start + dt.timedelta(days=days), decided + dt.timedelta(days=3))
            if forced_open:
                due = max(due, today + dt.timedelta(days=10))
            f.due = due
            submitted = None
            if forced_open:
                submitted = None
            elif fate == "on_time":
                room = max(1, (due - decided).days)
                submitted = max(
                    decided + dt.timedelta(days=1), due - dt.timedelta(days=rng.randrange(0, room))
                )
            elif fate == "late":
                submitted = due + dt.timedelta(days=rng.randrange(1, 25))
            elif fate == "held":
                submitted = due + dt.timedelta(days=rng.randrange(20, 40))
            if submitted is not None:
                steps.append((at(submitted), row, m.ActionState.SUBMITTED))
                if fate == "held":
                    # Reopened twice; the last evidence waits for the office (the unit stays suspended).
                    reopened = submitted + dt.timedelta(days=rng.randrange(3, 7))
                    steps.append((at(reopened), row, m.ActionState.REOPENED))
                    again = max(
                        reopened + dt.timedelta(days=30), today - dt.timedelta(days=rng.randrange(5, 15))
                    )
                    steps.append((at(again), row, m.ActionState.SUBMITTED))
                else:
                    if rng.random() < 0.12 and u.script != "producer":  # its way back stays clean
                        reopened = submitted + dt.timedelta(days=rng.randrange(2, 6))
                        steps.append((at(reopened), row, m.ActionState.REOPENED))
                        submitted = reopened + dt.timedelta(days=rng.randrange(5, 15))
                        steps.append((at(submitted), row, m.ActionState.SUBMITTED))
                    verified = submitted + dt.timedelta(days=rng.randrange(1, 5))
                    if fate == "on_time" and submitted <= due:
                        verified = max(submitted, min(verified, due))
                    steps.append((at(verified), row, m.ActionState.VERIFIED))
        cutoff = _at(today, 0)
        steps = [step for step in steps if step[0] < cutoff]
        f.timeline = [(when, state) for when, _row, state in steps if _row == row]
        rows: dict[str, m.CorrectiveAction] = {}
        for when, key, state in steps:
            action = rows.get(key)
            if action is None:
                proposer = u.rep or self.officer
                action = m.CorrectiveAction(
                    public_id=_uuid(rng),
                    unit=u.unit,
                    province=self.province,
                    text=ACTION_TEXTS_FA.get(f.row.item.code if f.row.item else "", ACTION_FALLBACK_FA),
                    due_on=f.due,
                    proposed_by=proposer,
                )
                action.demo_at = when
                action.demo_steps = []
                rows[key] = action
            action.state = state
            action.demo_steps.append((when, state))
            if state in (m.ActionState.RETURNED, m.ActionState.REOPENED):
                action.office_note = rng.choice(
                    RETURN_NOTES_FA if state == m.ActionState.RETURNED else REOPEN_NOTES_FA
                )
            if state in (
                m.ActionState.ACCEPTED,
                m.ActionState.RETURNED,
                m.ActionState.VERIFIED,
                m.ActionState.REOPENED,
            ):
                action.decided_by = self.officer
            if state == m.ActionState.ACCEPTED:
                action.due_on = f.due
            if state == m.ActionState.SUBMITTED:
                action.submitted_at = when
                action.evidence_note = rng.choice(EVIDENCE_NOTES_FA)
            if state == m.ActionState.VERIFIED:
                action.verified_at = when
                f.closed = when
                f.row.state, f.row.closed_at = m.FindingState.CORRECTED, when
        f.actions = [rows[key] for key in ("a", "b") if key in rows]
        f.live = rows.get(row)
        # The weekly overdue run: the first Saturday after the date when the action is still accepted or
        # reopened escalates it (and only once).
        if f.live is not None:
            run = _saturday_after(f.due)
            while run < today:
                run_at = _at(run, 1)
                state = None
                for when, s in f.timeline:
                    if when < run_at:
                        state = s
                if state in (m.ActionState.ACCEPTED, m.ActionState.REOPENED):
                    f.escalated = run_at
                    f.live.escalated_at = run_at
                    break
                if state == m.ActionState.VERIFIED:
                    break
                run += dt.timedelta(days=7)

    def _follow_up(self, visit: _Visit, findings: list[_Finding]) -> None:
        """One follow-up a visit: after the date of actions not done (to see the finding again), or after the
        verification of a critical or major finding."""
        rng, u = self.rng, visit.unit
        never = [f for f in findings if f.live is not None and f.closed is None and f.escalated is not None]
        checked = [
            f
            for f in findings
            if f.closed is not None
            and (f.row.severity == "critical" or (f.row.severity == "major" and rng.random() < 0.4))
        ]
        if u.script == "producer":
            never = []
            checked = [f for f in findings if f.row.severity == "major"]
            if checked and checked[0].closed is None:  # the open one: a visit after its date, announced
                wanted = checked[0].due + dt.timedelta(days=3)
                self._place_now(u, wanted, wanted + dt.timedelta(days=20), checked, [])
                return
        if never:
            wanted = max(f.due for f in never) + dt.timedelta(days=rng.randrange(10, 25))
            items = [f.row.item for f in never if f.row.item is not None]
            self._place_now(u, wanted, wanted + dt.timedelta(days=25), never, items)
        elif checked:
            wanted = max(f.closed.date() for f in checked) + dt.timedelta(days=rng.randrange(7, 30))
            self._place_now(u, wanted, wanted + dt.timedelta(days=25), checked, [])

    def _place_now(self, u: _Unit, wanted: dt.date, hi: dt.date, checks, repeat_items) -> None:
        horizon = self.months[-1][4]
        if wanted > horizon:
            return
        placed = self.scheduler.place(u.pk, u.county_id, wanted, wanted, min(hi, horizon))
        if placed is None:
            return
        inspector, day, slot = placed
        dates = sorted({f.at.date() for f in checks})
        visit = _Visit(
            unit=u,
            county_id=u.county_id,
            inspector=inspector,
            day=day,
            slot=slot,
            kind=m.InspectionKind.FOLLOW_UP,
            month=None,
            unannounced=False,
            reasons=[
                {
                    "code": "follow_up",
                    "text": f"پیگیری {_fa(len(checks))} یافته بازدید {_jdate(dates[-1])}",
                }
            ],
            checks=list(checks),
            repeat_items=list(repeat_items),
        )
        self._push(visit)

    # -- the ladder, unit by unit, from what the year left

    def ladder(self) -> None:
        by_unit: dict[int, list[_Finding]] = defaultdict(list)
        for f in self.findings:
            if not f.withdrawn:
                by_unit[f.visit.unit.pk].append(f)
        topics = {t.code: t.pk for t in Topic.objects.all()}
        licence_standard = {lic["pk"]: lic["standard_id"] for lic in self.all_licences}
        by_standard, _by_category = outreach_selectors.topic_maps(set(licence_standard.values()), [])
        self.topic_for = lambda licence_id: (
            by_standard.get(licence_standard.get(licence_id))
            or topics.get("quality-control")
            or next(iter(topics.values()), None)
        )
        self.sanction = SanctionReason.objects.filter(code="failed-surveillance-test").first()
        for unit_pk in sorted(by_unit):
            self._unit_ladder(self.by_pk[unit_pk], by_unit[unit_pk])

    def _unit_ladder(self, u: _Unit, findings: list[_Finding]) -> None:
        rng, today, policy = self.rng, self.today, self.policy
        clean_days = int(policy["clean_days"])
        expiry = int(policy["points_expiry_days"])
        cap = AUTOMATIC_UP_TO
        step = m.Step.NONE
        last_decision: dt.datetime | None = None
        decisions: list[m.LadderDecision] = []
        awards: list[m.NegativePoint] = []
        given: set[tuple[int, str]] = set()
        suspended_licence = None

        def active_points(day: dt.date) -> int:
            return sum(p.points for p in awards if p.awarded_on <= day < p.expires_on)

        def award(points: int, reason: str, day: dt.date, finding=None, decision=None) -> None:
            if not points:
                return
            row = m.NegativePoint(
                unit=u.unit,
                province=self.province,
                points=points,
                reason=reason,
                finding=finding.row if finding else None,
                decision=decision,
                awarded_on=day,
                expires_on=day + dt.timedelta(days=expiry),
            )
            row.demo_at = _at(day, 1, 5)
            awards.append(row)

        def decide(
            when: dt.datetime, to: int, trigger: str, reason: str, named, *, by_office=True, licence=None
        ):
            nonlocal step, last_decision, suspended_licence
            decision = m.LadderDecision(
                public_id=_uuid(rng),
                unit=u.unit,
                province=self.province,
                step=int(to),
                previous_step=int(step),
                trigger=trigger,
                reason=reason,
                licence_id=licence,
                coercive=to >= m.Step.SUSPENSION and to > step,
                market_withdrawal=False,
                decided_by=self.officer if by_office else None,
            )
            decision.demo_at = when
            decision.demo_findings = [f.row for f in named]
            if to > step and to == m.Step.CLINIC:
                named_licence = next((f.row.licence_id for f in named if f.row.licence_id), None)
                topic = self.topic_for(named_licence)
                if topic is not None:
                    referral = Referral(
                        public_id=_uuid(rng),
                        unit=u.unit,
                        topic_id=topic,
                        source=ReferralSource.FINDING,
                        source_ref=str(decision.public_id),
                        reason=reason,
                        created_by=self.officer if by_office else None,
                        status=ReferralStatus.OPEN
                        if when.date() > today - dt.timedelta(days=60)
                        else ReferralStatus.CLOSED,
                    )
                    if referral.status == ReferralStatus.CLOSED:
                        referral.closed_reason = "مشاوره تلفنی کارشناس اداره کل انجام شد."
                    referral.demo_at = when
                    self.referrals.append(referral)
                    decision.referral = referral
            if to > step and to == m.Step.WARNING:
                for f in named:
                    reasons = [f.row.severity] + (["repeated_finding"] if f.repeat_of is not None else [])
                    for reason_key in reasons:
                        if (id(f), reason_key) not in given:
                            given.add((id(f), reason_key))
                            award(
                                int(policy["points"].get(reason_key) or 0),
                                reason_key,
                                when.date(),
                                f,
                                decision,
                            )
            step, last_decision = to, when
            decisions.append(decision)
            return decision

        # Events: the office's decision on a visit's findings (a few days after), and the weekly runs.
        by_visit: dict[int, list[_Finding]] = defaultdict(list)
        order = []
        for f in findings:
            if id(f.visit) not in by_visit:
                order.append(f.visit)
            by_visit[id(f.visit)].append(f)
        events = []
        for visit in order:
            when = _at(
                visit.day + dt.timedelta(days=rng.randrange(1, 6)), rng.randrange(10, 14), rng.randrange(60)
            )
            if when.date() < today:
                events.append((when, 1, "visit", visit))
        saturday = _saturday_after(self.start - dt.timedelta(days=1))
        while saturday < today:
            events.append((_at(saturday, 1), 0, "run", None))
            saturday += dt.timedelta(days=7)
        events.sort(key=lambda e: (e[0], e[1]))
        for when, _order, kind, visit in events:
            if kind == "visit":
                new = by_visit[id(visit)]
                safety = [f for f in new if f.row.severity == "critical" and f.row.safety]
                repeats = [f for f in new if f.repeat_of is not None]
                serious = [f for f in new if f.row.severity in ("major", "critical")]
                date = _jdate(visit.day)
                if safety and step < m.Step.SUSPENSION:
                    licence = safety[0].row.licence_id or u.active_licence()
                    decision = decide(
                        when,
                        m.Step.SUSPENSION,
                        m.Trigger.CRITICAL_SAFETY,
                        f"یافته بحرانی ایمنی در بازدید {date}: تعلیق پروانه و جمع‌آوری محصول از بازار "
                        "به تصمیم کمیته علائم.",
                        safety,
                        licence=licence,
                    )
                    decision.market_withdrawal = decision.coercive = True
                    if licence is not None:
                        suspended_licence = licence
                        decision.sanction = self._sanction(
                            licence, DecisionKind.SUSPEND, decision.reason, when
                        )
                elif step >= m.Step.SUSPENSION:
                    continue  # the Marks Committee already holds the licence; findings wait for the way back
                elif (
                    repeats
                    and m.Step.ADVICE <= step < (cap if u.script == "troubled" else m.Step.WARNING)
                    and (u.script == "troubled" or rng.random() < 0.6)  # the office may advise once more
                ):
                    decide(
                        when,
                        step + 1,
                        m.Trigger.REPEATED_FINDING,
                        f"تکرار یافته پیشین در بازدید {date}؛ پله پایین‌تر به اصلاح نینجامید.",
                        repeats,
                    )
                elif step == m.Step.NONE and (serious or rng.random() < 0.4):
                    to = m.Step.ADVICE
                    if serious and u.script != "producer" and rng.random() < 0.5:
                        to = m.Step.CLINIC
                    text = (
                        f"یافته‌های عمده در بازدید {date}: ارجاع به کلینیک مشاوره برای رفع علت مغایرت."
                        if to == m.Step.CLINIC
                        else f"یافته‌های بازدید {date}: توصیه و راهنمایی برای رفع مغایرت‌ها."
                    )
                    decide(when, to, m.Trigger.FINDING, text, new)
                elif step == m.Step.ADVICE and serious and rng.random() < 0.5:
                    decide(
                        when,
                        m.Step.CLINIC,
                        m.Trigger.FINDING,
                        f"یافته‌های عمده دوباره در بازدید {date}: ارجاع به کلینیک مشاوره.",
                        serious,
                    )
                continue
            # The weekly overdue run (01:00), then the step-down run.
            day = when.date()
            overdue = [f for f in findings if f.escalated == when]
            if overdue:
                for f in overdue:
                    award(int(policy["points"].get("deadline_missed") or 0), "deadline_missed", day, f)
                if step + 1 <= min(cap, AUTOMATIC_UP_TO):
                    first_due = min(f.due for f in overdue)
                    decide(
                        when + dt.timedelta(minutes=1),
                        step + 1,
                        m.Trigger.DEADLINE_MISSED,
                        f"{_fa(len(overdue))} مهلت اقدام اصلاحی از دست رفت "
                        f"(نخستین مهلت {_jdate(first_due)})؛ پله پایین‌تر به اصلاح نینجامید.",
                        overdue,
                        by_office=False,
                    )
            if step == m.Step.NONE:
                continue
            cutoff = _at(day - dt.timedelta(days=clean_days - 1), 0)
            seen = [f for f in findings if f.at < when]
            clean = (
                all(f.closed is not None and f.closed < when for f in seen)
                and all(f.at < cutoff for f in seen)
                and last_decision is not None
                and last_decision < cutoff
            )
            if not clean:
                continue
            if step in STEP_DOWN_AUTOMATIC:
                decide(
                    when + dt.timedelta(minutes=30),
                    step - 1,
                    m.Trigger.CORRECTED,
                    f"همه یافته‌ها اصلاح و تأیید شد و {_fa(clean_days)} روز بی‌یافته یا تصمیم تازه گذشت.",
                    [],
                    by_office=False,
                )
            elif step == m.Step.SUSPENSION:
                # Stepping down from suspension reinstates the licence: the committee's next meeting.
                at = _at(day + dt.timedelta(days=3), 11)
                if at.date() < today:
                    decide(
                        at,
                        m.Step.TIGHTENED,
                        m.Trigger.CORRECTED,
                        "اقدام اصلاحی یافته ایمنی تأیید شد و دوره پاکی سپری شد؛ پروانه با تصمیم کمیته علائم "
                        "اعاده شد و نمونه‌برداری تشدیدشده ادامه دارد.",
                        [],
                        licence=suspended_licence,
                    )
                    if suspended_licence is not None:
                        decisions[-1].sanction = self._sanction(
                            suspended_licence, DecisionKind.REINSTATE, decisions[-1].reason, at
                        )
                        suspended_licence = None
        warned = any(d.step == m.Step.WARNING and d.previous_step < d.step for d in decisions)
        if warned and (not self.legacy_points or rng.random() < 0.5):
            # Points from before the platform (the office's paper register), expired since: the unit's
            # page shows what no longer counts next to what does.
            awarded = self.today - dt.timedelta(days=expiry + rng.randrange(20, 150))
            award(int(policy["points"]["major"]), "major", awarded)
            self.legacy_points += 1
        self.decisions.extend(decisions)
        self.points.extend(awards)
        u.final_step = step
        u.final_decision = decisions[-1] if decisions else None

    def _sanction(self, licence_id: int, kind: str, reason: str, when: dt.datetime) -> Decision:
        """The Marks Committee's decision a ladder step makes (the step links it: `sanction`)."""
        decision = Decision(
            kind=kind,
            licence_id=licence_id,
            sanction_reason=self.sanction if kind == DecisionKind.SUSPEND else None,
            reason=reason,
            members_present=["مدیر کل", "معاون نظارت", "کارشناس مسئول"],
            decided_by=self.officer,
        )
        decision.demo_at = when
        self.licence_decisions.append(decision)
        self.licence_states[licence_id] = (
            LicenceState.SUSPENDED if kind == DecisionKind.SUSPEND else LicenceState.ACTIVE
        )
        return decision

    # -- writing it all

    def write(self) -> None:
        rng, today, province, officer = self.rng, self.today, self.province, self.officer
        changes: dict[User | None, list[Change]] = defaultdict(list)
        figures = self.figures
        # Plans and the inspectors' days.
        plans = {}
        for info in self.plans_info:
            k = info["k"]
            draft = k == 1
            plan = m.InspectionPlan(
                public_id=_uuid(rng),
                province=province,
                period_kind=m.PeriodKind.MONTH,
                year=info["year"],
                period=info["month"],
                starts_on=info["first"],
                ends_on=info["last"],
                state=m.PlanState.DRAFT if draft else m.PlanState.PUBLISHED,
                policy_version=self.policy.version,
                created_by=officer,
                published_by=None if draft else officer,
                published_at=None if draft else _at(info["first"] - dt.timedelta(days=3), 10),
            )
            plan.demo_info = info
            plan.demo_at = _at(info["first"] - dt.timedelta(days=7 if not draft else 0), 9)
            if draft:
                plan.demo_at = _at(min(today - dt.timedelta(days=1), info["first"] - dt.timedelta(days=7)), 9)
            plans[k] = plan
        routine = defaultdict(list)
        for visit in self.visits:
            if visit.month is not None:
                routine[visit.month].append(visit)
        for k, plan in plans.items():
            info = plan.demo_info
            visits = routine[k]
            by_tier = defaultdict(int)
            by_county = defaultdict(int)
            for visit in visits:
                by_tier[visit.unit.tier] += 1
                by_county[visit.county_id] += 1
            plan.report = {
                "units_due": info["due"],
                "visits": len(visits),
                "overdue_first": info["overdue"],
                "capacity": sum(len(self.month_days[(i.pk, k)]) for i in self.inspectors)
                * int(self.policy["visits_per_day"]),
                "inspectors": len(self.inspectors),
                "by_tier": {tier: by_tier[tier] for tier in TIERS},
                "by_county": {str(county): count for county, count in sorted(by_county.items())},
                "unannounced": sum(v.unannounced for v in visits),
                "unplaced": [
                    {"unit": u.pk, "name": u.unit.name_fa, "reason": "no_capacity"}
                    for u in info["unplaced"][:50]
                ],
                "unplaced_count": len(info["unplaced"]),
            }
        m.InspectionPlan.objects.bulk_create(list(plans.values()))
        m.PlanInspector.objects.bulk_create(
            m.PlanInspector(
                plan=plan,
                inspector=inspector,
                days=[day.isoformat() for day in self.month_days[(inspector.pk, k)]],
                visits_per_day=int(self.policy["visits_per_day"]),
            )
            for k, plan in plans.items()
            for inspector in self.inspectors
        )
        for plan in plans.values():
            changes[officer].append(
                Change(
                    EventType.PLAN_GENERATED,
                    obj=plan,
                    province=province,
                    details={"visits": plan.report["visits"]},
                )
            )
            if plan.state == m.PlanState.PUBLISHED:
                changes[officer].append(Change(EventType.PLAN_PUBLISHED, obj=plan, province=province))
        figures.plans = len(plans)

        answered_at = m.ChecklistAnswer._meta.get_field("answered_at")
        # Visits, in date order.
        self.visits.sort(key=lambda v: (v.day, v.slot, v.inspector.pk))
        rows = []
        for visit in self.visits:
            u = visit.unit
            done = visit.state == m.InspectionState.DONE
            row = m.Inspection(
                public_id=_uuid(rng),
                province=province,
                unit=u.unit,
                site_id=u.site_id,
                county_id=visit.county_id,
                plan=plans.get(visit.month) if visit.month is not None else None,
                inspector=visit.inspector,
                scheduled_on=visit.day,
                unannounced=visit.unannounced,
                kind=visit.kind,
                reasons=visit.reasons,
                state=visit.state,
                checklist=self.checklist if done else None,
                started_at=visit.started if done else None,
                finished_at=visit.finished if done else None,
                summary=self._summary(visit) if done else "",
                cancel_reason=getattr(visit, "cancel_reason", ""),
                created_by=officer,
            )
            plan = row.plan
            row.demo_at = (
                plan.demo_at
                if plan is not None
                else _at(min(visit.day, today) - dt.timedelta(days=rng.randrange(2, 8)), 9, rng.randrange(60))
            )
            if plan is None and visit.complaint is not None and visit.complaint.triaged:
                row.demo_at = max(visit.complaint.triaged, row.demo_at)
            visit.row = row
            rows.append(row)
        m.Inspection.objects.bulk_create(rows, batch_size=1000)
        figures.visits = len(rows)
        figures.done = sum(v.state == m.InspectionState.DONE for v in self.visits)
        figures.cancelled = sum(v.state == m.InspectionState.CANCELLED for v in self.visits)
        figures.planned = sum(v.state == m.InspectionState.PLANNED for v in self.visits)
        for visit in self.visits:  # one event a visit: its latest state
            planned = visit.state == m.InspectionState.PLANNED
            changes[officer if planned else visit.inspector].append(
                Change(
                    EventType.INSPECTION_SAVED if planned else EventType.INSPECTION_MOVED,
                    obj=visit.row,
                    province=province,
                    details={"kind": visit.kind, "state": visit.state},
                )
            )

        # Findings (the repeats point at earlier rows: set once every row has its key).
        self.findings.sort(key=lambda f: f.at)  # stable: ties keep the order they were found in
        for f in self.findings:
            f.row.inspection = f.visit.row
        m.Finding.objects.bulk_create([f.row for f in self.findings], batch_size=1000)
        repeats = []
        for f in self.findings:
            if f.repeat_of is not None:
                f.row.repeat_of = f.repeat_of.row
                repeats.append(f.row)
        m.Finding.objects.bulk_update(repeats, ["repeat_of"], batch_size=500)
        figures.findings = len(self.findings)
        for f in self.findings:
            changes[f.visit.inspector].append(
                Change(
                    EventType.FINDING_SAVED,
                    obj=f.row,
                    province=province,
                    details={"severity": f.row.severity, "state": f.row.state},
                )
            )

        # Checklist answers on done visits: nonconforming where a finding was recorded.
        # Forty thousand answers: one executemany, not model instances (bulk_create spends seconds building
        # and preparing them); the columns come from the model, so a renamed field fails here loudly.
        answers = []
        if self.checklist is not None:
            for visit in self.visits:
                if visit.state != m.InspectionState.DONE:
                    continue
                found = {f.row.item_id for f in visit.findings}
                finished = answered_at.get_db_prep_value(visit.finished, connection)
                for item in self.items:
                    if item.pk in found:
                        result, note = m.AnswerResult.NONCONFORMING, ""
                    elif rng.random() < 0.04:
                        result, note = m.AnswerResult.NOT_APPLICABLE, "در این واحد موضوعیت ندارد."
                    else:
                        result, note = m.AnswerResult.CONFORMS, ""
                    answers.append((visit.row.pk, item.pk, str(result), note, visit.inspector.pk, finished))
            _insert(
                m.ChecklistAnswer,
                ["inspection", "item", "result", "note", "answered_by", "answered_at"],
                answers,
            )
        figures.answers = len(answers)
        Checks = m.Inspection.checks.through
        Checks.objects.bulk_create(
            [Checks(inspection_id=v.row.pk, finding_id=f.row.pk) for v in self.visits for f in v.checks],
            batch_size=2000,
        )

        # Corrective actions.
        actions = []
        for f in self.findings:
            for action in f.actions:
                action.finding = f.row
                actions.append(action)
        m.CorrectiveAction.objects.bulk_create(actions, batch_size=1000)
        figures.actions = len(actions)
        figures.overdue_actions = sum(
            a.state in (m.ActionState.ACCEPTED, m.ActionState.REOPENED) and a.due_on < today for a in actions
        )
        for action in actions:
            actor = officer if action.state != m.ActionState.PROPOSED else action.proposed_by
            changes[actor].append(
                Change(EventType.ACTION_MOVED, obj=action, province=province, details={"state": action.state})
            )

        # The ladder: referrals, the Marks Committee's decisions, decisions, points.
        Referral.objects.bulk_create(self.referrals, batch_size=1000)
        for referral in self.referrals:
            changes[officer].append(
                Change(
                    EventType.REFERRAL_CREATED,
                    obj=referral,
                    province=province,
                    details={"source": referral.source},
                )
            )
        if self.licence_states:
            licences = list(Licence.objects.filter(pk__in=list(self.licence_states)).order_by("pk"))
            for licence in licences:
                licence.state = self.licence_states[licence.pk]
            Licence.objects.bulk_update(licences, ["state"])
        Decision.objects.bulk_create(self.licence_decisions)
        for decision in self.licence_decisions:
            event = (
                EventType.LICENCE_SUSPENDED
                if decision.kind == DecisionKind.SUSPEND
                else EventType.LICENCE_REINSTATED
            )
            changes[officer].append(
                Change(
                    event,
                    obj=decision,
                    province=province,
                    reason=decision.reason,
                    details={"licence": decision.licence_id},
                )
            )
        self.decisions.sort(key=lambda d: (d.demo_at, d.unit_id))
        for decision in self.decisions:
            if decision.referral is not None:
                decision.referral_id = decision.referral.pk
            if decision.sanction is not None:  # written above, with its primary key now
                decision.sanction_id = decision.sanction.pk
        m.LadderDecision.objects.bulk_create(self.decisions, batch_size=1000)
        Named = m.LadderDecision.findings.through
        Named.objects.bulk_create(
            [Named(ladderdecision_id=d.pk, finding_id=f.pk) for d in self.decisions for f in d.demo_findings],
            batch_size=2000,
        )
        figures.decisions = len(self.decisions)
        figures.coercive = sum(d.coercive for d in self.decisions)
        for decision in self.decisions:
            changes[decision.decided_by].append(
                Change(
                    EventType.LADDER_DECIDED,
                    obj=decision,
                    province=province,
                    reason=decision.reason,
                    details={
                        "from": decision.previous_step,
                        "to": decision.step,
                        "trigger": decision.trigger,
                        "coercive": decision.coercive,
                        "market_withdrawal": decision.market_withdrawal,
                    },
                )
            )
        for point in self.points:
            if point.decision is not None:
                point.decision_id = point.decision.pk
        m.NegativePoint.objects.bulk_create(self.points, batch_size=1000)
        figures.points = len(self.points)
        for point in self.points:
            changes[None].append(
                Change(
                    EventType.POINTS_AWARDED,
                    obj=point,
                    province=province,
                    reason=point.reason,
                    details={"points": point.points},
                )
            )
        # Intensified sampling follows the current rung.
        tightened = []
        for u in self.units:
            step = getattr(u, "final_step", m.Step.NONE)
            on = step >= m.Step.TIGHTENED
            if on != u.unit.tightened_sampling:
                u.unit.tightened_sampling = on
                u.unit.tightened_sampling_reason = (
                    f"پله «نمونه‌برداری تشدیدشده» نردبان اجرا از {_jdate(u.final_decision.demo_at.date())}"
                    if on
                    else ""
                )
                tightened.append(u.unit)
        ProductionUnit.objects.bulk_update(tightened, ["tightened_sampling", "tightened_sampling_reason"])
        figures.tightened_units = sum(getattr(u, "final_step", 0) == m.Step.TIGHTENED for u in self.units)
        figures.suspended_units = sum(getattr(u, "final_step", 0) == m.Step.SUSPENSION for u in self.units)

        # Market cases, complaints.
        m.MarketCase.objects.bulk_create(self.cases)
        figures.market_cases = len(self.cases)
        for case in self.cases:
            changes[officer].append(
                Change(
                    EventType.MARKET_CASE_SAVED,
                    obj=case,
                    province=province,
                    details={"kind": case.kind, "state": case.state},
                )
            )
        self._write_complaints(changes)

        # When each thing happened.
        backdate(m.InspectionPlan, [(p.demo_at, p.pk) for p in plans.values()])
        backdate(m.Inspection, [(r.demo_at, r.pk) for r in rows])
        backdate(m.Finding, [(f.at, f.row.pk) for f in self.findings])
        backdate(m.CorrectiveAction, [(a.demo_at, a.pk) for a in actions])
        backdate(Referral, [(r.demo_at, r.pk) for r in self.referrals])
        backdate(Decision, [(d.demo_at, d.pk) for d in self.licence_decisions])
        backdate(m.LadderDecision, [(d.demo_at, d.pk) for d in self.decisions])
        backdate(m.NegativePoint, [(p.demo_at, p.pk) for p in self.points])
        backdate(m.MarketCase, [(c.demo_at, c.pk) for c in self.cases])
        for actor, actor_changes in changes.items():
            audit_many(actor=actor, changes=actor_changes)

    def _summary(self, visit: _Visit) -> str:
        count = len(visit.findings)
        if not count:
            return "همه موارد فهرست بازرسی بررسی شد؛ مغایرتی دیده نشد."
        return f"همه موارد فهرست بازرسی بررسی شد؛ {_fa(count)} یافته ثبت و به واحد ابلاغ شد."

    def _write_complaints(self, changes) -> None:
        rng, today, province, officer = self.rng, self.today, self.province, self.officer
        complaints, cases = [], []
        for c in self.complaints:
            complaint = Complaint(
                public_id=_uuid(rng),
                licence_id=c.licence_id,
                tracking_code=c.tracking_code,
                province=province if c.province_known else None,
                text=c.text,
                contact=c.contact,
            )
            complaint.demo_at = c.filed
            complaints.append(complaint)
            c.row = complaint
        Complaint.objects.bulk_create(complaints)
        for c in self.complaints:
            if c.triaged is None:
                continue
            case = m.ComplaintCase(
                complaint=c.row,
                province=province,
                channel=c.channel,
                unit=c.unit.unit,
                licence_id=c.licence_id,
                priority=c.priority,
                # A complaint with an unknown code has no province: a national admin triages it.
                triaged_by=officer if c.province_known else self.admin,
            )
            case.demo_at = c.triaged
            visit = c.visit
            if c.received:
                case.state = m.TriageState.RECEIVED
            else:
                case.state = m.TriageState.INVESTIGATING
                case.assigned_to = visit.inspector if visit is not None else rng.choice(self.inspectors)
                if visit is not None:
                    case.inspection = visit.row
                    closes = visit.day + dt.timedelta(days=rng.randrange(15, 40))
                    ready = visit.state == m.InspectionState.DONE and closes < today
                else:
                    closes = c.triaged.date() + dt.timedelta(days=rng.randrange(30, 60))
                    ready = closes < today and c.outcome != "upheld"
                if ready:
                    outcome = c.outcome
                    if visit is not None and visit.state == m.InspectionState.DONE and not visit.findings:
                        outcome = "not_upheld" if outcome == "upheld" else outcome
                    case.state, case.outcome = m.TriageState.CLOSED, outcome
                    case.outcome_note = rng.choice(COMPLAINT_OUTCOME_NOTES_FA[outcome])
                    case.closed_by, case.closed_at = officer, _at(closes, rng.randrange(10, 15))
                    if outcome == "not_ours" and c.channel == m.ComplaintChannel.PUBLIC:
                        case.unit, case.licence_id = None, None
            cases.append(case)
        m.ComplaintCase.objects.bulk_create(cases)
        self.figures.complaints = len(complaints)
        self.figures.complaint_cases = len(cases)
        for complaint, c in zip(complaints, self.complaints, strict=True):
            changes[officer if c.channel == m.ComplaintChannel.OFFICE else None].append(
                Change(
                    EventType.COMPLAINT_FILED,
                    obj=complaint,
                    province=complaint.province,
                    details={"tracking_code": complaint.tracking_code},
                )
            )
        for case in cases:
            changes[officer].append(
                Change(
                    EventType.COMPLAINT_TRIAGED,
                    obj=case,
                    province=province,
                    details={"state": case.state, "outcome": case.outcome},
                )
            )
        backdate(Complaint, [(c.demo_at, c.pk) for c in complaints])
        backdate(m.ComplaintCase, [(c.demo_at, c.pk) for c in cases])
