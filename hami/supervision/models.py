"""Supervision (issue 6): product risk (Safety Gate), unit risk scores, inspection plans, inspections with
checklists and findings, corrective actions, the enforcement ladder with negative points, market
surveillance cases and complaint triage. docs/supervision.md draws the state machines.
"""

import uuid
from fractions import Fraction

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hami.core.models import BaseModel, County, Province, User
from hami.labs.models import Sample, TestReport
from hami.licensing.models import Complaint, Decision, Licence
from hami.outreach.models import Referral
from hami.registry.models import Product, ProductionUnit, Site
from hami.standards.models import ProductCategory, Standard
from hami.supervision import safety_gate


class RiskLevel(models.TextChoices):
    """safety_gate.RiskLevel as database choices."""

    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")
    SERIOUS = "serious", _("Serious risk")


class RiskAssessment(BaseModel):
    """One injury scenario of a product (category), its steps with their probabilities, the harm's
    severity, and the risk level the method gives. Written once by risk_assessment_create; never edited
    (a new scenario is a new assessment)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    category = models.ForeignKey(
        ProductCategory, on_delete=models.PROTECT, related_name="risk_assessments", verbose_name=_("category")
    )
    unit = models.ForeignKey(
        ProductionUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_assessments",
        verbose_name=_("unit"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_assessments",
        verbose_name=_("product"),
    )
    hazard = models.CharField(_("hazard"), max_length=500)
    injured_person = models.CharField(_("injured person"), max_length=255)
    injury = models.TextField(_("injury"))
    severity = models.PositiveSmallIntegerField(_("severity"))
    # [{"text": str, "probability": float, "fraction": "1/100"}] in the order of the scenario; `fraction`
    # keeps the exact value the inspector wrote.
    steps = models.JSONField(_("steps"), default=list)
    overall_probability = models.FloatField(_("overall probability"))
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    assessed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        constraints = [
            models.CheckConstraint(condition=Q(severity__gte=1, severity__lte=4), name="risk_severity_1_4"),
            models.CheckConstraint(
                condition=Q(overall_probability__gt=0, overall_probability__lte=1),
                name="risk_probability_0_1",
            ),
            models.CheckConstraint(
                condition=Q(risk_level__in=["low", "medium", "high", "serious"]), name="risk_level_known"
            ),
        ]
        indexes = [
            # risk_list: a province's assessments, newest first.
            models.Index(fields=["province", "-created_at"], name="risk_province_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.category} — {self.hazard}"

    @property
    def exact_probability(self) -> Fraction:
        """The product of the steps' exact fractions (the float column is for queries and the API)."""
        result = Fraction(1)
        for step in self.steps:
            result *= Fraction(step.get("fraction") or repr(step["probability"]))
        return result

    @property
    def band(self) -> safety_gate.Band:
        return safety_gate.band(self.exact_probability)

    @property
    def probability_label(self) -> str:
        return safety_gate.fraction_label(self.exact_probability)


# ---------------------------------------------------------------- the instruction (policy.py)


class SupervisionPolicy(BaseModel):
    """One version of the supervision instruction (hami/supervision/policy.py): weights, tiers, visit
    intervals, corrective-action deadlines, negative points. Rows are never changed; the newest applies."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    values = models.JSONField(_("settings"), default=dict)  # only what differs from policy.DEFAULTS
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-version"]
        verbose_name = _("supervision instruction")
        verbose_name_plural = _("supervision instructions")


# ---------------------------------------------------------------- unit risk scores


class Tier(models.TextChoices):
    """A unit's risk tier, from its score and the instruction's thresholds."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    SERIOUS = "serious", _("Serious")


class ScoreRunState(models.TextChoices):
    RUNNING = "running", _("Running")  # rows being written; readers still use the previous done run
    DONE = "done", _("Done")  # the newest done run is the current scores
    FAILED = "failed", _("Failed")  # crashed midway; its rows were rolled back


class ScoreRun(BaseModel):
    """One rescoring of every unit. The current scores are those of the newest DONE run, so a run that
    fails midway leaves the previous scores in place."""

    state = models.CharField(_("state"), max_length=8, choices=ScoreRunState.choices)
    as_of = models.DateTimeField(_("as of"))
    policy_version = models.PositiveIntegerField(_("instruction version"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    unit_count = models.PositiveIntegerField(_("units scored"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # the current run: WHERE state = 'done' ORDER BY finished_at DESC LIMIT 1
            models.Index(fields=["state", "-finished_at"], name="scorerun_current_idx"),
        ]


class UnitScore(models.Model):
    """A unit's score in one run, with the components that produced it (explainable)."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(ProductionUnit, on_delete=models.CASCADE, related_name="risk_scores")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(_("score"))
    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices)
    # [{"key", "raw", "points", "weight"}] in policy.DEFAULT_WEIGHTS order; pages explain each key.
    components = models.JSONField(_("components"), default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "unit"], name="unitscore_once_per_run")]
        indexes = [
            # the office's ranking: WHERE run_id = ? AND province_id = ? ORDER BY score DESC
            models.Index(fields=["run", "province", "-score"], name="unitscore_ranking_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.score} ({self.tier})"


# ---------------------------------------------------------------- inspection plans


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")  # a Jalali month
    SEASON = "season", _("Season")  # three Jalali months: 1 = Farvardin–Khordad … 4 = Dey–Esfand


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # office staff review; visits invisible to units and inspectors
    PUBLISHED = "published", _("Published")  # visits are on the inspectors' days
    WITHDRAWN = "withdrawn", _("Withdrawn")  # replaced or abandoned; its planned visits cancelled


class InspectionPlan(BaseModel):
    """A province's routine visits for a Jalali month or season, made by the planner (planning.py)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(_("period"), max_length=6, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("Jalali year"))
    period = models.PositiveSmallIntegerField(_("month or season"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))  # inclusive
    state = models.CharField(_("state"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT)
    policy_version = models.PositiveIntegerField(_("instruction version"), default=0)
    score_run = models.ForeignKey(
        ScoreRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the planner said: counts, capacity, units it could not place and why.
    report = models.JSONField(_("explanation"), default=dict)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("why withdrawn"), max_length=300, blank=True)

    class Meta:
        ordering = ["-starts_on", "-created_at"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "period_kind", "year", "period"],
                condition=Q(state="published"),
                name="plan_one_published_per_period",
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="plan_period_order"),
        ]
        indexes = [
            # plan_list: WHERE province_id = ? ORDER BY starts_on DESC
            models.Index(fields=["province", "-starts_on"], name="plan_province_idx"),
        ]


class PlanInspector(models.Model):
    """An inspector's available days in a plan's period."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="inspectors")
    inspector = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    days = models.JSONField(_("available days"), default=list)  # ISO dates, sorted
    visits_per_day = models.PositiveSmallIntegerField(_("visits a day"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "inspector"], name="plan_inspector_once")]

    def __str__(self) -> str:
        return f"{self.inspector_id}: {len(self.days)} days"


# ---------------------------------------------------------------- checklists and inspections


class Checklist(BaseModel):
    """What an inspector checks at a unit: general (no standard), or for a scheme and/or a standard.
    The most specific active checklist applies: standard, then scheme, then general."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    scheme = models.CharField(_("certification scheme"), max_length=2, blank=True)  # standards.Scheme
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, null=True, blank=True, related_name="checklists"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")

    def __str__(self) -> str:
        return self.name_fa


class FindingSeverity(models.TextChoices):
    CRITICAL = "critical", _("Critical")  # a safety risk or a false mark: may stop production at once
    MAJOR = "major", _("Major")  # the requirement is not met; conformity in doubt
    MINOR = "minor", _("Minor")  # a lapse that does not put conformity in doubt


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=60)
    text_fa = models.CharField(_("text (Persian)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True)
    guidance = models.TextField(_("what to look at"), blank=True)
    # The severity a nonconformity on this item usually gets; the inspector may change it.
    severity = models.CharField(
        _("usual severity"), max_length=8, choices=FindingSeverity.choices, default=FindingSeverity.MAJOR
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["checklist", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["checklist", "code"], name="checklist_item_code")]

    def __str__(self) -> str:
        return self.text_fa


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("Routine (planned)")
    FOLLOW_UP = "follow_up", _("Follow-up")  # checks earlier findings
    COMPLAINT = "complaint", _("After a complaint")
    CASE = "case", _("Market surveillance case")


class InspectionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Inspection(BaseModel):
    """A visit to a unit: planned by a plan or by the office, carried out by one inspector."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(ProductionUnit, on_delete=models.PROTECT, related_name="inspections")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")  # where the visit is
    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.CASCADE, null=True, blank=True, related_name="visits"
    )
    inspector = models.ForeignKey(User, on_delete=models.PROTECT, related_name="inspections")
    scheduled_on = models.DateField(_("scheduled on"))
    unannounced = models.BooleanField(_("unannounced"), default=False)  # the unit is not told beforehand
    kind = models.CharField(_("kind"), max_length=10, choices=InspectionKind.choices)
    # Why this unit, as the planner or the office put it: [{"code": ..., "text": ...}].
    reasons = models.JSONField(_("reasons"), default=list)
    state = models.CharField(
        _("state"), max_length=12, choices=InspectionState.choices, default=InspectionState.PLANNED
    )
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)
    # A follow-up visit checks these findings (of earlier visits).
    checks = models.ManyToManyField("Finding", blank=True, related_name="checked_by")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["scheduled_on", "pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            # the inspector's day: WHERE inspector_id = ? AND scheduled_on = ?
            models.Index(fields=["inspector", "scheduled_on"], name="inspection_inspector_day_idx"),
            # last inspection per unit (scoring, planning): WHERE state = 'done' GROUP BY unit_id
            models.Index(fields=["unit", "state", "-scheduled_on"], name="inspection_unit_idx"),
            # the office calendar: WHERE province_id = ? AND scheduled_on BETWEEN ? AND ?
            models.Index(fields=["province", "scheduled_on"], name="inspection_calendar_idx"),
        ]


class AnswerResult(models.TextChoices):
    CONFORMS = "conforms", _("Conforms")
    NONCONFORMING = "nonconforming", _("Nonconforming")  # a finding is recorded for it
    NOT_APPLICABLE = "na", _("Not applicable")


class ChecklistAnswer(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=14, choices=AnswerResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    answered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="answer_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.result}"


class FindingState(models.TextChoices):
    OPEN = "open", _("Open")  # waiting for a corrective action, or for its verification
    CORRECTED = "corrected", _("Corrected")  # the office verified the corrective action
    WITHDRAWN = "withdrawn", _("Withdrawn")  # recorded in error; with a reason


class Finding(BaseModel):
    """A nonconformity found on a visit; the unit corrects it through corrective actions."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    unit = models.ForeignKey(ProductionUnit, on_delete=models.PROTECT, related_name="findings")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    severity = models.CharField(_("severity"), max_length=8, choices=FindingSeverity.choices)
    safety = models.BooleanField(_("a safety risk"), default=False)  # may send the ladder to suspension
    text = models.TextField(_("what was found"))
    # The same item found open again at this unit within the look-back window (set by the service).
    repeat_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="repeats"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=FindingState.choices, default=FindingState.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("why withdrawn"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            # scoring and the unit page: WHERE unit_id = ? AND state = 'open'
            models.Index(fields=["unit", "state"], name="finding_unit_state_idx"),
            # the office's open findings: WHERE province_id = ? AND state = ?
            models.Index(fields=["province", "state", "-created_at"], name="finding_office_idx"),
        ]


class ActionState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by the unit")  # the office accepts it or asks again
    RETURNED = "returned", _("Asked again")  # final for this proposal; the unit proposes anew
    ACCEPTED = "accepted", _("Accepted")  # the unit carries it out by its date, then sends evidence
    SUBMITTED = "submitted", _("Evidence submitted")  # the office verifies or reopens
    REOPENED = "reopened", _("Reopened")  # the evidence did not satisfy; the unit sends more
    VERIFIED = "verified", _("Verified")  # final: the finding is corrected


LIVE_ACTION_STATES = ["proposed", "accepted", "submitted", "reopened"]


class CorrectiveAction(BaseModel):
    """What the unit will do about a finding, by when, and the proof it did. One live action a finding."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="actions")
    unit = models.ForeignKey(ProductionUnit, on_delete=models.PROTECT, related_name="corrective_actions")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("corrective action"))
    due_on = models.DateField(_("to be done by"))
    state = models.CharField(_("state"), max_length=10, choices=ActionState.choices, default="proposed")
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    office_note = models.TextField(_("office's note"), blank=True)  # why asked again / reopened
    evidence_note = models.TextField(_("what was done"), blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("evidence submitted at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Set once when the overdue run escalates it (the ladder's "deadline missed").
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        constraints = [
            models.UniqueConstraint(
                fields=["finding"],
                condition=Q(state__in=LIVE_ACTION_STATES),
                name="action_one_live_per_finding",
            )
        ]
        indexes = [
            # the overdue run: WHERE state IN ('accepted', 'reopened') AND due_on < ? AND escalated_at IS NULL
            models.Index(fields=["state", "due_on"], name="action_overdue_idx"),
            models.Index(fields=["unit", "state"], name="action_unit_idx"),
        ]


class Evidence(BaseModel):
    """A photo or file attached to a finding (by the inspector) or a corrective action (by the unit)."""

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    action = models.ForeignKey(
        CorrectiveAction, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="supervision/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finding__isnull=False, action__isnull=True)
                | Q(finding__isnull=True, action__isnull=False),
                name="evidence_of_one_thing",
            )
        ]


# ---------------------------------------------------------------- the enforcement ladder (ladder.py)


class Step(models.IntegerChoices):
    """The rungs of responsive regulation, lowest first; SUSPENSION and above are coercive."""

    NONE = 0, _("No measure")
    ADVICE = 1, _("Advice")
    CLINIC = 2, _("Referral to a consultation clinic")
    NOTICE = 3, _("Written notice with corrective action")
    WARNING = 4, _("Warning with negative points")
    TIGHTENED = 5, _("Intensified sampling (tightened inspection)")
    SUSPENSION = 6, _("Suspension of the licence")
    REVOCATION = 7, _("Revocation or referral to the judiciary")


class Trigger(models.TextChoices):
    """Why a unit moved on the ladder (ladder.py says which triggers allow which moves)."""

    FINDING = "finding", _("A finding")  # first rung(s): advice or a clinic
    DEADLINE_MISSED = "deadline_missed", _("A corrective-action deadline missed")
    REPEATED_FINDING = "repeated_finding", _("The same finding again")
    CRITICAL_SAFETY = "critical_safety", _("A critical safety finding")  # may jump to suspension
    POINTS = "points", _("Negative points over the threshold")
    MARKET_CASE = "market_case", _("A market surveillance case")
    CORRECTED = "corrected", _("Verified correction and a clean period")  # one rung down


class LadderDecision(BaseModel):
    """One move of a unit on the enforcement ladder, with its reason; the newest gives the unit's step."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(ProductionUnit, on_delete=models.PROTECT, related_name="ladder_decisions")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    previous_step = models.PositiveSmallIntegerField(_("previous step"), choices=Step.choices)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    reason = models.TextField(_("reason"))
    findings = models.ManyToManyField(Finding, blank=True, related_name="ladder_decisions")
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    coercive = models.BooleanField(_("coercive"), default=False)  # suspension, revocation, seizure, referral
    market_withdrawal = models.BooleanField(_("market withdrawal or seizure"), default=False)
    judiciary = models.BooleanField(_("referred to the judiciary"), default=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The Marks Committee decision a suspension, reinstatement or revocation step made; the coercive share
    # counts the committee's other sanctions (made outside the ladder) through the rows no step points to.
    sanction = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="ladder_decisions"
    )
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("enforcement decision")
        verbose_name_plural = _("enforcement decisions")
        constraints = [
            models.CheckConstraint(condition=Q(step__lte=7, previous_step__lte=7), name="ladder_step_known"),
        ]
        indexes = [
            # a unit's current step: WHERE unit_id = ? ORDER BY created_at DESC LIMIT 1
            models.Index(fields=["unit", "-created_at"], name="ladder_unit_idx"),
            # the coercive share: WHERE created_at BETWEEN ? AND ? GROUP BY province, month
            models.Index(fields=["province", "created_at"], name="ladder_measure_idx"),
        ]


class NegativePoint(BaseModel):
    """Negative points given to a unit by the instruction; they count until `expires_on`."""

    unit = models.ForeignKey(ProductionUnit, on_delete=models.PROTECT, related_name="negative_points")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=20)  # a key of policy "points"
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision = models.ForeignKey(
        LadderDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="points"
    )
    awarded_on = models.DateField(_("awarded on"))
    expires_on = models.DateField(_("expires on"))

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gt=F("awarded_on")), name="points_expire_later"),
        ]
        indexes = [
            # active points: WHERE unit_id = ? AND expires_on > today
            models.Index(fields=["unit", "expires_on"], name="points_unit_active_idx"),
        ]


# ---------------------------------------------------------------- market surveillance and complaints


class CaseKind(models.TextChoices):
    FAILED_SAMPLE = "failed_sample", _("A market sample failed its test")  # against the licence holder
    INVALID_MARK = "invalid_mark", _("A mark with an invalid tracking code")  # against the named producer


class MarkStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown tracking code")
    EXPIRED = "expired", _("Expired licence")
    REVOKED = "revoked", _("Revoked licence")
    SUSPENDED = "suspended", _("Suspended licence")


class CaseState(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Under investigation")
    CLOSED = "closed", _("Closed")


class CaseOutcome(models.TextChoices):
    CORRECTED = "corrected", _("Corrected by the producer")
    WITHDRAWN = "withdrawn", _("Withdrawn from the market or seized")  # coercive
    REFERRED = "referred", _("Referred to the judiciary")  # coercive
    UNFOUNDED = "unfounded", _("Not confirmed")


class MarketCase(BaseModel):
    """A market-surveillance case: a failed market sample, or a product on sale with a bad mark."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=14, choices=CaseKind.choices)
    unit = models.ForeignKey(
        ProductionUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="market_cases"
    )
    producer_name = models.CharField(_("producer named on the product"), max_length=255, blank=True)
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sample = models.OneToOneField(
        Sample, on_delete=models.PROTECT, null=True, blank=True, related_name="market_case"
    )
    report = models.ForeignKey(TestReport, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    tracking_code = models.CharField(_("tracking code on the product"), max_length=40, blank=True)
    mark_status = models.CharField(_("mark"), max_length=10, choices=MarkStatus.choices, blank=True)
    place = models.CharField(_("where it was found"), max_length=300, blank=True)
    product_description = models.CharField(_("product"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=14, choices=CaseState.choices, default=CaseState.OPEN)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CaseOutcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("market surveillance case")
        verbose_name_plural = _("market surveillance cases")
        indexes = [models.Index(fields=["province", "state", "-created_at"], name="case_office_idx")]


class ComplaintChannel(models.TextChoices):
    PUBLIC = "public", _("Public verification page")
    OFFICE = "office", _("Office (phone, letter, visit)")


class TriageState(models.TextChoices):
    RECEIVED = "received", _("Received")  # not yet looked at
    INVESTIGATING = "investigating", _("Under investigation")
    CLOSED = "closed", _("Closed")


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")  # counts in the unit's risk score
    NOT_UPHELD = "not_upheld", _("Not upheld")
    NOT_OURS = "not_ours", _("Not for the standards office")


class ComplaintPriority(models.TextChoices):
    URGENT = "urgent", _("Urgent (safety)")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class ComplaintCase(BaseModel):
    """The office's handling of a complaint (licensing.Complaint): triage, the unit and licence it is
    about, investigation and outcome. Created when the office triages a public complaint, or files one."""

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="case")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=8, choices=ComplaintChannel.choices)
    unit = models.ForeignKey(
        ProductionUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="complaint_cases"
    )
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    priority = models.CharField(
        _("priority"), max_length=8, choices=ComplaintPriority.choices, default=ComplaintPriority.NORMAL
    )
    state = models.CharField(_("state"), max_length=14, choices=TriageState.choices, default="received")
    outcome = models.CharField(_("outcome"), max_length=10, choices=ComplaintOutcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    inspection = models.ForeignKey(
        Inspection, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    triaged_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("complaint case")
        verbose_name_plural = _("complaint cases")
        indexes = [
            models.Index(fields=["province", "state", "-created_at"], name="complaint_office_idx"),
            # scoring: upheld complaints per unit in the window
            models.Index(fields=["unit", "outcome", "closed_at"], name="complaint_unit_outcome_idx"),
        ]
