"""Demo conformity testing: the labs' standing and history, their accredited scopes, the inspection
companies, and a year of samples, test orders, results and reports in the demo province.

Written in bulk like the rest of the demo, but by the rules the services enforce: an order goes only to
a lab that was approved and accredited for each of its tests on the day it was sent (a lab whose
accreditation lapsed, or a suspended one, gets none), never to a lab in conflict with the unit, within
the lab's weekly capacity, and with rotation (no lab tests a unit's product more than three times in a
row). Plans come from hami.labs.sampling with the switching rules over each product's lot history,
verdicts from hami.labs.decision, report contents from the function the results service uses; the
newest batch is placed by the real solver (hami.labs.assignment). A few percent of the mandatory
requirements need equipment no lab has: the capacity map shows them as gaps.

Every date derives from today's date and the seeded generator, never from the clock, so that the same
seed gives the same rows; nothing is dated later than yesterday's close of business.

Each persona finds work: samples waiting for assignment (the office), orders sent and not accepted,
accepted orders with some results (a lab), samples a company took and must still hand over (a company).
"""

import copy
import dataclasses
import datetime as dt
import heapq
import itertools
import math
import random
import uuid
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from hami.core.audit import Change, audit_many
from hami.core.models import County, EventType, Province, Role, User
from hami.core.persian import normalize_text
from hami.demo import vocab
from hami.labs import assignment as solver
from hami.labs import decision, sampling, units
from hami.labs.models import (
    AssignmentBatch,
    CompanyMembership,
    Conflict,
    ConflictKind,
    CustodyEvent,
    CustodyStep,
    InspectionCompany,
    InspectionSeverity,
    Lab,
    LabEvent,
    LabMembership,
    LabStatus,
    OrderState,
    Sample,
    SampleOrigin,
    ScopeLine,
    TestItem,
    TestOrder,
    TestReport,
)
from hami.labs.selectors import capacity_map, week_start
from hami.labs.services.orders import _placement_json
from hami.labs.services.results import _content
from hami.labs.services.samples import portion_state
from hami.licensing.tracking import verhoeff_check_digit
from hami.registry.models import Product, UnitStatus
from hami.standards.models import LimitKind, ProductCategory, Requirement, Severity, Standard

FOOD = (
    "dairy-milk", "dairy-yogurt", "dairy-cheese", "edible-oil-liquid", "edible-oil-frying",
    "bread-industrial", "biscuits", "confectionery-chocolate", "fruit-juice", "soft-drinks",
    "mineral-water", "tea", "rice", "sugar", "canned-food", "canned-tuna", "meat-sausage", "honey",
    "tomato-paste", "edible-salt",
)  # fmt: skip
BUILDING = (
    "cement", "gypsum-plaster", "steel-rebar", "ceramic-tiles", "pvc-pipes", "pe-pipes", "float-glass",
    "paint", "insulation-mineral-wool", "bitumen-membrane",
)  # fmt: skip
APPLIANCES = (
    "appliance-refrigerator", "appliance-washing-machine", "appliance-evaporative-cooler", "appliance-small",
)  # fmt: skip
ELECTRICAL = ("cables-lv", *APPLIANCES, "led-lamps", "circuit-breakers", "sockets-switches")
AUTOMOTIVE = ("tyres", "brake-pads", "batteries-lead-acid", "motor-oil", "safety-glass")
CHEMICAL = (
    "detergent-powder",
    "dishwashing-liquid",
    "cosmetics-cream",
    "shampoo",
    "toothpaste",
    "disinfectants",
)
GAS = (
    "gas-heater",
    "gas-water-heater",
    "gas-cooker",
    "gas-hose",
    "gas-regulator",
    "gas-boiler",
    "lpg-cylinder",
)
CONSUMER = (
    "toys", "textile-blanket", "machine-carpet", "children-clothing", "packaging-pet-bottles",
    "packaging-disposable", "medical-masks", "helmets-motorcycle", "fire-extinguishers", "pressure-cookers",
)  # fmt: skip

# What each lab of vocab.LABS tests: the product categories, and for a lab that does one kind of test
# across many products, which of their requirements ("micro": microbiology, "trace": contaminants).
LAB_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "Kayfiyat-Gostar Alborz Cooperating Lab": (FOOD + CHEMICAL, ""),
    "Azmoon-Gostar Qazvin Cooperating Lab": (FOOD + BUILDING, ""),
    "Payesh Keyfiyat Caspian Cooperating Lab": (FOOD, ""),
    "Sanjeshgaran Arya Cooperating Lab": (ELECTRICAL + CONSUMER, ""),
    "Pars Quality Control Cooperating Lab": (BUILDING + AUTOMOTIVE, ""),
    "Salem-Azma Food Cooperating Lab": (FOOD, ""),
    "Zist-Azma Microbiology Cooperating Lab": (FOOD + CHEMICAL, "micro"),
    "Kimia Pazhouh Chemistry Cooperating Lab": ((*CHEMICAL, "motor-oil", "paint"), ""),
    "Damavand Building Materials Cooperating Lab": (BUILDING, ""),
    "Sahand Concrete and Cement Cooperating Lab": (("cement", "gypsum-plaster"), ""),
    "Razi Metals and Welding Cooperating Lab": (
        ("steel-rebar", "lpg-cylinder", "pressure-cookers", "fire-extinguishers", "gas-regulator"),
        "",
    ),
    "Pouya Polymer Cooperating Lab": (
        ("pvc-pipes", "pe-pipes", "packaging-pet-bottles", "packaging-disposable", "gas-hose"),
        "",
    ),
    "Pishro Electrical and Electronics Cooperating Lab": (ELECTRICAL, ""),
    "Novin Energy and Appliances Cooperating Lab": ((*APPLIANCES, "led-lamps"), ""),
    "Imen-Gaz Gas Appliances Cooperating Lab": (GAS, ""),
    "Sepehr Automotive Parts Cooperating Lab": (AUTOMOTIVE, ""),
    "Termeh Textile Cooperating Lab": (
        ("textile-blanket", "machine-carpet", "children-clothing", "medical-masks"),
        "",
    ),
    "Shadineh Toys and Childcare Cooperating Lab": (("toys", "children-clothing"), ""),
    "Mana Packaging and Food-Contact Cooperating Lab": (
        ("packaging-pet-bottles", "packaging-disposable"),
        "",
    ),
    "Golbarg Cosmetics Cooperating Lab": (CHEMICAL, ""),
    "Nejat Safety and Fire Equipment Cooperating Lab": (
        ("fire-extinguishers", "helmets-motorcycle", "medical-masks"),
        "",
    ),
    "Zolal Water and Environment Cooperating Lab": (("mineral-water", "soft-drinks", "fruit-juice"), ""),
    "Zarrin Oils and Oilseeds Cooperating Lab": (("edible-oil-liquid", "edible-oil-frying"), ""),
    "Marghzar Dairy Cooperating Lab": (("dairy-milk", "dairy-yogurt", "dairy-cheese"), ""),
    "Khousheh Cereals and Bread Cooperating Lab": (
        ("bread-industrial", "biscuits", "rice", "confectionery-chocolate", "sugar", "tea"),
        "",
    ),
    "Imen-Ghaza Contaminants Cooperating Lab": (FOOD, "trace"),
    "Khak-Chini Ceramic Tiles Cooperating Lab": (("ceramic-tiles",), ""),
    "Shafaf Glass and Glazing Cooperating Lab": (("float-glass", "safety-glass"), ""),
    "Rangin-Kaman Paints and Coatings Cooperating Lab": (("paint", "bitumen-membrane"), ""),
    "Garmaban Insulation Cooperating Lab": (("insulation-mineral-wool", "bitumen-membrane"), ""),
    "Mes-Azma Wires and Cables Cooperating Lab": (("cables-lv",), ""),
    "Noursanj Lighting Cooperating Lab": (("led-lamps",), ""),
    "Rahvar Rubber and Tyre Cooperating Lab": (("tyres", "gas-hose"), ""),
    "Pars-Ravan Lubricants and Fuels Cooperating Lab": (("motor-oil",), ""),
    "Niroo Batteries Cooperating Lab": (("batteries-lead-acid",), ""),
    "Salamat-Azma Medical Devices Cooperating Lab": (("medical-masks", "disinfectants"), ""),
    "Foulad-Makhzan Pressure Vessels Cooperating Lab": (
        ("lpg-cylinder", "fire-extinguishers", "pressure-cookers", "gas-regulator"),
        "",
    ),
    "Daghigh Calibration and Metrology Cooperating Lab": (
        ("circuit-breakers", "sockets-switches", "gas-regulator"),
        "",
    ),
    "Keyfiyat-Sanj Abyek Cooperating Lab": (FOOD + BUILDING, ""),
    "Azmoon-Pazhouh Takestan Cooperating Lab": (FOOD + CONSUMER, ""),
}
GENERAL_FIELDS = (FOOD + BUILDING + CHEMICAL + CONSUMER + ELECTRICAL, "")

# Labs that are not simply approved (the others are), by name: a couple mid-approval, one that only
# applied, one suspended; three whose ISO/IEC 17025 accreditation lapsed (still "approved", listed as
# lapsed, no orders); two approved during the year (orders only after their approval).
STANDING = {
    "Razi Metals and Welding Cooperating Lab": LabStatus.FIXING,
    "Nejat Safety and Fire Equipment Cooperating Lab": LabStatus.DOCUMENT_REVIEW,
    "Mes-Azma Wires and Cables Cooperating Lab": LabStatus.APPLIED,
    "Salamat-Azma Medical Devices Cooperating Lab": LabStatus.SUSPENDED,
}
LAPSED = {
    "Novin Energy and Appliances Cooperating Lab",
    "Khak-Chini Ceramic Tiles Cooperating Lab",
    "Daghigh Calibration and Metrology Cooperating Lab",
}
APPROVED_THIS_YEAR = {"Zarrin Oils and Oilseeds Cooperating Lab", "Noursanj Lighting Cooperating Lab"}

# Product categories in each inspection company's approved scope (the first one's staff include the
# demo login `company`); the rest are sampled by the office's inspectors.
COMPANY_SCOPES = (FOOD + CHEMICAL, BUILDING + ELECTRICAL + GAS + AUTOMOTIVE)

# Kinds of test, by the requirement's unit: price range (rials), turnaround (days), weekly capacity.
MICRO_UNITS = {"cfu/g", "cfu/mL", "log", "% positive fields"}
TRACE_UNITS = {"mg/kg", "µg/kg", "mg/L", "mg/dm²", "mg/100 g"}
ENDURANCE_UNITS = {"cycles", "h"}
PHYSICAL_UNITS = {
    "N", "MPa", "kPa", "bar", "mbar", "mA", "V", "Ω", "MΩ", "Ω/km", "MΩ·km", "J", "dB(A)", "lm/W", "K", "°C",
    "ms", "mm/s", "kg/m²", "mm", "s", "min", "°", "arcmin",
}  # fmt: skip
TEST_KINDS = {
    "inspection": ((500_000, 1_500_000), (2, 4), (80, 200)),  # marking and labelling, by reading
    "functional": ((1_500_000, 8_000_000), (3, 10), (10, 60)),  # pass/fail safety and function tests
    "micro": ((1_500_000, 4_000_000), (5, 10), (30, 120)),
    "trace": ((4_000_000, 15_000_000), (7, 14), (10, 50)),  # heavy metals, mycotoxins, migration
    "endurance": ((8_000_000, 25_000_000), (10, 20), (5, 15)),  # cycles and hours on a rig
    "physical": ((2_000_000, 12_000_000), (2, 7), (15, 80)),
    "chemical": ((1_000_000, 5_000_000), (2, 6), (30, 150)),
}
MICRO_WORDS = (
    "salmonella",
    "listeria",
    "coli",
    "mould",
    "mold",
    "yeast",
    "microb",
    "bacteri",
    "staphyloc",
    "steril",
)
TRACE_WORDS = (
    "lead",
    "cadmium",
    "arsenic",
    "mercury",
    "aflatoxin",
    "ochratoxin",
    "pesticide",
    "nitrate",
    "migration",
)

GAP_SHARE = 0.04  # mandatory requirements whose method needs equipment no lab in the country has
NOT_CONFORMING = 0.055  # samples with a critical or major requirement failed
MINOR_FAULT = 0.04  # samples with only a marking or presentation fault
FOLLOW_UP = 0.7  # lots not accepted that the office follows with a sample of the next lot
FOLLOW_UP_BAD = 0.4  # the next lot of a unit whose lot failed fails more often
REJECTED = 0.025  # orders a lab declines
RECENT_DAYS = 21  # the last three weeks hold the open work
# The ages (days) of the first recent samples: waiting for assignment (1-2), in the solver's batch sent
# yesterday (3-5), accepted by labs with some results (6-14); the others are drawn.
RECENT_AGES = (1, 2, 2, 3, 4, 4, 5, 7, 8, 9, 10, 12, 14)
WAITING_AGE, BATCH_AGE = 2, 5
MAX_SAMPLES = 1000


@dataclasses.dataclass
class TestingFigures:
    __test__ = False

    scope_lines: int = 0
    requirements: int = 0  # of the standards mandatory today
    gaps: int = 0  # of those, with no usable lab in the country
    samples: int = 0
    decided: int = 0
    not_conforming: int = 0  # decided samples that do not conform
    orders: int = 0
    open_orders: int = 0
    reports: int = 0
    login_lab: Lab | None = None


@dataclasses.dataclass
class LabStanding:
    fields: dict
    history: list  # (from, to, at, reason, fix_by, by the lab)
    approved_on: dt.date | None  # the day from which it may receive orders; None: never


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _workday(day: dt.date) -> dt.date:
    """Friday is the Iranian weekend: work done on a Friday is recorded on the Saturday."""
    return day + dt.timedelta(days=1) if day.weekday() == 4 else day


def _last_workday(today: dt.date) -> dt.date:
    yesterday = today - dt.timedelta(days=1)
    return yesterday - dt.timedelta(days=1) if yesterday.weekday() == 4 else yesterday


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware UTC datetime for a Tehran wall-clock time, as the database hands it back."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute))).astimezone(dt.UTC)


# --- labs -------------------------------------------------------------------------------------------


def lab_standing(rng: random.Random, name_en: str, today: dt.date) -> LabStanding:
    """A lab's status, accreditation and the history of its approval (hami/labs/workflow.py), consistent
    with each other: an approved lab went through review, assessment and the committee, some of them by
    way of fixing deficiencies."""
    status = STANDING.get(name_en, LabStatus.APPROVED)
    path: list[tuple[str, int]] = []  # (status reached, days after the previous step)
    if status in (LabStatus.APPROVED, LabStatus.SUSPENDED):
        path.append((LabStatus.DOCUMENT_REVIEW, rng.randrange(2, 10)))
        detour = rng.choice((None, None, LabStatus.DOCUMENT_REVIEW, LabStatus.ASSESSMENT))
        if detour == LabStatus.DOCUMENT_REVIEW:
            path += [
                (LabStatus.FIXING, rng.randrange(5, 15)),
                (LabStatus.DOCUMENT_REVIEW, rng.randrange(10, 30)),
            ]
        path.append((LabStatus.ASSESSMENT, rng.randrange(10, 40)))
        if detour == LabStatus.ASSESSMENT:
            path += [(LabStatus.FIXING, rng.randrange(3, 10)), (LabStatus.ASSESSMENT, rng.randrange(10, 30))]
        path += [(LabStatus.COMMITTEE, rng.randrange(10, 30)), (LabStatus.APPROVED, rng.randrange(5, 15))]
        ago = rng.randrange(130, 220) if name_en in APPROVED_THIS_YEAR else rng.randrange(400, 2600)
        end = today - dt.timedelta(days=ago)
    elif status == LabStatus.FIXING:
        path = [
            (LabStatus.DOCUMENT_REVIEW, rng.randrange(3, 8)),
            (LabStatus.ASSESSMENT, rng.randrange(10, 20)),
            (LabStatus.FIXING, rng.randrange(7, 15)),
        ]
        end = today - dt.timedelta(days=rng.randrange(5, 20))
    elif status == LabStatus.DOCUMENT_REVIEW:
        path = [(LabStatus.DOCUMENT_REVIEW, rng.randrange(2, 5))]
        end = today - dt.timedelta(days=rng.randrange(5, 15))
    else:
        end = today - dt.timedelta(days=rng.randrange(2, 7))
    day = end - dt.timedelta(days=sum(days for _step, days in path))
    history = [("", LabStatus.APPLIED, _at(_workday(day), 9, rng.randrange(60)), "", None, True)]
    source = LabStatus.APPLIED
    fix_by = None
    for target, days in path:
        day += dt.timedelta(days=days)
        at = _at(_workday(day), rng.randrange(9, 15), rng.randrange(60))
        reason, fix_by, by_lab = "", None, False
        if target == LabStatus.FIXING:
            reason = rng.choice(vocab.LAB_DEFICIENCIES_FA)
            fix_by = today + dt.timedelta(days=rng.randrange(10, 40)) if status == LabStatus.FIXING else (
                day + dt.timedelta(days=30)
            )  # fmt: skip
        elif source == LabStatus.FIXING:
            by_lab = True  # the lab reports its deficiencies fixed
        elif target == LabStatus.APPROVED:
            reason = vocab.LAB_APPROVED_FA
        history.append((source, target, at, reason, fix_by, by_lab))
        source = target
    # Orders from the day after the committee's approval on (and never for a lab whose accreditation lapsed).
    usable = status == LabStatus.APPROVED and name_en not in LAPSED
    approved_on = _workday(day) + dt.timedelta(days=1) if usable else None
    if status == LabStatus.SUSPENDED:
        at = _at(_workday(today - dt.timedelta(days=rng.randrange(15, 60))), 11)
        history.append((LabStatus.APPROVED, LabStatus.SUSPENDED, at, vocab.LAB_SUSPENDED_FA, None, False))
    if name_en in LAPSED:
        expiry = today - dt.timedelta(days=rng.randrange(20, 150))
    else:
        expiry = today + dt.timedelta(days=rng.randrange(30, 4 * 365))
    fields = {
        "status": status,
        "status_since": history[-1][2],
        "fixing_from": LabStatus.ASSESSMENT if status == LabStatus.FIXING else "",
        "fix_by": fix_by if status == LabStatus.FIXING else None,
        "accreditation_expiry": expiry,
    }
    return LabStanding(fields, history, approved_on)


def _test_kind(requirement: Requirement) -> str:
    if requirement.limit_kind == LimitKind.PASS_FAIL:
        if _has_word(requirement, MICRO_WORDS):
            return "micro"
        return "inspection" if requirement.severity == Severity.MINOR else "functional"
    if requirement.unit in MICRO_UNITS:
        return "micro"
    if requirement.unit in TRACE_UNITS:
        return "trace"
    if requirement.unit in ENDURANCE_UNITS:
        return "endurance"
    if requirement.unit in PHYSICAL_UNITS:
        return "physical"
    return "chemical"


def _has_word(requirement: Requirement, words) -> bool:
    title = requirement.title_en.lower()
    return any(word in title for word in words)


def _in_field(requirement: Requirement, kind: str, test_kind: str) -> bool:
    if kind == "micro":
        return test_kind == "micro"
    if kind == "trace":
        return test_kind == "trace" or _has_word(requirement, TRACE_WORDS)
    return True


class _Catalogue:
    """The requirements with what the demo needs to know of them, read once."""

    def __init__(self, rng: random.Random, today: dt.date):
        self.mandatory = set(Standard.objects.mandatory_on(today).values_list("pk", flat=True))
        self.requirements = list(Requirement.objects.order_by("standard_id", "clause"))
        self.by_standard: dict[int, list[Requirement]] = defaultdict(list)
        for requirement in self.requirements:
            self.by_standard[requirement.standard_id].append(requirement)
        categories = {c.pk: c for c in ProductCategory.objects.all()}
        self.category_codes: dict[int, set[str]] = defaultdict(set)  # standard → category codes
        self.hazard: dict[int, int] = defaultdict(int)  # standard → highest hazard of its categories
        for standard_id, category_id in ProductCategory.standards.through.objects.order_by("pk").values_list(
            "standard_id", "productcategory_id"
        ):
            category = categories[category_id]
            self.category_codes[standard_id].add(category.code)
            self.hazard[standard_id] = max(self.hazard[standard_id], category.hazard_level)
        self.kind = {r.pk: _test_kind(r) for r in self.requirements}
        # Each test's going rate, turnaround and a typical lab's weekly capacity; labs vary around them.
        self.base: dict[int, tuple[int, int, int]] = {}
        for r in self.requirements:
            (low, high), (fast, slow), (few, many) = TEST_KINDS[self.kind[r.pk]]
            price = math.exp(rng.uniform(math.log(low), math.log(high)))
            if self.hazard[r.standard_id] >= 4:
                price *= 1.3  # gas appliances, helmets, toys with small parts: longer, costlier set-ups
            self.base[r.pk] = (int(price), rng.randint(fast, slow), rng.randint(few, many))
        self.gap_methods = self._gap_methods(rng)

    def mandatory_requirements(self) -> list[Requirement]:
        return [r for r in self.requirements if r.standard_id in self.mandatory]

    def _gap_methods(self, rng: random.Random) -> set[str]:
        """Test methods no lab in the country offers (rare equipment): whole methods, a few percent of
        the mandatory requirements."""
        by_method: dict[str, int] = Counter(
            r.test_method for r in self.mandatory_requirements() if r.test_method
        )
        methods = sorted(method for method, count in by_method.items() if count <= 3)
        rng.shuffle(methods)
        target = round(GAP_SHARE * len(self.mandatory_requirements()))
        gaps: set[str] = set()
        for method in methods:
            if sum(by_method[m] for m in gaps) >= target:
                break
            gaps.add(method)
        return gaps

    def is_gap(self, requirement: Requirement) -> bool:
        return requirement.test_method in self.gap_methods


def _scope(rng: random.Random, catalogue: _Catalogue, labs: list[Lab], today: dt.date) -> list[ScopeLine]:
    """Scope lines of every lab that is or was approved. Each lab covers most requirements of its
    fields; afterwards every requirement (but the gaps) of a mandatory standard gets at least one lab
    that has been usable the whole year, so that the year's samples find one."""
    lines: dict[tuple[int, int], ScopeLine] = {}

    def add(lab: Lab, requirement: Requirement) -> None:
        price, days, capacity = catalogue.base[requirement.pk]
        lines[(lab.pk, requirement.pk)] = ScopeLine(
            lab=lab,
            requirement=requirement,
            method=requirement.test_method or "روش داخلی آزمایشگاه",
            weekly_capacity=min(200, max(5, round(capacity * rng.uniform(0.6, 1.4)))),
            price=min(30_000_000, max(500_000, int(round(price * rng.uniform(0.8, 1.25), -4)))),
            turnaround_days=min(20, max(2, days + rng.randint(-1, 2))),
            # Trace contaminants near the limit of detection: the method allows U > value.
            uncertainty_may_exceed_value=requirement.unit in ("µg/kg", "mg/kg")
            and requirement.high is not None
            and requirement.high < 1,
        )

    approved = [lab for lab in labs if lab.status in (LabStatus.APPROVED, LabStatus.SUSPENDED)]
    for lab in approved:
        codes, kind = LAB_FIELDS.get(lab.name_en, GENERAL_FIELDS)
        share = 0.9 if kind else (0.85 if len(codes) <= 8 else 0.6)
        for requirement in catalogue.requirements:
            if catalogue.is_gap(requirement) or not (
                catalogue.category_codes[requirement.standard_id] & set(codes)
            ):
                continue
            if _in_field(requirement, kind, catalogue.kind[requirement.pk]) and rng.random() < share:
                add(lab, requirement)
    year_ago = today - dt.timedelta(days=366)
    steady = [lab for lab in approved if lab.demo_approved_on and lab.demo_approved_on <= year_ago]
    steady_ids = {lab.pk for lab in steady}
    covered = {requirement_id for (lab_id, requirement_id) in lines if lab_id in steady_ids}
    for requirement in catalogue.mandatory_requirements():
        if requirement.pk in covered or catalogue.is_gap(requirement):
            continue
        codes = catalogue.category_codes[requirement.standard_id]
        fit = [lab for lab in steady if codes & set(LAB_FIELDS.get(lab.name_en, GENERAL_FIELDS)[0])]
        add(rng.choice(fit or steady), requirement)
    return [lines[key] for key in sorted(lines)]


# --- samples, orders, results -----------------------------------------------------------------------


def _places(requirement: Requirement) -> int:
    """Decimal places of a result: one more than the limit's, at most the model's four."""
    exponents = [
        -limit.normalize().as_tuple().exponent
        for limit in (requirement.low, requirement.high)
        if limit is not None
    ]
    return min(units.DECIMAL_PLACES, max([0, *exponents]) + 1)


def _draw(rng: random.Random, requirement: Requirement, fail: bool) -> float:
    low = float(requirement.low) if requirement.low is not None else None
    high = float(requirement.high) if requirement.high is not None else None
    match requirement.limit_kind:
        case LimitKind.MIN:
            scale = abs(low) or 1.0
            return low - scale * rng.uniform(0.03, 0.25) if fail else low + scale * rng.uniform(0.02, 0.4)
        case LimitKind.MAX:
            scale = abs(high) or 1.0
            if fail:
                return high + scale * rng.uniform(0.05, 0.8)
            return high - scale * rng.triangular(0.05, 0.95, 0.5)
        case LimitKind.RANGE:
            width = high - low
            if not fail:
                return low + width * rng.uniform(0.15, 0.85)
            return (
                low - width * rng.uniform(0.05, 0.5)
                if rng.random() < 0.5
                else high + width * rng.uniform(0.05, 0.5)
            )
    scale = abs(low) or 1.0  # equals
    return low + scale * rng.choice((-1, 1)) * rng.uniform(0.05, 0.2) if fail else low


def _measure(rng: random.Random, requirement: Requirement, rule: str, fail: bool, line: ScopeLine):
    """A lab's result for one requirement: (value, uncertainty, outcome, verdict), drawn inside the limits
    or, for a failing sample, beyond one; checked as the results service checks what a lab reports."""
    if requirement.limit_kind == LimitKind.PASS_FAIL:
        outcome = "fail" if fail else "pass"
        return (
            None,
            None,
            outcome,
            decision.verdict(requirement.limit_kind, None, None, rule, outcome=outcome),
        )
    places = _places(requirement)
    quantum = Decimal(1).scaleb(-places)
    for attempt in range(4):
        value = Decimal(f"{_draw(rng, requirement, fail and attempt < 3):.{places}f}")
        value = abs(value) if value == 0 else value  # "-0.0" would be stored, and reported, as 0
        uncertainty = (abs(value) * Decimal(f"{rng.uniform(0.01, 0.05):.3f}")).quantize(quantum)
        try:
            value, uncertainty = units.check_result(
                value,
                uncertainty,
                requirement.unit,
                requirement.unit,
                uncertainty_may_exceed_value=line.uncertainty_may_exceed_value,
                requirement_low=requirement.low,
            )
        except units.ResultError:
            continue  # outside physical sense (a negative mass fraction): draw again
        result = decision.verdict(
            requirement.limit_kind, requirement.low, requirement.high, rule, value, uncertainty
        )
        return value, uncertainty, "", result
    value = requirement.low if requirement.low is not None else requirement.high  # on the limit: a pass
    return (
        value,
        Decimal(0),
        "",
        decision.verdict(requirement.limit_kind, requirement.low, requirement.high, rule, value, Decimal(0)),
    )


@dataclasses.dataclass
class _Order:
    sample: Sample
    lab: Lab
    lines: list[ScopeLine]
    sent_at: dt.datetime
    state: str = OrderState.SENT
    state_since: dt.datetime | None = None
    reject_reason: str = ""
    reported_at: dt.datetime | None = None  # when the report was issued
    results: dict = dataclasses.field(
        default_factory=dict
    )  # requirement id → (value, u, outcome, verdict, at)
    done: list = dataclasses.field(default_factory=list)  # when each reported result came in
    amended: tuple | None = None  # (requirement id, value of the first report, reason, at)
    batch: AssignmentBatch | None = None
    explanation: dict = dataclasses.field(default_factory=dict)
    row: TestOrder | None = None
    items: list = dataclasses.field(default_factory=list)


class _Year:
    """A year of samples in the order they were taken, each one's orders, results and verdict."""

    def __init__(self, rng, today, catalogue, labs, scope, staff, takers, conflicts, counties):
        self.rng, self.today, self.catalogue = rng, today, catalogue
        self.labs = {lab.pk: lab for lab in labs}
        self.staff, self.takers, self.conflicts, self.counties = staff, takers, conflicts, counties
        self.cutoff = _at(_last_workday(today), 17)  # nothing happens later than this
        self.lines_by_requirement: dict[int, list[ScopeLine]] = defaultdict(list)
        for line in scope:
            if self.labs[line.lab_id].demo_approved_on is not None:  # lapsed and suspended labs: no orders
                self.lines_by_requirement[line.requirement_id].append(line)
        self.used: Counter = Counter()  # (lab, requirement, week) → tests ordered
        self.history: dict[tuple[int, int], list[int]] = defaultdict(list)  # (unit, product) → labs
        self.lots: dict[tuple[int, int], list[Sample]] = defaultdict(list)
        self.samples: list[Sample] = []
        self.orders: list[_Order] = []
        self.batch_samples: list[Sample] = []
        self.codes: set[str] = set()

    # -- one sample --

    def take(
        self, product: Product, standard: Standard, taken_at: dt.datetime, company, age: int, *, bad: float
    ) -> Sample | None:
        """One sample and, unless it is among the newest, its orders and results. `bad`: the chance that
        the lot fails a critical or major requirement."""
        rng = self.rng
        unit = product.unit
        state = sampling.switching_state(self._lots(unit.pk, product.pk, taken_at))
        if state.discontinued:
            return None  # ISO 2859-1 §9.4: no more sampling until the unit corrects its production
        market = rng.random() < 0.3
        lot_size = round(math.exp(rng.uniform(math.log(50), math.log(3200 if market else 35000))))
        plan = sampling.plan(lot_size, "II", standard.aql, state.severity)
        taker = rng.choice(self.takers[company.pk] if company else self.takers[None])
        sample = Sample(
            public_id=_uuid(rng),
            code=self._code(),
            seal_number=f"QZ-{rng.randrange(10**6):06d}",
            origin=SampleOrigin.MARKET if market else SampleOrigin.FACTORY,
            place=normalize_text(
                rng.choice(vocab.SHOP_PATTERNS_FA).format(core=rng.choice(vocab.UNIT_CORES_FA))
            )
            if market
            else "",
            unit=unit,
            site=None if market else product.site,
            product=product,
            standard=standard,
            province_id=unit.province_id,
            taken_by=taker,
            company=company,
            taken_at=taken_at,
            lot_number=f"L{taken_at.year % 100:02d}{rng.randrange(1, 366):03d}-{rng.randrange(1, 40):02d}",
            lot_size=lot_size,
            inspection_level=plan.level,
            aql=standard.aql,
            severity=InspectionSeverity(state.severity),
            code_letter=plan.code_letter,
            sample_size=plan.sample_size,
            accept=plan.accept,
            reject=plan.reject,
            state=CustodyStep.TAKEN,
        )
        sample.demo_events = [(CustodyStep.TAKEN, taken_at, taker, None, None, "")]
        sample.demo_orders = []
        self.samples.append(sample)
        if age <= WAITING_AGE:
            return sample  # waiting for the office to assign its tests
        if age <= BATCH_AGE:
            self.batch_samples.append(sample)  # placed by the solver below
            return sample
        requirements = self.catalogue.by_standard[standard.pk]
        order_day = _workday(taken_at.date() + dt.timedelta(days=rng.choice((1, 1, 2))))
        self._place(sample, requirements, _at(order_day, 10, rng.randrange(60)))
        if not sample.demo_orders:
            self.samples.pop()  # no lab could take any of its tests: not sampled
            return None
        self._results(sample, bad)
        return sample

    def _code(self) -> str:
        while True:
            body = str(self.rng.randrange(10**8, 10**9))
            code = body + str(verhoeff_check_digit(body))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _lots(self, unit_id: int, product_id: int, before: dt.datetime) -> list[sampling.Lot]:
        """The product's lots decided before `before`, as selectors.lot_history_state reads them."""
        lots = []
        for sample in self.lots[(unit_id, product_id)]:
            if sample.decided_at is None or sample.decided_at >= before:
                continue
            nonconforming = 0 if sample.lot_accepted else None
            lots.append(
                sampling.Lot(
                    severity=sample.severity,
                    accepted=bool(sample.lot_accepted),
                    accept_number=sample.accept,
                    nonconforming=nonconforming,
                    accepted_one_step_tighter=(nonconforming == 0) if sample.lot_accepted else False,
                )
            )
        return lots

    def _eligible(
        self, sample: Sample, requirement: Requirement, day: dt.date, excluded=()
    ) -> list[ScopeLine]:
        unit_id, product_id = sample.unit.pk, sample.product.pk
        recent = self.history[(unit_id, product_id)][-3:]
        week = week_start(day)
        return [
            line
            for line in self.lines_by_requirement[requirement.pk]
            if line.lab_id not in excluded
            and self.labs[line.lab_id].demo_approved_on <= day
            and (line.lab_id, unit_id) not in self.conflicts
            and not (len(recent) == 3 and set(recent) == {line.lab_id})  # rotation
            and self.used[(line.lab_id, requirement.pk, week)] < line.weekly_capacity
        ]

    def _place(self, sample: Sample, requirements, at: dt.datetime, excluded=()) -> None:
        """Send the tests to as few labs as can take them, the cheapest and nearest first (by hand, as
        offices did before the solver)."""
        rng, day = self.rng, at.date()
        options = {r.pk: self._eligible(sample, r, day, excluded) for r in requirements}
        remaining = [r for r in requirements if options[r.pk]]
        while remaining:
            offers: dict[int, list[ScopeLine]] = defaultdict(list)
            for requirement in remaining:
                for line in options[requirement.pk]:
                    offers[line.lab_id].append(line)
            lab_id = max(
                sorted(offers),
                key=lambda pk: (
                    len(offers[pk]),
                    -sum(line.price for line in offers[pk]) * rng.uniform(0.7, 1.3),
                ),
            )
            lines = offers[lab_id]
            order = _Order(sample=sample, lab=self.labs[lab_id], lines=lines, sent_at=at)
            self._timeline(order)
            taken = {line.requirement_id for line in lines}
            remaining = [r for r in remaining if r.pk not in taken]

    def _book(self, order: _Order) -> None:
        sample = order.sample
        week = week_start(order.sent_at.date())
        for line in order.lines:
            self.used[(order.lab.pk, line.requirement_id, week)] += 1
        self.history[(sample.unit.pk, sample.product.pk)].append(order.lab.pk)
        sample.demo_orders.append(order)
        self.orders.append(order)

    def _timeline(self, order: _Order) -> None:
        """The order's life: sent, then accepted (or declined), results, the report."""
        rng, sample = self.rng, order.sample
        self._book(order)
        lab_user = self.staff[order.lab.pk]
        sent = order.sent_at + dt.timedelta(minutes=rng.randrange(30, 120))
        sample.demo_events.append((CustodyStep.SENT, sent, sample.taken_by, order.lab, None, ""))
        answered = _at(_workday(order.sent_at.date() + dt.timedelta(days=1)), 9, rng.randrange(60))
        if answered > self.cutoff:
            order.state, order.state_since = OrderState.SENT, order.sent_at
            return
        if rng.random() < REJECTED and order.sent_at < self.cutoff - dt.timedelta(days=30):
            order.state, order.state_since = OrderState.REJECTED, answered
            order.reject_reason = rng.choice(vocab.ORDER_REJECT_REASONS_FA)
            again = _at(_workday(answered.date() + dt.timedelta(days=1)), 10, rng.randrange(60))
            requirements = [line.requirement for line in order.lines]
            # A rejected order gives its capacity back and does not count for rotation.
            self.history[(sample.unit.pk, sample.product.pk)].pop()
            for line in order.lines:
                self.used[(order.lab.pk, line.requirement_id, week_start(order.sent_at.date()))] -= 1
            self._place(sample, requirements, again, excluded={order.lab.pk})
            return
        seal = rng.random() > 0.02
        note = "" if seal else vocab.SEAL_BROKEN_FA
        received = answered - dt.timedelta(minutes=rng.randrange(10, 50))
        sample.demo_events.append((CustodyStep.RECEIVED, received, lab_user, order.lab, seal, note))
        days = max(line.turnaround_days for line in order.lines) + rng.randint(-1, 2)
        due = _at(
            _workday(answered.date() + dt.timedelta(days=max(1, days))),
            rng.randrange(11, 16),
            rng.randrange(60),
        )
        if due <= self.cutoff:
            order.state, order.state_since, order.reported_at = OrderState.REPORTED, due, due
            done = len(order.lines)
        else:
            order.state, order.state_since = OrderState.ACCEPTED, answered
            done = int(len(order.lines) * (self.cutoff - answered) / (due - answered))
        span = (min(due, self.cutoff) - answered).total_seconds()
        order.done = [answered + dt.timedelta(seconds=span * (i + 1) / (done + 1)) for i in range(done)]

    def _results(self, sample: Sample, bad: float) -> None:
        """Results of every live order's reported tests; the verdict once every order is reported."""
        rng = self.rng
        rule = sample.standard.decision_rule
        live = [o for o in sample.demo_orders if o.state != OrderState.REJECTED]
        lines = [(order, line) for order in live for line in order.lines]
        failing: set[int] = set()
        draw = rng.random()
        if draw < bad + MINOR_FAULT:
            wanted = (Severity.CRITICAL, Severity.MAJOR) if draw < bad else (Severity.MINOR,)
            candidates = [line for _o, line in lines if line.requirement.severity in wanted]
            if candidates:
                failing = {
                    line.requirement_id
                    for line in rng.sample(candidates, 2 if rng.random() < 0.2 and len(candidates) > 1 else 1)
                }
        for order in live:
            for line, at in zip(order.lines, order.done, strict=False):
                order.results[line.requirement_id] = (
                    *_measure(rng, line.requirement, rule, line.requirement_id in failing, line),
                    at,
                )
        if not live or any(o.state != OrderState.REPORTED for o in live):
            return
        for order in live:
            if rng.random() < 0.004 and order.reported_at < self.cutoff - dt.timedelta(days=20):
                self._amend(order)
        assessed = decision.overall(
            (r, self._requirement(o, r).severity, o.results[r][3]) for o in live for r in o.results
        )
        sample.verdict, sample.conformity = assessed.verdict.value, assessed.conformity.value
        sample.lot_accepted = assessed.conforms  # no count of nonconforming items: results.py's rule
        sample.decided_at = max(o.amended[3] if o.amended else o.reported_at for o in live)
        self.lots[(sample.unit.pk, sample.product.pk)].append(sample)
        tested = max(o.reported_at for o in live) - dt.timedelta(hours=1)
        kept = sample.decided_at + dt.timedelta(days=1)
        disposed = kept + dt.timedelta(days=90)  # kept three months for a possible retest
        dispose = disposed <= self.cutoff and rng.random() < 0.8
        for lab in {o.lab.pk: o.lab for o in live}.values():  # each lab's portion has its own chain
            staff = self.staff[lab.pk]
            sample.demo_events.append((CustodyStep.TESTED, tested, staff, lab, None, ""))
            if kept <= self.cutoff:
                sample.demo_events.append((CustodyStep.RETAINED, kept, staff, lab, None, ""))
                if dispose:
                    sample.demo_events.append((CustodyStep.DISPOSED, disposed, staff, lab, None, ""))

    @staticmethod
    def _requirement(order: _Order, requirement_id: int) -> Requirement:
        return next(line.requirement for line in order.lines if line.requirement_id == requirement_id)

    def _amend(self, order: _Order) -> None:
        """A result of the issued report is corrected: the first report keeps the mistyped value, an
        amended report the right one (a decimal point moved)."""
        rng = self.rng
        measured = [r for r, result in order.results.items() if result[0] is not None]
        if not measured:
            return
        requirement_id = rng.choice(measured)
        value = order.results[requirement_id][0]
        wrong = value * 10
        at = order.reported_at + dt.timedelta(days=rng.randrange(3, 10))
        order.amended = (requirement_id, wrong, rng.choice(vocab.REPORT_AMEND_REASONS_FA), at)

    # -- the solver's batch --

    def place_batch(
        self, officer: User, province: Province, confirmed_at: dt.datetime
    ) -> AssignmentBatch | None:
        """The waiting tests of the samples taken three to five days ago, placed by the real solver with
        the offers, conflicts and rotation history of the demo, confirmed yesterday: orders not yet
        accepted."""
        if not self.batch_samples:
            return None
        day = self.today
        week = week_start(day)
        items, requirement_ids = [], set()
        for sample in self.batch_samples:
            county = self.counties[sample.site.county_id if sample.site else sample.unit.county_id]
            for requirement in self.catalogue.by_standard[sample.standard.pk]:
                requirement_ids.add(requirement.pk)
                items.append(
                    solver.Item(
                        key=f"{sample.pk}:{requirement.pk}",
                        sample=sample.pk,
                        requirement=requirement.pk,
                        unit=sample.unit.pk,
                        product=sample.product.pk,
                        location=county.location,
                    )
                )
        lines = {
            (line.lab_id, line.requirement_id): line
            for requirement_id in sorted(requirement_ids)
            for line in self.lines_by_requirement[requirement_id]
            if self.labs[line.lab_id].demo_approved_on <= day
        }
        offers = [
            solver.Offer(
                lab=lab_id,
                requirement=requirement_id,
                capacity=max(0, line.weekly_capacity - self.used[(lab_id, requirement_id, week)]),
                price=line.price,
                turnaround_days=line.turnaround_days,
            )
            for (lab_id, requirement_id), line in lines.items()
        ]
        lab_ids = sorted({lab_id for lab_id, _r in lines})
        units_ = {sample.unit.pk for sample in self.batch_samples}
        result = solver.assign_labs(
            items,
            [solver.Lab(id=pk, location=self.labs[pk].county.location) for pk in lab_ids],
            offers,
            conflicts={(lab, unit) for lab, unit in self.conflicts if unit in units_},
            history={key: labs[-3:] for key, labs in self.history.items() if key[0] in units_},
            rotation_limit=3,
        )
        report = {
            "placements": {p.item.key: _placement_json(p) for p in result.placements},
            "shortages": [
                {
                    "requirement": s.requirement,
                    "demand": s.demand,
                    "eligible_capacity": s.eligible_capacity,
                    "placed": s.placed,
                    "unplaced": list(s.unplaced),
                    "without_eligible_lab": list(s.without_eligible_lab),
                }
                for s in result.shortages
            ],
            "orders": [
                {
                    "sample": o.sample,
                    "lab": o.lab,
                    "items": list(o.items),
                    "cost": o.items_cost + o.fixed_cost,
                }
                for o in result.orders
            ],
            # As assignment_propose stores them, less the solving time: no row depends on the clock.
            "stats": {
                "variables": result.stats.pair_variables + result.stats.order_variables,
                "integer": result.stats.integer,
            },
        }
        batch = AssignmentBatch.objects.create(
            province=province,
            created_by=officer,
            weights=dataclasses.asdict(solver.DEFAULT_WEIGHTS),
            rotation_limit=3,
            feasible=result.feasible,
            total_cost=Decimal(result.total_cost),
            report=report,
            confirmed_at=confirmed_at,
        )
        samples = {sample.pk: sample for sample in self.batch_samples}
        for planned in result.orders:
            sample = samples[planned.sample]
            order_lines = [lines[(planned.lab, int(key.split(":")[1]))] for key in planned.items]
            order = _Order(
                sample=sample,
                lab=self.labs[planned.lab],
                lines=order_lines,
                sent_at=confirmed_at,
                state_since=confirmed_at,
                batch=batch,
                explanation={key: report["placements"][key] for key in planned.items},
            )
            self._book(order)
            if sample.company is None:  # the inspector hands it over; a company's waits for its staff
                at = confirmed_at + dt.timedelta(hours=2)
                sample.demo_events.append((CustodyStep.SENT, at, sample.taken_by, order.lab, None, ""))
        return batch


def build_testing(
    *,
    rng: random.Random,
    admin: User,
    province: Province,
    labs: list[Lab],
    companies: list[InspectionCompany],
    products: list[Product],
) -> TestingFigures:
    """Everything of conformity testing in the demo province, in bulk, with its audit events."""
    today = timezone.localdate()
    officer = User.objects.get(username="officer")
    inspector = User.objects.get(username="inspector")
    figures = TestingFigures()
    changes: dict[User, list[Change]] = defaultdict(list)

    staff, company_staff = _staff(rng, labs, companies)
    events = []
    for lab in labs:
        for source, target, at, reason, fix_by, by_lab in lab.demo_history:
            actor = staff[lab.pk] if by_lab else officer
            events.append(
                LabEvent(
                    lab=lab,
                    from_status=source,
                    to_status=target,
                    reason=reason,
                    fix_by=fix_by,
                    actor=actor,
                    at=at,
                )
            )
            changes[actor].append(
                Change(
                    EventType.LAB_STATUS_CHANGED,
                    obj=lab,
                    province=province,
                    reason=reason,
                    details={"from": source, "to": target, "fix_by": fix_by.isoformat() if fix_by else None},
                )
            )
    LabEvent.objects.bulk_create(events)

    categories = {c.code: c for c in ProductCategory.objects.all()}
    Link = InspectionCompany.categories.through
    Link.objects.bulk_create(
        Link(inspectioncompany=company, productcategory=categories[code])
        for company, codes in zip(companies, COMPANY_SCOPES, strict=True)
        for code in codes
        if code in categories
    )
    for company, codes in zip(companies, COMPANY_SCOPES, strict=True):
        changes[admin].append(
            Change(
                EventType.COMPANY_CREATED, obj=company, province=province, details={"categories": list(codes)}
            )
        )

    catalogue = _Catalogue(rng, today)
    scope = ScopeLine.objects.bulk_create(_scope(rng, catalogue, labs, today), batch_size=1000)
    figures.scope_lines = len(scope)
    per_lab = Counter(line.lab_id for line in scope)
    for lab in labs:
        if per_lab[lab.pk]:
            changes[officer].append(
                Change(
                    EventType.LAB_SCOPE_CHANGED,
                    obj=lab,
                    province=province,
                    details={"lines": per_lab[lab.pk]},
                )
            )

    eligible = _eligible_products(products, province, catalogue)
    conflicts = _conflicts(rng, labs, eligible, province, changes, officer)
    counties = {c.pk: c for c in County.objects.filter(province=province)}
    takers = {None: [inspector], **{c.pk: company_staff[c.pk] for c in companies}}
    year = _Year(rng, today, catalogue, labs, scope, staff, takers, set(conflicts), counties)
    company_codes = [set(codes) for codes in COMPANY_SCOPES]
    queue = _schedule(rng, today, eligible, companies, company_codes)
    heapq.heapify(queue)
    indexes = itertools.count(len(queue))
    while queue:
        taken_at, _index, product, standard, age, company, bad = heapq.heappop(queue)
        sample = year.take(product, standard, taken_at, company, age, bad=bad)
        # A lot not accepted brings the inspector back for the unit's next lot of the product, which is
        # more often bad too: the switching rules then tighten the inspection (ISO 2859-1 §9.3.1).
        if sample is not None and sample.lot_accepted is False and rng.random() < FOLLOW_UP:
            day = _workday(sample.decided_at.date() + dt.timedelta(days=rng.randrange(10, 40)))
            if (today - day).days > RECENT_DAYS:
                taken_at = _at(day, rng.randrange(8, 14), rng.randrange(60))
                age = (today - day).days
                heapq.heappush(
                    queue, (taken_at, next(indexes), product, standard, age, company, FOLLOW_UP_BAD)
                )

    for sample in year.samples:
        sample.state = _last_step(sample)
    Sample.objects.bulk_create(year.samples, batch_size=1000)
    confirmed_at = _at(_last_workday(today), 11)
    batch = year.place_batch(officer, province, confirmed_at)
    if batch is not None:
        changes[officer].append(
            Change(
                EventType.ASSIGNMENT_CONFIRMED,
                obj=batch,
                province=province,
                details={"orders": len(batch.report["orders"])},
            )
        )
    _write_orders(rng, year, changes, province)
    _write_custody(year)
    figures.samples = len(year.samples)
    figures.decided = sum(1 for s in year.samples if s.decided_at)
    figures.not_conforming = sum(
        1 for s in year.samples if s.conformity == decision.Conformity.DOES_NOT_CONFORM
    )
    figures.orders = len(year.orders)
    figures.open_orders = sum(1 for o in year.orders if o.state in (OrderState.SENT, OrderState.ACCEPTED))
    figures.reports = TestReport.objects.count()

    for sample in year.samples:
        changes[sample.taken_by].append(
            Change(
                EventType.SAMPLE_TAKEN,
                obj=sample,
                province=province,
                details={
                    "code": sample.code,
                    "lot_size": sample.lot_size,
                    "plan": [
                        sample.code_letter,
                        sample.sample_size,
                        sample.accept,
                        sample.reject,
                        sample.severity,
                    ],
                },
            )
        )
        if sample.decided_at:
            last = [o for o in sample.demo_orders if o.state == OrderState.REPORTED][-1]
            changes[year.staff[last.lab.pk]].append(
                Change(
                    EventType.SAMPLE_DECIDED,
                    obj=sample,
                    province=province,
                    details={
                        "verdict": sample.verdict,
                        "conformity": sample.conformity,
                        "lot_accepted": sample.lot_accepted,
                    },
                )
            )
    for actor in sorted(changes, key=lambda user: user.pk):
        audit_many(actor=actor, changes=changes[actor])

    open_by_lab = Counter(o.lab.pk for o in year.orders if o.state in (OrderState.SENT, OrderState.ACCEPTED))
    usable = [lab for lab in labs if lab.accredited(today) and lab.demo_approved_on and open_by_lab[lab.pk]]
    figures.login_lab = max(usable, key=lambda lab: open_by_lab[lab.pk]) if usable else None
    rows = capacity_map(province, day=today)
    figures.requirements, figures.gaps = len(rows), sum(1 for row in rows if row.gap)
    return figures


def _staff(rng: random.Random, labs, companies):
    """One staff user for each lab (who applied, receives samples, reports), two for each company; they
    sign in only through the demo logins, so their passwords are unusable."""
    users, lab_of, company_of = [], {}, {}
    for index, lab in enumerate(labs, start=1):
        user = User(
            username=f"lab-staff-{index:02d}",
            role=Role.LAB_STAFF,
            first_name=rng.choice(vocab.PERSON_FIRST_FA),
            last_name=rng.choice(vocab.PERSON_LAST_FA),
        )
        lab_of[user.username] = lab
        users.append(user)
    for index, company in enumerate(companies, start=1):
        for number in (1, 2):
            user = User(
                username=f"company-{index}-staff-{number}",
                role=Role.INSPECTION_COMPANY,
                first_name=rng.choice(vocab.PERSON_FIRST_FA),
                last_name=rng.choice(vocab.PERSON_LAST_FA),
            )
            company_of[user.username] = company
            users.append(user)
    for user in users:
        user.set_unusable_password()
    users = User.objects.bulk_create(users)
    LabMembership.objects.bulk_create(
        LabMembership(user=u, lab=lab_of[u.username]) for u in users if u.username in lab_of
    )
    CompanyMembership.objects.bulk_create(
        CompanyMembership(user=u, company=company_of[u.username]) for u in users if u.username in company_of
    )
    staff = {lab_of[u.username].pk: u for u in users if u.username in lab_of}
    company_staff = defaultdict(list)
    for user in users:
        if user.username in company_of:
            company_staff[company_of[user.username].pk].append(user)
    return staff, company_staff


def _eligible_products(products, province, catalogue: _Catalogue) -> list[tuple[Product, list[Standard]]]:
    """The province's products under a standard mandatory today, from active units."""
    eligible = []
    for product in products:
        if product.unit.province_id != province.pk or product.unit.status != UnitStatus.ACTIVE:
            continue
        standards = [s for s in product.category.standards.all() if s.pk in catalogue.mandatory]
        if standards:
            eligible.append((product, sorted(standards, key=lambda s: s.pk)))
    return eligible


def _conflicts(rng, labs, eligible, province, changes, officer) -> list[tuple[int, int]]:
    """Declared conflicts of interest between approved labs and a few units they would otherwise test."""
    approved = [lab for lab in labs if lab.demo_approved_on]
    units_ = sorted({product.unit.pk: product.unit for product, _s in eligible}.items())
    rows = {}
    for _ in range(min(15, len(units_))):
        lab = rng.choice(approved)
        unit = rng.choice(units_)[1]
        rows[(lab.pk, unit.pk)] = Conflict(
            lab=lab, unit=unit, kind=ConflictKind.DECLARED, note=rng.choice(vocab.CONFLICT_NOTES_FA)
        )
    created = Conflict.objects.bulk_create(rows[key] for key in sorted(rows))
    changes[officer].extend(
        Change(
            EventType.LAB_CONFLICT_DECLARED,
            obj=c.lab,
            province=province,
            details={"unit": c.unit.pk, "kind": c.kind},
        )
        for c in created
    )
    return sorted(rows)


def _schedule(rng, today, eligible, companies, company_codes):
    """(taken at, index, product, standard, age in days, company, chance of a bad lot) for each sample
    of the year, in no order (a heap orders them). Most are spread over the year; the last three weeks
    hold at least RECENT_AGES, so that every persona has work even in a small demo."""
    count = min(MAX_SAMPLES, max(40, len(eligible) // 3))
    recent = max(len(RECENT_AGES), round(count * RECENT_DAYS / 365))
    ages = [rng.randrange(RECENT_DAYS + 1, 366) for _ in range(count - recent)]
    ages += list(RECENT_AGES) + [rng.randrange(1, RECENT_DAYS + 1) for _ in range(recent - len(RECENT_AGES))]
    # The first company's staff took one sample of each open kind: waiting, in the batch, being tested.
    forced = {len(ages) - recent + i for i in (0, 3, 7)}
    first_company = [(p, s) for p, s in eligible if p.category.code in company_codes[0]]
    rows = []
    for index, age in enumerate(ages):
        day = today - dt.timedelta(days=age)
        if day.weekday() == 4:  # no sampling on Fridays
            day -= dt.timedelta(days=1)
            age += 1
        if index in forced and first_company:
            product, standards = rng.choice(first_company)
            company = companies[0]
        else:
            product, standards = rng.choice(eligible)
            company = None
            for candidate, codes in zip(companies, company_codes, strict=True):
                if product.category.code in codes and rng.random() < 0.45:
                    company = candidate
                    break
        standards = [s for s in standards if s.mandatory_from and s.mandatory_from <= day] or standards
        taken_at = _at(day, rng.randrange(8, 14), rng.randrange(60))
        rows.append((taken_at, index, product, rng.choice(standards), age, company, NOT_CONFORMING))
    return rows


def _write_orders(rng, year: _Year, changes, province) -> None:
    """Orders, their tests and results, and the issued (and amended) reports."""
    orders = sorted(year.orders, key=lambda o: (o.sent_at, o.sample.pk, o.lab.pk))
    sequence: Counter = Counter()
    rows = []
    for order in orders:
        sequence[order.sent_at.year] += 1
        order.row = TestOrder(
            public_id=_uuid(rng),
            number=f"TO-{order.sent_at.year}-{sequence[order.sent_at.year]:06d}",
            sample_id=order.sample.pk,
            lab=order.lab,
            province=province,
            batch=order.batch,
            state=order.state,
            state_since=order.state_since or order.sent_at,
            reject_reason=order.reject_reason,
            due_on=order.sent_at.date()
            + dt.timedelta(days=max(line.turnaround_days for line in order.lines)),
            explanation=order.explanation,
        )
        order.row.sample = order.sample
        rows.append(order.row)
    TestOrder.objects.bulk_create(rows, batch_size=1000)
    # created_at is the day the order was sent: the week's used capacity (selectors.used_this_week) and
    # the year's demand count from it. auto_now_add stamped the clock on insert; one executemany puts the
    # day back (bulk_update's CASE over a thousand rows is much slower on SQLite).
    meta, field = TestOrder._meta, TestOrder._meta.get_field("created_at")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {meta.db_table} SET {field.column} = %s WHERE {meta.pk.column} = %s",
            [(field.get_db_prep_value(o.sent_at, connection), o.row.pk) for o in orders],
        )

    items, first_reports, amended = [], [], []
    for order in orders:
        lab_user = year.staff[order.lab.pk]
        order.items = []
        for line in order.lines:
            result, reported = order.results.get(line.requirement_id), {}
            if result is not None:
                value, uncertainty, outcome, verdict, at = result
                reported = {
                    "value": value,
                    "uncertainty": uncertainty,
                    "unit": line.requirement.unit if value is not None else "",
                    "outcome": outcome,
                    "verdict": verdict,
                    "method": line.method,
                    "reported_at": at,
                    "reported_by": lab_user,
                }
                if order.state == OrderState.ACCEPTED:
                    changes[lab_user].append(
                        Change(
                            EventType.RESULT_REPORTED,
                            obj=order.row,
                            province=province,
                            details={"requirement": line.requirement_id, "verdict": verdict},
                        )
                    )
            item = TestItem(order=order.row, requirement=line.requirement, price=line.price, **reported)
            items.append(item)
            order.items.append(item)
        order.items.sort(key=lambda item: item.requirement.clause)
        if order.state == OrderState.REJECTED:
            changes[lab_user].append(
                Change(EventType.ORDER_REJECTED, obj=order.row, province=province, reason=order.reject_reason)
            )
        elif order.state == OrderState.ACCEPTED:  # the older orders' acceptance is told by their reports
            changes[lab_user].append(Change(EventType.ORDER_ACCEPTED, obj=order.row, province=province))
        if order.state != OrderState.REPORTED:
            continue
        shown = order.items
        if order.amended:
            requirement_id, wrong = order.amended[:2]
            shown = [copy.copy(item) for item in order.items]
            for item in shown:
                if item.requirement_id == requirement_id:
                    item.value = wrong
                    item.verdict = decision.verdict(
                        item.requirement.limit_kind,
                        item.requirement.low,
                        item.requirement.high,
                        order.sample.standard.decision_rule,
                        wrong,
                        item.uncertainty,
                    )
        first_reports.append(_report(rng, order, shown, 1, order.reported_at, lab_user))
    TestItem.objects.bulk_create(items, batch_size=1000)
    TestReport.objects.bulk_create(first_reports, batch_size=500)
    for report in first_reports:
        order = report.demo_order
        changes[report.issued_by].append(
            Change(
                EventType.REPORT_ISSUED,
                obj=order.row,
                province=province,
                details={"report": report.number, "verdict": report.verdict, "conformity": report.conformity},
            )
        )
        if order.amended:
            _r, _w, reason, at = order.amended
            amended.append(
                _report(rng, order, order.items, 2, at, report.issued_by, amends=report, reason=reason)
            )
    TestReport.objects.bulk_create(amended)
    for report in amended:
        changes[report.issued_by].append(
            Change(
                EventType.REPORT_AMENDED,
                obj=report.demo_order.row,
                province=province,
                reason=report.reason,
                details={"report": report.number, "verdict": report.verdict, "conformity": report.conformity},
            )
        )


def _report(rng, order: _Order, items, version, issued_at, actor, *, amends=None, reason="") -> TestReport:
    number = f"{order.row.number}-R{version}"
    content = _content(order.row, items, number, version, actor, amends, reason, issued_at=issued_at)
    report = TestReport(
        public_id=_uuid(rng),
        number=number,
        order=order.row,
        version=version,
        amends=amends,
        reason=reason,
        verdict=content["verdict"],
        conformity=content["conformity"],
        content=content,
        issued_at=issued_at,
        issued_by=actor,
    )
    report.demo_order = order
    return report


def _last_step(sample: Sample) -> str:
    """As the custody service keeps it (samples.portion_state)."""
    last = {
        lab.pk: step
        for step, _at, _actor, lab, _seal, _note in sorted(sample.demo_events, key=lambda e: e[1])
        if lab
    }
    live = {
        o.lab.pk for o in sample.demo_orders if o.state not in (OrderState.REJECTED, OrderState.CANCELLED)
    }
    return portion_state(last, live)


def _write_custody(year: _Year) -> None:
    """Each sample's chain of custody in time order (one chain per lab it went to)."""
    events = []
    for sample in year.samples:
        for step, at, actor, lab, seal, note in sorted(sample.demo_events, key=lambda event: event[1]):
            events.append(
                CustodyEvent(
                    sample=sample, step=step, at=at, actor=actor, lab=lab, seal_intact=seal, note=note
                )
            )
    CustodyEvent.objects.bulk_create(events, batch_size=2000)
    # The solver's batch was sent after the samples were written: those the inspector handed over moved on.
    moved = [s for s in year.batch_samples if s.state != _last_step(s)]
    for sample in moved:
        sample.state = _last_step(sample)
    Sample.objects.bulk_update(moved, ["state"])
