"""Conformity testing: labs and their approval, accredited scopes, inspection companies, samples and
their chain of custody, test orders, results and reports, and assignment batches.

docs/labs.md draws the state machines and explains each model.
"""

import datetime as dt
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hami.core.models import BaseModel, BilingualName, County, Province, User
from hami.labs.decision import Conformity, Verdict
from hami.registry.models import Product, ProductionUnit, Site
from hami.standards.models import ProductCategory, Requirement, Standard


class LabKind(models.TextChoices):
    COOPERATING = "cooperating", _("Cooperating (private) lab")  # آزمایشگاه همکار
    OFFICE = "office", _("Office lab")  # the standards office's own
    IN_HOUSE = "in_house", _("In-house lab of a unit")


class LabStatus(models.TextChoices):
    """The approval workflow (hami/labs/workflow.py) and what follows it."""

    APPLIED = "applied", _("Application received")
    DOCUMENT_REVIEW = "document_review", _("Document review")
    ASSESSMENT = "assessment", _("Assessment visit")
    COMMITTEE = "committee", _("Technical committee")
    FIXING = "fixing", _("Fixing deficiencies")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class ApprovalStatus(models.TextChoices):
    """An inspection company's standing."""

    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class LabQuerySet(models.QuerySet):
    def accredited_on(self, day: dt.date):
        """Approved labs whose ISO/IEC 17025 accreditation is valid on `day`: the ones that may test."""
        return self.filter(status=LabStatus.APPROVED, accreditation_expiry__gte=day)


class Lab(BilingualName, BaseModel):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=LabKind.choices, default=LabKind.COOPERATING)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    owner_unit = models.ForeignKey(
        ProductionUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="own_labs",
        verbose_name=_("unit that owns it"), help_text=_("For an in-house lab: the unit it belongs to."),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=16, choices=LabStatus.choices, default=LabStatus.APPLIED
    )
    status_since = models.DateTimeField(_("in this status since"), default=timezone.now)
    fix_by = models.DateField(
        _("deficiencies to fix by"),
        null=True,
        blank=True,
        help_text=_("The time granted to fix deficiencies."),
    )
    fixing_from = models.CharField(
        _("step to return to"), max_length=16, choices=LabStatus.choices, blank=True,
        help_text=_("While fixing deficiencies: the step the lab goes back to."),
    )  # fmt: skip
    accreditation_number = models.CharField(
        _("ISO/IEC 17025 accreditation number"), max_length=40, blank=True
    )
    accreditation_body = models.CharField(_("accreditation body"), max_length=120, blank=True)
    accreditation_expiry = models.DateField(_("accreditation expiry"), null=True, blank=True)

    objects = LabQuerySet.as_manager()

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("lab")
        verbose_name_plural = _("labs")
        indexes = [models.Index(fields=["status", "accreditation_expiry"], name="lab_usable_idx")]

    def accredited(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return bool(
            self.status == LabStatus.APPROVED
            and self.accreditation_expiry
            and self.accreditation_expiry >= day
        )


class LabEvent(models.Model):
    """One step of a lab's history: application, review, visit, decision, suspension..."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, choices=LabStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=LabStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    fix_by = models.DateField(_("deficiencies to fix by"), null=True, blank=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.lab_id}: {self.from_status} → {self.to_status}"


class ScopeLine(BaseModel):
    """One test a lab is accredited for: a method for a standard's requirement, with its capacity."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="scope", verbose_name=_("lab"))
    requirement = models.ForeignKey(
        Requirement, on_delete=models.PROTECT, related_name="scope_lines", verbose_name=_("requirement")
    )
    method = models.CharField(_("test method"), max_length=200)
    weekly_capacity = models.PositiveIntegerField(_("tests per week"))
    price = models.PositiveBigIntegerField(_("price (rials)"))
    turnaround_days = models.PositiveSmallIntegerField(_("turnaround (days)"))
    uncertainty_may_exceed_value = models.BooleanField(
        _("uncertainty may exceed the value"), default=False,
        help_text=_("Allowed by the method, e.g. for trace contaminants near the limit of detection."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["lab", "requirement"]
        verbose_name = _("scope line")
        verbose_name_plural = _("scope lines")
        constraints = [
            models.UniqueConstraint(fields=["lab", "requirement"], name="scope_line_unique"),
            models.CheckConstraint(condition=Q(turnaround_days__gte=1), name="scope_turnaround_positive"),
        ]


class ConflictKind(models.TextChoices):
    OWNERSHIP = "ownership", _("Ownership")
    DECLARED = "declared", _("Declared conflict of interest")


class Conflict(BaseModel):
    """A lab may not test this unit's products."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="conflicts")
    unit = models.ForeignKey(ProductionUnit, on_delete=models.CASCADE, related_name="lab_conflicts")
    kind = models.CharField(_("kind"), max_length=16, choices=ConflictKind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lab", "unit"], name="conflict_unique")]


class InspectionCompany(BilingualName, BaseModel):
    """An approved private body that takes samples (شرکت بازرسی)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    categories = models.ManyToManyField(
        ProductCategory, related_name="inspection_companies", blank=True, verbose_name=_("scope")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("inspection company")
        verbose_name_plural = _("inspection companies")


class LabMembership(BaseModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="lab_memberships")
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lab"], name="lab_membership_unique")]


class CompanyMembership(BaseModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="company_memberships")
    company = models.ForeignKey(InspectionCompany, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="company_membership_unique")]


# --- samples ------------------------------------------------------------------------------------


class SampleOrigin(models.TextChoices):
    FACTORY = "factory", _("Factory")
    MARKET = "market", _("Market")


class InspectionSeverity(models.TextChoices):
    """ISO 2859-1 severity of inspection, from the unit's lot history (hami/labs/sampling.py)."""

    NORMAL = "normal", _("Normal")
    TIGHTENED = "tightened", _("Tightened")
    REDUCED = "reduced", _("Reduced")


class CustodyStep(models.TextChoices):
    """The chain of custody, in order: each hand-over is recorded with who and when."""

    TAKEN = "taken", _("Taken")
    SENT = "sent", _("Sent to the lab")
    RECEIVED = "received", _("Received by the lab")
    TESTED = "tested", _("Tested")
    RETAINED = "retained", _("Retained")
    DISPOSED = "disposed", _("Disposed")


class Sample(BaseModel):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("chain-of-custody code"), max_length=16, unique=True)
    seal_number = models.CharField(_("seal number"), max_length=40)
    origin = models.CharField(_("taken at"), max_length=8, choices=SampleOrigin.choices)
    place = models.CharField(
        _("place"), max_length=300, blank=True, help_text=_("The shop or warehouse, for a market sample.")
    )
    unit = models.ForeignKey(
        ProductionUnit, on_delete=models.PROTECT, related_name="samples", verbose_name=_("producer")
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="samples")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="samples")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="samples")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        "licensing.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="samples"
    )
    taken_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken by"))
    company = models.ForeignKey(
        InspectionCompany, on_delete=models.PROTECT, null=True, blank=True, related_name="samples",
        verbose_name=_("inspection company"),
    )  # fmt: skip
    taken_at = models.DateTimeField(_("taken at"))
    lot_number = models.CharField(_("lot number"), max_length=60, blank=True)
    lot_size = models.PositiveIntegerField(_("lot size"))
    inspection_level = models.CharField(_("inspection level"), max_length=4, default="II")
    aql = models.DecimalField(_("AQL"), max_digits=7, decimal_places=3)
    severity = models.CharField(
        _("inspection"), max_length=10, choices=InspectionSeverity.choices, default=InspectionSeverity.NORMAL
    )
    code_letter = models.CharField(_("code letter"), max_length=1)
    sample_size = models.PositiveIntegerField(_("sample size"))
    accept = models.PositiveIntegerField(_("acceptance number (Ac)"))
    reject = models.PositiveIntegerField(_("rejection number (Re)"))
    state = models.CharField(
        _("custody"), max_length=10, choices=CustodyStep.choices, default=CustodyStep.TAKEN
    )
    nonconforming_items = models.PositiveIntegerField(_("nonconforming items found"), null=True, blank=True)
    verdict = models.CharField(_("worst verdict"), max_length=16, choices=Verdict.choices, blank=True)
    conformity = models.CharField(_("conformity"), max_length=24, choices=Conformity.choices, blank=True)
    lot_accepted = models.BooleanField(_("lot accepted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-taken_at"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        indexes = [
            models.Index(fields=["province", "-taken_at"], name="sample_office_idx"),
            models.Index(fields=["unit", "product", "taken_at"], name="sample_lot_history_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class CustodyEvent(models.Model):
    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="custody")
    step = models.CharField(_("step"), max_length=10, choices=CustodyStep.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    seal_intact = models.BooleanField(_("seal intact"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.sample_id}: {self.step}"


class SamplePhoto(BaseModel):
    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="samples/%Y/%m/")
    content_type = models.CharField(max_length=60)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")


# --- test orders ----------------------------------------------------------------------------------


class AssignmentBatch(BaseModel):
    """One run of the assignment solver over a set of samples' tests (hami/labs/assignment.py)."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    weights = models.JSONField(_("weights"))
    rotation_limit = models.PositiveSmallIntegerField(_("rotation: most tests in a row by one lab"))
    feasible = models.BooleanField(_("every test placed"))
    total_cost = models.DecimalField(_("total cost"), max_digits=20, decimal_places=2)
    report = models.JSONField(_("explanation"), default=dict)
    confirmed_at = models.DateTimeField(_("orders sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class OrderState(models.TextChoices):
    SENT = "sent", _("Sent to the lab")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected by the lab")
    REPORTED = "reported", _("Report issued")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ORDER_STATES = [OrderState.SENT, OrderState.ACCEPTED]


class TestOrder(BaseModel):
    __test__ = False  # not a pytest class

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=32, unique=True)
    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="orders")
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="orders")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        AssignmentBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    state = models.CharField(_("state"), max_length=10, choices=OrderState.choices, default=OrderState.SENT)
    state_since = models.DateTimeField(_("in this state since"), default=timezone.now)
    reject_reason = models.CharField(_("reason for rejecting"), max_length=300, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    explanation = models.JSONField(_("why this lab"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("test order")
        verbose_name_plural = _("test orders")
        indexes = [models.Index(fields=["lab", "state", "-created_at"], name="order_lab_inbox_idx")]

    def __str__(self) -> str:
        return self.number


class TestItem(BaseModel):
    """One requirement tested in an order, and its result."""

    __test__ = False

    order = models.ForeignKey(TestOrder, on_delete=models.CASCADE, related_name="items")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="test_items")
    price = models.PositiveBigIntegerField(_("price (rials)"))
    # In the requirement's unit (hami/labs/units.py converts), with the digits of the requirement's limits.
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    uncertainty = models.DecimalField(
        _("expanded uncertainty (k=2)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    outcome = models.CharField(
        _("outcome"), max_length=4, blank=True, help_text=_("For a pass/fail requirement: pass or fail.")
    )
    method = models.CharField(_("method"), max_length=200, blank=True)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["requirement__clause"]
        constraints = [models.UniqueConstraint(fields=["order", "requirement"], name="test_item_unique")]


class TestReport(models.Model):
    """An issued test report: immutable. A correction is a new report that amends it, with a reason."""

    __test__ = False

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("report number"), max_length=40, unique=True)
    order = models.ForeignKey(TestOrder, on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveSmallIntegerField(_("version"))
    amends = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amended_by"
    )
    reason = models.CharField(_("reason for the amendment"), max_length=300, blank=True)
    verdict = models.CharField(_("worst verdict"), max_length=16, choices=Verdict.choices)
    conformity = models.CharField(_("conformity"), max_length=24, choices=Conformity.choices)
    content = models.JSONField(_("content"))  # what the PDF prints, frozen at issue
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["order", "version"]
        constraints = [models.UniqueConstraint(fields=["order", "version"], name="report_version_unique")]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("An issued test report is never changed; issue an amended report instead.")
        super().save(*args, **kwargs)
