"""The shared kernel: base model, the country's divisions, users and roles, the audit trail."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class BilingualName(models.Model):
    """A thing with a Persian and an English name; `name` follows the active language."""

    name_fa = models.CharField(_("name (Persian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_fa


class Province(BilingualName):
    """One of Iran's 31 provinces (استان); loaded from core/data/provinces.json by a data migration."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    # The capital's coordinates, from core/data/county_seats.json (see its "source"); WGS 84 degrees.
    latitude = models.DecimalField(_("latitude"), max_digits=7, decimal_places=4, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=7, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    @property
    def location(self) -> tuple[float, float] | None:
        """(latitude, longitude) of the capital, or None where it is not known."""
        if self.latitude is None or self.longitude is None:
            return None
        return float(self.latitude), float(self.longitude)


class County(BilingualName):
    """A county (شهرستان) of a province."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="counties", verbose_name=_("province")
    )
    code = models.SlugField(_("code"), max_length=60)
    # The seat's (county capital's) coordinates, from core/data/county_seats.json; WGS 84 degrees.
    # Four decimals are about 11 m, far finer than a town: distances here price a trip, not a route.
    latitude = models.DecimalField(_("latitude"), max_digits=7, decimal_places=4, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=7, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["province", "name_en"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="county_code_unique_in_province")
        ]

    @property
    def location(self) -> tuple[float, float] | None:
        """(latitude, longitude) of the seat, for hami.core.geo.haversine_km; None where it is not known."""
        if self.latitude is None or self.longitude is None:
            return None
        return float(self.latitude), float(self.longitude)


class Role(models.TextChoices):
    """What a user is; the scope that goes with each is kept where the scoped thing lives."""

    NATIONAL_ADMIN = "national_admin", _("National admin")  # INSO headquarters: every province
    OFFICE_STAFF = "office_staff", _("Office staff")  # a provincial office: its province
    INSPECTOR = "inspector", _("Inspector")  # office or inspection staff: its province
    LAB_STAFF = "lab_staff", _("Lab staff")  # a cooperating lab: labs.LabMembership
    INSPECTION_COMPANY = "inspection_company", _("Inspection company")  # labs.CompanyMembership
    UNIT_REP = "unit_rep", _("Unit representative")  # registry.UnitMembership
    ADVISOR = "advisor", _("Private consultant")  # holds clinic sessions: outreach.Advisor


PROVINCE_SCOPED_ROLES = {Role.OFFICE_STAFF, Role.INSPECTOR}


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, help_text=_("For SMS notices."))
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("province"),
        help_text=_("The province an office officer or inspector works for."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["office_staff", "inspector"])
                | models.Q(province__isnull=False),
                name="user_office_roles_have_province",
            )
        ]

    @property
    def is_national(self) -> bool:
        return self.role == Role.NATIONAL_ADMIN or self.is_superuser

    @property
    def is_office(self) -> bool:
        return self.role in PROVINCE_SCOPED_ROLES


class Holiday(models.Model):
    """A public holiday (تعطیل رسمی) the national admin keeps; a province may add its own."""

    date = models.DateField(_("date"))
    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        verbose_name=_("province"),
        help_text=_("Empty for a national holiday."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["date", "province"], name="holiday_unique_per_province")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name_fa}"


class EventType(models.TextChoices):
    """Every kind of state change the audit trail records."""

    USER_LOGGED_IN = "user.logged_in", _("User logged in")
    USER_CREATED = "user.created", _("User created")
    UNIT_CREATED = "unit.created", _("Production unit created")
    UNIT_UPDATED = "unit.updated", _("Production unit updated")
    UNIT_IMPORTED = "unit.imported", _("Production units imported")
    SITE_CREATED = "site.created", _("Site created")
    PRODUCT_CREATED = "product.created", _("Product created")
    QC_MANAGER_APPOINTED = "qc_manager.appointed", _("QC manager appointed")
    STANDARD_CREATED = "standard.created", _("Standard created")
    STANDARD_UPDATED = "standard.updated", _("Standard updated")
    STANDARDS_IMPORTED = "standard.imported", _("Standards imported")
    CATEGORY_CREATED = "category.created", _("Product category created")
    LAB_CREATED = "lab.created", _("Lab created")
    LAB_STATUS_CHANGED = "lab.status_changed", _("Lab status changed")
    LAB_ACCREDITATION_SET = "lab.accreditation_set", _("Lab accreditation recorded")
    LAB_SCOPE_CHANGED = "lab.scope_changed", _("Lab scope changed")
    LAB_CONFLICT_DECLARED = "lab.conflict_declared", _("Lab conflict of interest declared")
    COMPANY_CREATED = "company.created", _("Inspection company created")
    COMPANY_UPDATED = "company.updated", _("Inspection company updated")
    SAMPLE_TAKEN = "sample.taken", _("Sample taken")
    SAMPLE_CUSTODY = "sample.custody", _("Sample handed over")
    SAMPLE_DECIDED = "sample.decided", _("Sample verdict reached")
    ASSIGNMENT_PROPOSED = "assignment.proposed", _("Lab assignment proposed")
    ASSIGNMENT_CONFIRMED = "assignment.confirmed", _("Lab assignment confirmed; orders sent")
    ORDER_ACCEPTED = "order.accepted", _("Test order accepted")
    ORDER_REJECTED = "order.rejected", _("Test order rejected")
    RESULT_REPORTED = "order.result", _("Test result reported")
    REPORT_ISSUED = "report.issued", _("Test report issued")
    REPORT_AMENDED = "report.amended", _("Test report amended")
    API_TOKEN_CREATED = "api_token.created", _("API token created")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    UNIT_FAST_TRACK_SET = "unit.fast_track_set", _("Fast track set")
    APPLICATION_CREATED = "application.created", _("Application created")
    APPLICATION_MOVED = "application.moved", _("Application moved to a new step")
    APPLICATION_UPDATED = "application.updated", _("Application updated")
    COMMITTEE_MEETING_CREATED = "committee.meeting_created", _("Committee meeting created")
    DECISION_RECORDED = "committee.decision", _("Committee decision recorded")
    LICENCE_GRANTED = "licence.granted", _("Licence granted")
    LICENCE_RENEWED = "licence.renewed", _("Licence renewed")
    LICENCE_AMENDED = "licence.amended", _("Licence amended")
    LICENCE_SUSPENDED = "licence.suspended", _("Licence suspended")
    LICENCE_REINSTATED = "licence.reinstated", _("Licence reinstated")
    LICENCE_REVOKED = "licence.revoked", _("Licence revoked")
    LICENCE_EXPIRED = "licence.expired", _("Licence expired")
    SIGNING_KEY_CREATED = "signing_key.created", _("Signing key created")
    SIGNING_KEY_RETIRED = "signing_key.retired", _("Signing key retired")
    COMPLAINT_FILED = "complaint.filed", _("Complaint filed")
    RENEWAL_REMINDER_SENT = "licence.renewal_reminder", _("Renewal reminder sent")
    DOCUMENT_UPLOADED = "document.uploaded", _("Document uploaded")
    DEMO_BUILT = "demo.built", _("Demo province built")
    # outreach: training
    TOPIC_SAVED = "outreach.topic_saved", _("Topic saved")
    COURSE_SAVED = "course.saved", _("Course saved")
    SESSION_SCHEDULED = "session.scheduled", _("Course session scheduled")
    SESSION_UPDATED = "session.updated", _("Course session updated")
    SESSION_CANCELLED = "session.cancelled", _("Course session cancelled")
    SESSION_COMPLETED = "session.completed", _("Course session completed")
    REGISTRATION_CREATED = "registration.created", _("Registered for a course session")
    REGISTRATION_CANCELLED = "registration.cancelled", _("Course registration cancelled")
    REGISTRATION_PROMOTED = "registration.promoted", _("Promoted from the waitlist")
    ATTENDANCE_RECORDED = "registration.attendance", _("Attendance recorded")
    CERTIFICATE_ISSUED = "certificate.issued", _("Training certificate issued")
    CERTIFICATE_REVOKED = "certificate.revoked", _("Training certificate revoked")
    OUTREACH_REMINDER_SENT = "outreach.reminder", _("Reminder of a course or clinic session sent")
    # outreach: clinics
    ADVISOR_SAVED = "advisor.saved", _("Advisor saved")
    SLOT_PUBLISHED = "slot.published", _("Clinic slot published")
    SLOT_CANCELLED = "slot.cancelled", _("Clinic slot cancelled")
    BOOKING_CREATED = "booking.created", _("Clinic slot booked")
    BOOKING_CANCELLED = "booking.cancelled", _("Clinic booking cancelled")
    BOOKING_RESCHEDULED = "booking.rescheduled", _("Clinic booking rescheduled")
    BOOKING_HELD = "booking.held", _("Clinic session held")
    BOOKING_RATED = "booking.rated", _("Clinic session rated")
    REFERRAL_CREATED = "referral.created", _("Unit referred to a clinic")
    REFERRAL_CLOSED = "referral.closed", _("Referral closed")
    # outreach: working groups
    GROUP_SAVED = "group.saved", _("Working group saved")
    GROUP_MEMBER_CHANGED = "group.member", _("Working group membership changed")
    MEETING_SAVED = "group.meeting", _("Working group meeting saved")
    ACTION_ITEM_SAVED = "group.action", _("Action item saved")
    PROPOSAL_MOVED = "group.proposal", _("Proposal submitted or moved")
    RISK_ASSESSED = "risk.assessed", _("Product risk assessed")
    POLICY_CHANGED = "supervision.policy", _("Supervision instruction changed")
    SCORES_COMPUTED = "supervision.scores", _("Unit risk scores computed")
    PLAN_GENERATED = "plan.generated", _("Inspection plan generated")
    PLAN_PUBLISHED = "plan.published", _("Inspection plan published")
    PLAN_WITHDRAWN = "plan.withdrawn", _("Inspection plan withdrawn")
    INSPECTION_SAVED = "inspection.saved", _("Inspection scheduled or changed")
    INSPECTION_MOVED = "inspection.moved", _("Inspection started, finished or cancelled")
    CHECKLIST_SAVED = "checklist.saved", _("Checklist saved")
    FINDING_SAVED = "finding.saved", _("Finding recorded or changed")
    ACTION_MOVED = "action.moved", _("Corrective action proposed or moved")
    EVIDENCE_ADDED = "evidence.added", _("Evidence added")
    LADDER_DECIDED = "ladder.decided", _("Enforcement step decided")
    POINTS_AWARDED = "points.awarded", _("Negative points given")
    MARKET_CASE_SAVED = "market_case.saved", _("Market surveillance case opened or moved")
    COMPLAINT_TRIAGED = "complaint.triaged", _("Complaint triaged or moved")


class AuditEvent(models.Model):
    """One row of the append-only, hash-chained audit trail.

    `hash` is an HMAC-SHA256 (keyed by settings.HAMI_AUDIT_KEY) over this row's content and the
    previous row's hash, and `seq` counts without gaps, so `audit_verify` finds an edited row (its
    hash no longer matches), a deleted one (a gap, or a broken link) and an inserted one (a forger
    without the key cannot make a matching hash). Never updated or deleted: see hami/core/audit.py.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    actor_label = models.CharField(
        _("actor"), max_length=150, help_text=_("The username, kept if the user goes.")
    )
    event_type = models.CharField(_("event type"), max_length=64, choices=EventType.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # the history of one object (unit page, licence history)
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class ApiToken(BaseModel):
    """A bearer token for the API (labs' systems, scripts). Only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False, help_text=_("To recognize a token."))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Notification(BaseModel):
    """A message for a user, shown in the app; email and SMS copies go out through hami.core.notify."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # the bell: WHERE user_id = ? AND read_at IS NULL
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.subject
