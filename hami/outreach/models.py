"""Outreach: training (courses, sessions, registrations, certificates), consultation clinics (advisors,
time slots, bookings, referrals) and special working groups (members, meetings, action items,
proposals).

docs/outreach.md draws the state machines and explains each model.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hami.core.models import BaseModel, BilingualName, Province, User
from hami.labs.models import Lab
from hami.registry.models import ProductionUnit
from hami.standards.models import ProductCategory, Standard


class Topic(BilingualName, BaseModel):
    """What a course teaches or a clinic advises on. A referral finds its topic through the standard
    or the product category it links; `code="quality-control"` is the fallback (see selectors)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    standards = models.ManyToManyField(Standard, related_name="+", blank=True, verbose_name=_("standards"))
    categories = models.ManyToManyField(
        ProductCategory, related_name="+", blank=True, verbose_name=_("product categories")
    )

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")  # at `venue`
    ONLINE = "online", _("Online")  # at `link`


# ---------------------------------------------------------------- training


class CourseKind(models.TextChoices):
    QC_COMPETENCE = "qc_competence", _("QC manager competence")  # issues the certificate licensing needs
    QC_RENEWAL = "qc_renewal", _("QC manager competence renewal")  # renews that certificate
    STANDARD = "standard", _("A standard's requirements")
    LAB_PRACTICE = "lab_practice", _("Lab practice")
    GENERAL = "general", _("General")


class Course(BaseModel):
    """An entry in the course catalogue; national when `province` is empty."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title_fa = models.CharField(_("title (Persian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CourseKind.choices, default=CourseKind.GENERAL)
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("topic"),
    )
    standard = models.ForeignKey(
        Standard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("standard"),
    )
    description = models.TextField(_("description"), blank=True)
    hours = models.PositiveSmallIntegerField(
        _("hours"), default=8, validators=[MinValueValidator(1), MaxValueValidator(400)]
    )
    # How long the certificate stays valid; empty: it never expires.
    certificate_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )  # fmt: skip
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("province"), help_text=_("Empty for a national course."),
    )  # fmt: skip
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["title_fa"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        from django.utils.translation import get_language

        return self.title_en if get_language() == "en" and self.title_en else self.title_fa


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")  # open for registration until it starts
    COMPLETED = "completed", _("Completed")  # attendance taken, certificates issued
    CANCELLED = "cancelled", _("Cancelled")  # everyone registered is told


class CourseSession(BaseModel):
    """One run of a course: in person at a venue or online at a link, with a capacity."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    link = models.URLField(_("online link"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    trainer = models.CharField(_("trainer"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("course session")
        verbose_name_plural = _("course sessions")
        indexes = [
            # the calendar and the list: WHERE province_id = ? AND starts_at BETWEEN ? AND ?
            models.Index(fields=["province", "starts_at"], name="session_province_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.course} — {self.starts_at:%Y-%m-%d}"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("registration status", "Registered")  # holds a place
    WAITLISTED = "waitlisted", _("On the waitlist")  # promoted in order when a place frees
    CANCELLED = "cancelled", _("Cancelled")  # by the unit, or with the session
    ATTENDED = "attended", pgettext_lazy("registration status", "Attended")
    ABSENT = "absent", _("Absent")


# The statuses that hold a place in the session (counted against capacity).
HOLDS_PLACE = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED, RegistrationStatus.ABSENT)


class Registration(BaseModel):
    """One person of a unit's staff in one session; the waitlist is ordered by `created_at`."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(
        CourseSession, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("session")
    )
    unit = models.ForeignKey(
        ProductionUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    national_code = models.CharField(_("national code"), max_length=10)
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED
    )
    promoted_at = models.DateTimeField(_("promoted from the waitlist"), null=True, blank=True)

    class Meta:
        ordering = ["session", "created_at"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # A person registers once per session (a cancelled registration may be made again).
            models.UniqueConstraint(
                fields=["session", "national_code"],
                condition=~Q(status="cancelled"),
                name="registration_person_once_per_session",
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class CertificateStatus(models.TextChoices):
    VALID = "valid", pgettext_lazy("certificate status", "Valid")  # until `expires_on`, if it has one
    RENEWED = "renewed", _("Renewed")  # replaced by a newer certificate (`renewed_by`)
    REVOKED = "revoked", _("Revoked")


class Certificate(BaseModel):
    """A training certificate, verifiable by its code on the public verification page."""

    code = models.CharField(_("verification code"), max_length=14, unique=True)
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("registration")
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+", verbose_name=_("course"))
    unit = models.ForeignKey(
        ProductionUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    national_code = models.CharField(_("national code"), max_length=10)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    renews = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewed_by",
        verbose_name=_("renews"),
    )  # fmt: skip
    revoke_reason = models.CharField(_("why revoked"), max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [
            # the QC manager's certificates: WHERE national_code = ? AND course.kind IN (...)
            models.Index(fields=["national_code", "issued_on"], name="certificate_person_idx"),
        ]

    def __str__(self) -> str:
        return self.code


# ---------------------------------------------------------------- consultation clinics


class AdvisorKind(models.TextChoices):
    OFFICE_EXPERT = "office_expert", _("Office expert")
    PRIVATE_CONSULTANT = "consultant", _("Private consultant")
    LAB_EXPERT = "lab_expert", _("Lab expert")


class Advisor(BaseModel):
    """Someone who holds clinic sessions: an office expert, a private consultant or a lab's expert."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="advisor", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AdvisorKind.choices)
    display_name = models.CharField(_("name"), max_length=200)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    lab = models.ForeignKey(
        Lab, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lab")
    )
    topics = models.ManyToManyField(Topic, related_name="advisors", verbose_name=_("topics"))
    bio = models.TextField(_("about"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("advisor")
        verbose_name_plural = _("advisors")

    def __str__(self) -> str:
        return self.display_name


class SlotStatus(models.TextChoices):
    OPEN = "open", _("Open")  # may be booked
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")  # withdrawn by the advisor or the office
    HELD = "held", _("Held")  # the session took place; notes written


class Slot(BaseModel):
    """A time an advisor offers on a topic. Until `priority_until`, only units with priority book it."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    advisor = models.ForeignKey(
        Advisor, on_delete=models.PROTECT, related_name="slots", verbose_name=_("advisor")
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="slots", verbose_name=_("topic"))
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    link = models.URLField(_("online link"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SlotStatus.choices, default=SlotStatus.OPEN)
    priority_until = models.DateTimeField(_("priority booking until"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("clinic slot")
        verbose_name_plural = _("clinic slots")
        indexes = [
            # the calendar and the list: WHERE province_id = ? AND starts_at BETWEEN ? AND ?
            models.Index(fields=["province", "starts_at"], name="slot_province_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.advisor} — {self.starts_at:%Y-%m-%d %H:%M}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")  # by the unit, or with the slot
    RESCHEDULED = "rescheduled", _("Moved to another slot")  # see `rescheduled_to`
    HELD = "held", _("Held")  # the advisor wrote notes
    NO_SHOW = "no_show", _("Unit did not come")


class Booking(BaseModel):
    """A unit's booking of a slot. The database refuses a second live booking of one slot."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot"))
    unit = models.ForeignKey(
        ProductionUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    booked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("what the unit wants to discuss"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    referral = models.ForeignKey(
        "Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="bookings",
        verbose_name=_("referral"),
    )  # fmt: skip
    rescheduled_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rescheduled_from"
    )
    advisor_notes = models.TextField(_("advisor's notes"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("comment on the session"), max_length=500, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("clinic booking")
        verbose_name_plural = _("clinic bookings")
        constraints = [
            # No slot is ever booked twice: at most one booking per slot that is not cancelled or moved.
            # This index is the guarantee under concurrent requests; the service's row lock only makes
            # the loser's answer friendly.
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status__in=["booked", "held", "no_show"]),
                name="booking_one_live_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="booking_rating_range",
            ),
        ]


class ReferralSource(models.TextChoices):
    TEST_REPORT = "test_report", _("Failed test")  # a test report that does not conform
    FINDING = "finding", _("Supervision finding")
    OFFICE = "office", _("Office staff")


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("Open")  # the unit has not booked yet
    BOOKED = "booked", _("Booked")  # a clinic session is booked for it
    COMPLETED = "completed", pgettext_lazy("referral status", "Completed")  # the session was held
    CLOSED = "closed", pgettext_lazy("referral status", "Closed")  # closed by the office without a session


class Referral(BaseModel):
    """A unit sent to a clinic on a topic because of a failed test, a finding, or an officer's call.
    An open referral gives the unit priority on slots of its topic."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(
        ProductionUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("topic")
    )
    source = models.CharField(_("source"), max_length=12, choices=ReferralSource.choices)
    # What referred it: a test report number, a finding's id; unique per source so a rerun refers once.
    source_ref = models.CharField(_("reference"), max_length=64)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.OPEN
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_reason = models.CharField(_("why closed"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref", "unit"], name="referral_once_per_source")
        ]


# ---------------------------------------------------------------- working groups


class GroupStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", pgettext_lazy("working group status", "Closed")


class WorkingGroup(BilingualName, BaseModel):
    """A special working group (کارگروه ویژه) of a sector, by ISIC division or class."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    isic = models.CharField(
        _("ISIC sector"), max_length=4, help_text=_("A division (2 digits) or class (4).")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("province"), help_text=_("Empty for a national group."),
    )  # fmt: skip
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=GroupStatus.choices, default=GroupStatus.ACTIVE
    )

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")


class MemberKind(models.TextChoices):
    UNIT = "unit", _("Production unit")
    EXPERT = "expert", _("Expert")
    LAB = "lab", _("Lab")
    OFFICE = "office", _("Office staff")


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")


class Member(BaseModel):
    """A member of a group: a unit, a lab, or a person (an expert or office staff)."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField(_("kind"), max_length=8, choices=MemberKind.choices)
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    unit = models.ForeignKey(
        ProductionUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    display_name = models.CharField(_("name"), max_length=255)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["group", "role", "display_name"]
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            # Exactly the one reference its kind calls for.
            models.CheckConstraint(
                condition=(
                    Q(kind="unit", unit__isnull=False, lab__isnull=True, user__isnull=True)
                    | Q(kind="lab", lab__isnull=False, unit__isnull=True, user__isnull=True)
                    | Q(
                        kind__in=["expert", "office"], user__isnull=False, unit__isnull=True, lab__isnull=True
                    )
                ),
                name="member_reference_matches_kind",
            ),
            models.UniqueConstraint(fields=["group", "unit"], name="member_unit_once"),
            models.UniqueConstraint(fields=["group", "lab"], name="member_lab_once"),
            models.UniqueConstraint(fields=["group", "user"], name="member_user_once"),
            # One chair at a time (the service also holds the group's row lock while it changes roles).
            models.UniqueConstraint(
                fields=["group"], condition=Q(role="chair", is_active=True), name="member_one_active_chair"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")  # minutes recorded
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(BaseModel):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    link = models.URLField(_("online link"), blank=True)
    agenda = models.TextField(_("agenda"))
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)
    attendees = models.ManyToManyField(Member, related_name="meetings_attended", blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("group meeting")
        verbose_name_plural = _("group meetings")


class ActionState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")  # with a reason


class ActionItem(BaseModel):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="actions", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=12, choices=ActionState.choices, default=ActionState.OPEN)
    note = models.CharField(_("note"), max_length=500, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")


class ProposalKind(models.TextChoices):
    TEST_CAPABILITY = "test_capability", _("A test no lab can do yet")
    STANDARD_CHANGE = "standard_change", _("A change to a standard")
    TRAINING_NEED = "training_need", _("A training need")
    OTHER = "other", _("Other")


class ProposalState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")  # with the reason
    IMPLEMENTED = "implemented", _("Implemented")  # with the outcome


class Proposal(BaseModel):
    """A group's proposal, followed to its outcome; each step is a ProposalStep with who and why."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(_("kind"), max_length=16, choices=ProposalKind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    standard = models.ForeignKey(
        Standard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("standard"),
    )
    state = models.CharField(
        _("state"), max_length=14, choices=ProposalState.choices, default=ProposalState.SUBMITTED
    )
    outcome = models.TextField(_("outcome"), blank=True)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")


class ProposalStep(models.Model):
    """One move of a proposal, shown as its history."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="steps")
    state = models.CharField(_("state"), max_length=14, choices=ProposalState.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.state}"
