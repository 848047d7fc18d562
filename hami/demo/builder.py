"""Build the demo province: a deterministic synthetic province shaped like Qazvin.

Qazvin province (سالنامه آماری استان قزوین): about 3,800 production units under the standards
office, most in Qazvin and Alborz counties (the Alborz, Lia, Caspian and Kasra industrial estates),
about 800 products under mandatory standards, dozens of cooperating labs. The same seed gives the
same data, row for row. The builder writes in bulk for speed (3,800 units in a few seconds) and
records one audit event per created unit, product, standard, category and lab, as the services
would; nothing here is reachable from a page or the API. Licensing is built by licences.py,
conformity testing (lab scopes, a year of samples, orders and reports) by testing.py.
"""

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from hami.core.audit import Change, audit_many
from hami.core.identifiers import make_legal_id, make_national_code
from hami.core.models import County, EventType, Province, Role, User
from hami.core.persian import normalize_text
from hami.demo import vocab
from hami.demo.licences import build_licensing
from hami.demo.outreach import build_outreach
from hami.demo.supervision import build_supervision
from hami.demo.testing import build_testing, lab_standing
from hami.labs.models import (
    ApprovalStatus,
    CompanyMembership,
    InspectionCompany,
    Lab,
    LabKind,
    LabMembership,
)
from hami.registry.models import (
    Product,
    ProductionUnit,
    QCManager,
    Site,
    SizeClass,
    UnitMembership,
    UnitStatus,
)
from hami.registry.services import unit_search_text
from hami.standards.models import ProductCategory, Requirement, Standard
from hami.standards.services import standard_search_text

DEMO_PASSWORD = "hami-demo-1405"

# Share of the province's units per county: the industrial estates sit in Qazvin and Alborz counties.
COUNTY_WEIGHTS = {"qazvin": 38, "alborz": 30, "abyek": 12, "buin-zahra": 9, "takestan": 8, "avaj": 3}
# Rough centres (lat, lon) of the counties, for plausible unit locations.
COUNTY_CENTRES = {
    "qazvin": (36.27, 50.00),
    "alborz": (36.19, 50.23),
    "abyek": (36.04, 50.53),
    "buin-zahra": (35.77, 50.06),
    "takestan": (36.07, 49.70),
    "avaj": (35.58, 49.22),
}
SIZE_WEIGHTS = {SizeClass.MICRO: 35, SizeClass.SMALL: 40, SizeClass.MEDIUM: 15, SizeClass.LARGE: 10}
STATUS_WEIGHTS = {UnitStatus.ACTIVE: 88, UnitStatus.IDLE: 9, UnitStatus.CLOSED: 3}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str


@dataclass
class DemoSummary:
    units: int = 0
    products: int = 0
    mandatory_products: int = 0
    standards: int = 0
    mandatory_standards: int = 0
    requirements: int = 0
    categories: int = 0
    labs: int = 0
    licences: int = 0
    applications: int = 0
    scope_lines: int = 0
    testing_requirements: int = 0  # of the standards mandatory today
    gaps: int = 0  # of those, tested by no lab in the country
    samples: int = 0
    decided_samples: int = 0
    not_conforming: int = 0
    orders: int = 0
    open_orders: int = 0
    reports: int = 0
    logins: list[DemoLogin] | None = None
    outreach: object = None  # hami.demo.outreach.OutreachFigures
    supervision: object = None  # hami.demo.supervision.SupervisionFigures


class DemoExists(Exception):
    pass


DEMO_LOGINS = [
    DemoLogin("admin", "National admin", "INSO headquarters, every province; /admin/ too"),
    DemoLogin("officer", "Office staff", "Qazvin standards office"),
    DemoLogin("inspector", "Inspector", "Qazvin standards office"),
    DemoLogin("tehran-officer", "Office staff", "Tehran office (sees only Tehran)"),
    DemoLogin("lab", "Lab staff", "a cooperating lab in Qazvin"),
    DemoLogin("company", "Inspection company", "an inspection company in Qazvin"),
    DemoLogin("producer", "Unit representative", "one production unit in Qazvin"),
    DemoLogin("advisor", "Private consultant", "holds consultation clinics in Qazvin"),
]


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def has_data() -> bool:
    return ProductionUnit.objects.exists() or Standard.objects.exists()


def build_demo(
    *,
    seed: int = 1405,
    units: int = 3800,
    other_units: int = 60,
    progress: Callable[[str], None] = lambda message: None,
) -> DemoSummary:
    """Build the demo in one transaction. Raises DemoExists when the registry or catalogue has data."""
    if has_data():
        raise DemoExists("the database already holds units or standards; use --reset or a fresh database")
    rng = random.Random(seed)
    summary = DemoSummary()
    with transaction.atomic():
        qazvin = Province.objects.get(code="qazvin")
        tehran = Province.objects.get(code="tehran")
        admin = _staff_users(qazvin, tehran)
        progress("standards and product categories")
        categories, _standards = _catalogue(rng, admin, summary)
        progress(f"{units} production units in {qazvin.name_en}")
        unit_rows = _units(rng, admin, qazvin, units, "qazvin")
        if other_units:
            unit_rows += _units(rng, admin, tehran, other_units, "tehran")
        summary.units = len(unit_rows)
        progress("sites, products and QC managers")
        _products(rng, admin, unit_rows, categories, summary)
        progress("cooperating labs and inspection companies")
        labs, companies = _labs(rng, admin, qazvin, summary)
        progress("licences, applications and signing keys")
        products = list(
            Product.objects.filter(unit__in=unit_rows)
            .select_related("unit__province", "site", "category")
            .prefetch_related("category__standards")
            .order_by("pk")
        )
        made = build_licensing(rng=rng, admin=admin, provinces=[qazvin, tehran], products=products)
        summary.licences, summary.applications = made["licences"], made["applications"]
        progress("lab scopes, a year of samples, test orders and reports")
        testing = build_testing(
            rng=rng, admin=admin, province=qazvin, labs=labs, companies=companies, products=products
        )
        for name in ("scope_lines", "gaps", "samples", "not_conforming", "orders", "open_orders", "reports"):
            setattr(summary, name, getattr(testing, name))
        summary.testing_requirements, summary.decided_samples = testing.requirements, testing.decided
        progress("demo users")
        # The demo login `lab` works in the approved, accredited lab with the most open orders.
        login_lab = testing.login_lab or next(lab for lab in labs if lab.accredited())
        summary.logins = _portal_users(qazvin, unit_rows, login_lab, companies)
        progress("courses and sessions, consultation clinics, working groups")
        producer_unit = ProductionUnit.objects.get(memberships__user__username="producer")
        summary.outreach = build_outreach(
            rng=rng, admin=admin, province=qazvin, labs=[lab for lab in labs if lab.accredited()],
            producer_unit=producer_unit,
        )  # fmt: skip
        progress("a year of supervision: plans, visits, findings, corrective actions, ladder, cases")
        summary.supervision = build_supervision(
            rng=rng, admin=admin, province=qazvin, producer_unit=producer_unit
        )
        audit_many(
            actor=admin,
            changes=[
                Change(
                    event_type=EventType.DEMO_BUILT,
                    object_type="demo",
                    object_id=str(seed),
                    province=qazvin,
                    details={"seed": seed, "units": summary.units, "products": summary.products},
                )
            ],
        )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
    return summary


def _staff_users(qazvin: Province, tehran: Province) -> User:
    admin = User.objects.create_user(
        username="admin",
        password=DEMO_PASSWORD,
        role=Role.NATIONAL_ADMIN,
        first_name="مدیر",
        last_name="ستاد ملی",
        is_staff=True,
        is_superuser=True,
    )
    User.objects.create_user(
        username="officer", password=DEMO_PASSWORD, role=Role.OFFICE_STAFF, province=qazvin,
        first_name="مریم", last_name="رضایی",
    )  # fmt: skip
    User.objects.create_user(
        username="inspector", password=DEMO_PASSWORD, role=Role.INSPECTOR, province=qazvin,
        first_name="علی", last_name="کریمی",
    )  # fmt: skip
    User.objects.create_user(
        username="tehran-officer", password=DEMO_PASSWORD, role=Role.OFFICE_STAFF, province=tehran,
        first_name="سارا", last_name="احمدی",
    )  # fmt: skip
    return admin


def _portal_users(qazvin, unit_rows, lab: Lab, companies) -> list[DemoLogin]:
    lab_user = User.objects.create_user(
        username="lab", password=DEMO_PASSWORD, role=Role.LAB_STAFF, first_name="نرگس", last_name="موسوی"
    )
    LabMembership.objects.create(user=lab_user, lab=lab)
    company_user = User.objects.create_user(
        username="company",
        password=DEMO_PASSWORD,
        role=Role.INSPECTION_COMPANY,
        first_name="حسین",
        last_name="نوری",
    )
    CompanyMembership.objects.create(user=company_user, company=companies[0])
    rep = User.objects.create_user(
        username="producer", password=DEMO_PASSWORD, role=Role.UNIT_REP, first_name="رضا", last_name="حسینی"
    )
    with_products = [u for u in unit_rows if u.province_id == qazvin.pk and getattr(u, "demo_products", 0)]
    UnitMembership.objects.create(user=rep, unit=with_products[0])
    named = {"lab": lab.name_en, "company": companies[0].name_en, "producer": with_products[0].name_en}
    return [DemoLogin(d.username, d.role, named.get(d.username, d.description)) for d in DEMO_LOGINS]


def _catalogue(rng: random.Random, admin: User, summary: DemoSummary):
    categories = ProductCategory.objects.bulk_create(
        ProductCategory(
            code=c["code"],
            name_fa=normalize_text(c["name_fa"]),
            name_en=c["name_en"],
            hs_code=c["hs"],
            isic=c["isic"],
            hazard_level=c["hazard"],
        )
        for c in vocab.CATEGORIES
    )
    by_code = {c.code: c for c in categories}
    standards = []
    for s in vocab.STANDARDS:
        mandatory = s.get("mandatory", True)
        standard = Standard(
            number=s["number"],
            year=s["year"],
            title_fa=normalize_text(s["title_fa"]),
            title_en=s["title_en"],
            ics=s["ics"],
            scheme=s["scheme"],
            is_mandatory=mandatory,
            mandatory_from=_mandatory_from(rng, s["year"]) if mandatory else None,
        )
        standard.search_text = standard_search_text(standard)
        standards.append(standard)
    standards = Standard.objects.bulk_create(standards)
    requirements = []
    links = []
    Link = ProductCategory.standards.through
    for standard, s in zip(standards, vocab.STANDARDS, strict=True):
        for r in s["requirements"]:
            requirements.append(
                Requirement(
                    standard=standard,
                    clause=r["clause"],
                    title_fa=normalize_text(r["title_fa"]),
                    title_en=r["title_en"],
                    test_method=r["method"],
                    limit_kind=r["kind"],
                    low=None if r["low"] is None else Decimal(str(r["low"])),
                    high=None if r["high"] is None else Decimal(str(r["high"])),
                    unit=r["unit"],
                    severity=r["severity"],
                )
            )
        for code in s["categories"]:
            links.append(Link(productcategory=by_code[code], standard=standard))
    Requirement.objects.bulk_create(requirements)
    Link.objects.bulk_create(links)
    audit_many(
        actor=admin,
        changes=[Change(EventType.STANDARD_CREATED, obj=s, details={"code": s.code}) for s in standards]
        + [Change(EventType.CATEGORY_CREATED, obj=c, details={"code": c.code}) for c in categories],
    )
    summary.standards = len(standards)
    summary.mandatory_standards = sum(s.is_mandatory for s in standards)
    summary.requirements = len(requirements)
    summary.categories = len(categories)
    return categories, standards


def _mandatory_from(rng: random.Random, year: int) -> dt.date:
    """Mostly a date after the revision year; one in twelve becomes mandatory only next Nowruz."""
    if rng.random() < 1 / 12:
        return dt.date(2027, 3, 21)  # 1 Farvardin 1406
    return dt.date(min(year + 1 + rng.randrange(3), 2025), 1 + rng.randrange(12), 1)


def _unit_name(rng: random.Random, category: ProductCategory | None) -> tuple[str, str]:
    index = rng.randrange(len(vocab.UNIT_CORES_FA))
    core_fa, core_en = vocab.UNIT_CORES_FA[index], vocab.UNIT_CORES_EN[index]
    second = rng.randrange(len(vocab.UNIT_CORES_FA))
    prefix = rng.choice(vocab.UNIT_PREFIXES_FA)
    if category is not None and rng.random() < 0.5:
        name_fa = f"{prefix} {category.name_fa} {core_fa}"
        name_en = f"{core_en} {category.name_en}"
    else:
        name_fa = f"{prefix} {core_fa} {vocab.UNIT_CORES_FA[second]}"
        name_en = f"{core_en} {vocab.UNIT_CORES_EN[second]} Industries"
    if rng.random() < 0.3:
        name_fa = f"{name_fa} ({rng.choice(vocab.UNIT_SUFFIXES_FA)})"
    return normalize_text(name_fa), name_en


def _units(rng: random.Random, admin: User, province: Province, count: int, weights_for: str):
    counties = {c.code: c for c in County.objects.filter(province=province)}
    weights = COUNTY_WEIGHTS if weights_for == "qazvin" else {code: 1 for code in counties}
    categories = list(ProductCategory.objects.order_by("code"))
    taken: set[str] = set(ProductionUnit.objects.values_list("national_id", flat=True))
    rows = []
    names_seen: set[str] = set()
    while len(rows) < count:
        national_id = make_legal_id("10" + f"{rng.randrange(10**8):08d}")
        if national_id in taken or int(national_id[3:9]) == 0:
            continue
        category = rng.choice(categories)
        name_fa, name_en = _unit_name(rng, category)
        if name_fa in names_seen:
            name_fa, name_en = f"{name_fa} {len(rows) % 9 + 2}", f"{name_en} {len(rows) % 9 + 2}"
        names_seen.add(name_fa)
        taken.add(national_id)
        county = (
            counties[_pick(rng, weights)] if weights_for == "qazvin" else rng.choice(list(counties.values()))
        )
        lat, lon = COUNTY_CENTRES.get(county.code, (35.70, 51.40))
        unit = ProductionUnit(
            public_id=_uuid(rng),
            national_id=national_id,
            name_fa=name_fa,
            name_en=name_en,
            province=province,
            county=county,
            address=normalize_text(
                f"{county.name_fa}، {rng.choice(vocab.STREETS_FA)}، پلاک {rng.randrange(1, 300)}"
            ),
            latitude=Decimal(f"{lat + rng.uniform(-0.15, 0.15):.6f}"),
            longitude=Decimal(f"{lon + rng.uniform(-0.15, 0.15):.6f}"),
            isic=category.isic,
            size_class=_pick(rng, SIZE_WEIGHTS),
            status=_pick(rng, STATUS_WEIGHTS),
        )
        unit.demo_category = category
        unit.search_text = unit_search_text(unit)
        rows.append(unit)
    created = ProductionUnit.objects.bulk_create(rows, batch_size=1000)
    audit_many(
        actor=admin,
        changes=[
            Change(EventType.UNIT_CREATED, obj=u, province=province, details={"national_id": u.national_id})
            for u in created
        ],
    )
    return created


def _products(rng: random.Random, admin: User, units, categories, summary: DemoSummary) -> None:
    """Two units in five make products under a standard (≈3,000 product lines, ≈800 kinds of product,
    ≈6,000 licences in Qazvin)."""
    mandatory_today = ProductCategory.objects.filter(standards__in=Standard.objects.mandatory_on())
    mandatory_codes = set(mandatory_today.values_list("code", flat=True))
    vocab_by_code = {c["code"]: c for c in vocab.CATEGORIES}
    today = timezone.localdate()
    sites, products, managers = [], [], []
    for unit in units:
        if unit.status == UnitStatus.CLOSED or rng.random() > 0.53:
            continue
        site = Site(
            unit=unit, name=f"کارخانه {unit.county.name_fa}", county=unit.county, address=unit.address
        )
        sites.append(site)
        category = unit.demo_category
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            info = vocab_by_code[category.code]
            model = rng.choice(info["models"])
            products.append(
                Product(
                    unit=unit,
                    site=site,
                    category=category,
                    name=normalize_text(f"{category.name_fa} {model}"),
                    brand=normalize_text(rng.choice(info["brands"])),
                    model=normalize_text(model),
                )
            )
        unit.demo_products = 1
        managers.append(
            QCManager(
                unit=unit,
                full_name=f"{rng.choice(vocab.PERSON_FIRST_FA)} {rng.choice(vocab.PERSON_LAST_FA)}",
                national_code=make_national_code(f"{rng.randrange(1, 10**9):09d}"),
                certificate_number=f"QC-{rng.randrange(10**6):06d}",
                # Valid: every unit with products may have an application under way, and sending one
                # needs a QC manager with a valid competence certificate (licensing).
                certificate_expiry=today + dt.timedelta(days=rng.randrange(20, 3 * 365)),
            )
        )
    Site.objects.bulk_create(sites, batch_size=1000)
    for product in products:
        product.site_id = product.site.pk
    Product.objects.bulk_create(products, batch_size=1000)
    QCManager.objects.bulk_create(managers, batch_size=1000)
    audit_many(
        actor=admin,
        changes=[
            Change(EventType.PRODUCT_CREATED, obj=p, province=p.unit.province, details={"name": p.name})
            for p in products
        ],
    )
    summary.products = len(products)
    # "800 products under mandatory standards" counts kinds of product (a name and brand), not each
    # unit's line: many units make the same product.
    summary.mandatory_products = len(
        {(p.name, p.brand) for p in products if p.category.code in mandatory_codes}
    )


def _labs(rng: random.Random, admin: User, province: Province, summary: DemoSummary):
    """The province's 40 cooperating labs in every standing (testing.lab_standing) and its two inspection
    companies; their scopes, staff and history come with the testing data (testing.build_testing)."""
    counties = {c.code: c for c in County.objects.filter(province=province)}
    today = timezone.localdate()
    labs = []
    for i, info in enumerate(vocab.LABS[:40]):
        standing = lab_standing(rng, info["name_en"], today)
        lab = Lab(
            public_id=_uuid(rng),
            name_fa=normalize_text(info["name_fa"]),
            name_en=info["name_en"],
            kind=LabKind.COOPERATING,
            province=province,
            county=counties[_pick(rng, COUNTY_WEIGHTS)],
            accreditation_number=f"NACI-{1400 + i:04d}",
            accreditation_body="مرکز ملی تأیید صلاحیت ایران",
            **standing.fields,
        )
        lab.demo_history, lab.demo_approved_on = standing.history, standing.approved_on
        labs.append(lab)
    labs = Lab.objects.bulk_create(labs)
    companies = InspectionCompany.objects.bulk_create(
        InspectionCompany(
            public_id=_uuid(rng),
            name_fa=f"شرکت بازرسی {core_fa}",
            name_en=f"{core_en} Inspection Co.",
            province=province,
            status=ApprovalStatus.APPROVED,
        )
        for core_fa, core_en in list(zip(vocab.UNIT_CORES_FA, vocab.UNIT_CORES_EN, strict=True))[:2]
    )
    audit_many(
        actor=admin,
        changes=[
            Change(EventType.LAB_CREATED, obj=lab, province=province, details={"name": lab.name_fa})
            for lab in labs
        ],
    )
    summary.labs = len(labs)
    return labs, companies
