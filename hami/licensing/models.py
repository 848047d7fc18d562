"""Standard-mark licences (پروانه کاربرد علامت استاندارد), their applications, the Marks Committee,
the office signing keys and the complaints filed from public verification."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hami.core.models import BaseModel, BilingualName, Province, User
from hami.registry.models import Product, ProductionUnit, Site
from hami.standards.models import Scheme, Standard


class ApplicationKind(models.TextChoices):
    NEW = "new", _("New licence")
    RENEWAL = "renewal", _("Renewal")


class Track(models.TextChoices):
    NORMAL = "normal", _("Normal track")
    FAST = "fast", _("Fast track")  # qualifying units: no factory audit, recent accredited lab report


class ApplicationState(models.TextChoices):
    """The application's steps; hami/licensing/workflow.py holds the allowed transitions."""

    DRAFT = "draft", _("Draft")  # the unit is filling it in
    SUBMITTED = "submitted", _("Submitted")  # waiting for the office's completeness check
    RETURNED = "returned", _("Returned with deficiencies")  # the unit must answer and resubmit
    AUDIT = "audit", _("Factory audit and sampling scheduled")
    TESTING = "testing", _("Samples under test")
    READY = "ready", _("Ready for the Marks Committee")
    GRANTED = "granted", _("Granted")  # final: a licence exists
    REFUSED = "refused", _("Refused")  # final, with reasons
    WITHDRAWN = "withdrawn", _("Withdrawn")  # final, by the unit


OPEN_STATES = [
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.RETURNED,
    ApplicationState.AUDIT,
    ApplicationState.TESTING,
    ApplicationState.READY,
]


class TestOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class Application(BaseModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ApplicationKind.choices, default=ApplicationKind.NEW
    )
    track = models.CharField(_("track"), max_length=8, choices=Track.choices, default=Track.NORMAL)
    fast_track_reason = models.CharField(_("why the fast track"), max_length=300, blank=True)
    unit = models.ForeignKey(ProductionUnit, on_delete=models.PROTECT, related_name="applications")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="applications", null=True, blank=True
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="applications")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="applications")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    licence = models.ForeignKey(
        "Licence", on_delete=models.PROTECT, null=True, blank=True, related_name="applications",
        help_text=_("For a renewal: the licence renewed. For a grant: the licence created."),
    )  # fmt: skip
    state = models.CharField(_("state"), max_length=16, choices=ApplicationState.choices, default="draft")
    state_since = models.DateTimeField(_("in this state since"))
    due_on = models.DateField(_("due"), null=True, blank=True, help_text=_("The current step's time target."))
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    test_outcome = models.CharField(
        _("test outcome"), max_length=8, choices=TestOutcome.choices, default=TestOutcome.PENDING
    )
    test_note = models.TextField(_("test note"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    documents = models.ManyToManyField("UnitDocument", related_name="applications", blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("licence application")
        verbose_name_plural = _("licence applications")
        indexes = [
            # the office queue: WHERE province_id = ? AND state = ? ORDER BY due_on
            models.Index(fields=["province", "state", "due_on"], name="application_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class StepVisit(models.Model):
    """One stay of an application in one state: where lead time and time per step come from."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    state = models.CharField(max_length=16, choices=ApplicationState.choices)
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    # None: Hami moved it on facts another service established (the labs' reports of its samples).
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["application", "entered_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.state}"


class Deficiency(BaseModel):
    """A gap the completeness check found; the unit answers it before resubmitting."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="deficiencies")
    text = models.TextField(_("deficiency"))
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["application", "created_at", "pk"]
        verbose_name = _("deficiency")
        verbose_name_plural = _("deficiencies")


class TimeTarget(models.Model):
    """How long a step may take, in working days; a province may set its own over the national one."""

    state = models.CharField(_("step"), max_length=16, choices=ApplicationState.choices)
    track = models.CharField(_("track"), max_length=8, choices=Track.choices, default=Track.NORMAL)
    working_days = models.PositiveSmallIntegerField(_("working days"))
    province = models.ForeignKey(Province, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("time target")
        verbose_name_plural = _("time targets")
        constraints = [
            models.UniqueConstraint(fields=["state", "track", "province"], name="time_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.state}/{self.track}: {self.working_days}"


class LicenceState(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")  # by the Marks Committee, may be reinstated
    REVOKED = "revoked", _("Revoked")  # final
    EXPIRED = "expired", _("Expired")  # not renewed by its expiry date


class Licence(BaseModel):
    """The licence's identity and state; its content lives in immutable versions (amendments)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("licence number"), max_length=32, unique=True)
    tracking_code = models.CharField(_("tracking code"), max_length=10, unique=True)
    unit = models.ForeignKey(ProductionUnit, on_delete=models.PROTECT, related_name="licences")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="licences")
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing office")
    )
    state = models.CharField(_("state"), max_length=16, choices=LicenceState.choices, default="active")
    current = models.OneToOneField(
        "LicenceVersion",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    # Copied from the current version for the register's filters and the nightly expiry run.
    expires_on = models.DateField(_("expires on"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        indexes = [
            # the expiry run and reminders: WHERE state = 'active' AND expires_on <= ?
            models.Index(fields=["state", "expires_on"], name="licence_state_expiry_idx"),
            # the office register: WHERE province_id = ? ORDER BY -created_at
            models.Index(fields=["province", "-created_at"], name="licence_register_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class LicenceVersion(models.Model):
    """What a licence says, as granted, amended or renewed. Rows are never changed."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(_("product"), max_length=255)
    brand = models.CharField(_("brand"), max_length=120)
    model = models.CharField(_("model"), max_length=120, blank=True)
    scheme = models.CharField(_("certification scheme"), max_length=2, choices=Scheme.choices)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["licence", "number"]
        constraints = [models.UniqueConstraint(fields=["licence", "number"], name="licence_version_unique")]

    def __str__(self) -> str:
        return f"{self.licence_id} v{self.number}"

    @property
    def product_label(self) -> str:
        """The product with its model, without repeating a model the name already holds."""
        if not self.model or self.model in self.product_name:
            return self.product_name
        return f"{self.product_name} {self.model}"


class SanctionReason(BilingualName):
    """The catalogue of reasons for suspension and revocation, kept by the national admin."""

    code = models.SlugField(max_length=60, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("sanction reason")
        verbose_name_plural = _("sanction reasons")


class CommitteeMeeting(BaseModel):
    """A meeting of a province's Marks Committee (کمیته علائم)."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date"))
    members = models.JSONField(_("members"), default=list, help_text=_("Names of the members."))
    closed = models.BooleanField(_("closed"), default=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("Marks Committee meeting")
        verbose_name_plural = _("Marks Committee meetings")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.CASCADE, related_name="agenda")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "application"], name="agenda_application_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} #{self.position}"


class DecisionKind(models.TextChoices):
    GRANT = "grant", _("Grant")
    REFUSE = "refuse", _("Refuse")
    SUSPEND = "suspend", _("Suspend")
    REINSTATE = "reinstate", _("Reinstate")
    REVOKE = "revoke", _("Revoke")


class Decision(BaseModel):
    """A Marks Committee decision, with the members present. The database allows one grant or refusal
    per application, so two officers deciding at once cannot both succeed."""

    meeting = models.ForeignKey(
        CommitteeMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    kind = models.CharField(_("decision"), max_length=16, choices=DecisionKind.choices)
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    sanction_reason = models.ForeignKey(SanctionReason, on_delete=models.PROTECT, null=True, blank=True)
    reason = models.TextField(_("reason"))
    members_present = models.JSONField(_("members present"), default=list)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind__in=["grant", "refuse"]),
                name="one_final_decision_per_application",
            ),
        ]


class SigningKey(BaseModel):
    """An office's Ed25519 key for signing marks. Retired keys keep verifying what they signed."""

    kid = models.CharField(_("key id"), max_length=40, unique=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    public_key = models.CharField(max_length=64)
    private_key_encrypted = models.TextField(help_text=_("Fernet-encrypted with HAMI_SIGNING_SECRET."))
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["province", "-created_at"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.UniqueConstraint(
                fields=["province"], condition=Q(retired_at__isnull=True), name="one_live_key_per_office"
            )
        ]

    def __str__(self) -> str:
        return self.kid


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("Received")  # supervision triages it


class Complaint(BaseModel):
    """A complaint about a product, filed by anyone from the public verification page."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    tracking_code = models.CharField(_("tracking code"), max_length=40, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField(_("what is wrong"))
    contact = models.CharField(_("how to reach you"), max_length=200, blank=True)
    state = models.CharField(max_length=16, choices=ComplaintState.choices, default=ComplaintState.RECEIVED)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")


class RenewalReminder(models.Model):
    """One reminder step (90, 60 or 30 days) for one expiry date of a licence: never sent twice."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="reminders")
    expires_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["licence", "-days_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "expires_on", "days_before"], name="reminder_once_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence_id}: {self.days_before} days before {self.expires_on}"


class DocumentKind(models.TextChoices):
    QC_CERTIFICATE = "qc_certificate", _("QC manager's competence certificate")
    OPERATING_PERMIT = "operating_permit", _("Operating permit")  # پروانه بهره‌برداری
    FACTORY_LAYOUT = "factory_layout", _("Factory layout and process chart")
    LAB_REPORT = "lab_report", _("Accredited lab test report")  # lets the fast track skip testing
    OTHER = "other", _("Other")


class UnitDocument(BaseModel):
    """A document a unit uploads once and attaches to any of its applications."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(ProductionUnit, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/")
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["unit", "-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [models.UniqueConstraint(fields=["unit", "sha256"], name="document_once_per_unit")]

    def __str__(self) -> str:
        return self.title
