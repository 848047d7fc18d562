"""Certificates of training: the code printed on each (random digits with a Verhoeff check digit), the
public verification, issuing one to each attendee of a completed session, revoking one, and the
warnings before a QC manager's competence certificate expires. Sessions and registrations are in
services/training.py; session_complete calls certificate_issue.

A certificate:

    VALID ──a renewal course's certificate──▶ RENEWED   (`renewed_by` the new one)
    VALID ──revoke (the issuing office, reason)──▶ REVOKED
    VALID past `expires_on` is shown as expired (certificate_standing); nothing rewrites it.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from hami.core.audit import audit
from hami.core.calendar import add_months
from hami.core.errors import Forbidden, HamiError
from hami.core.jalali import format_date
from hami.core.models import EventType, Notification, User
from hami.core.notify import notify
from hami.core.persian import normalize_text, to_ascii_digits

# A pure module (no Django import): the licence tracking code's Verhoeff check digit.
from hami.licensing.tracking import is_valid_verhoeff, verhoeff_check_digit
from hami.outreach.access import can_manage
from hami.outreach.error_codes import OutreachErrorCode as Code
from hami.outreach.models import Certificate, CertificateStatus, CourseKind, Registration, RegistrationStatus
from hami.outreach.services.notices import notify_units_on_commit
from hami.registry.models import QCManager
from hami.registry.services import qc_manager_certificate_record

# Courses whose certificate is the QC manager's competence certificate that licensing requires.
QC_KINDS = (CourseKind.QC_COMPETENCE, CourseKind.QC_RENEWAL)
# A renewal course takes a person whose QC certificate is valid or expired less than this long ago.
RENEWAL_GRACE_MONTHS = 12
# Days before a QC certificate's expiry on which the unit is warned.
EXPIRY_NOTICE_DAYS = (60, 30)
CODE_LENGTH = 12

# What the public verification page and API say about a certificate.
PUBLIC_STATUS = {
    "valid": pgettext_lazy("certificate status", "Valid"),
    "expired": gettext_lazy("Expired"),
    "renewed": gettext_lazy("Renewed (replaced by a newer certificate)"),
    "revoked": gettext_lazy("Revoked"),
}


# ---------------------------------------------------------------- codes and verification


def new_certificate_code() -> str:
    """Eleven random digits (the first not zero) and a Verhoeff check digit: not guessable by counting
    from a known code, and a mistyped digit or a swap of two neighbours is caught before any lookup."""
    body = str(secrets.randbelow(9 * 10**10) + 10**10)
    return body + str(verhoeff_check_digit(body))


def clean_certificate_code(text) -> str | None:
    """The code as typed (any digit script, spaces or dashes) if it is well formed, else None."""
    code = to_ascii_digits(str(text)[:40]).replace(" ", "").replace("-", "").strip()
    if len(code) != CODE_LENGTH or not (code.isascii() and code.isdigit()) or code[0] == "0":
        return None
    return code if is_valid_verhoeff(code) else None


def certificate_standing(certificate: Certificate, *, today: dt.date) -> str:
    """valid, expired, renewed or revoked: the status, with a valid certificate past its date expired."""
    if certificate.status == CertificateStatus.VALID:
        if certificate.expires_on is not None and certificate.expires_on < today:
            return "expired"
        return "valid"
    return str(certificate.status)


def mask_national_code(code: str) -> str:
    """The first three and last two digits: enough to tell two people apart, not enough to copy."""
    return f"{code[:3]}{'*' * max(len(code) - 5, 0)}{code[-2:]}" if len(code) > 5 else "*" * len(code)


def certificate_by_code(text) -> Certificate | None:
    """The certificate behind a code as typed (None for an unknown or malformed code): the public
    lookup, one query."""
    code = clean_certificate_code(text)
    if code is None:
        return None
    return (
        Certificate.objects.select_related("course", "registration__session__province", "renewed_by")
        .filter(code=code)
        .first()
    )


def _both(label) -> dict:
    with translation.override("fa"):
        fa = str(label)
    with translation.override("en"):
        en = str(label)
    return {"fa": fa, "en": en}


def certificate_verification(certificate: Certificate, *, today: dt.date) -> dict:
    """What the public learns of a certificate, JSON-ready (dates as ISO strings), for the page and API."""
    standing = certificate_standing(certificate, today=today)
    province = certificate.registration.session.province
    course = certificate.course
    renewed_by = getattr(certificate, "renewed_by", None)
    return {
        "code": certificate.code,
        "status": standing,
        "status_label": _both(PUBLIC_STATUS[standing]),
        "valid": standing == "valid",
        "holder": certificate.full_name,
        "national_code": mask_national_code(certificate.national_code),
        "course": {"fa": course.title_fa, "en": course.title_en or course.title_fa},
        "course_kind": course.kind,
        "qc_competence": course.kind in QC_KINDS,
        "hours": course.hours,
        "issuing_office": {"fa": province.name_fa, "en": province.name_en or province.name_fa},
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
        "renewed_by": renewed_by.code if renewed_by else None,
    }


def qc_certificate_to_renew(national_code: str, today: dt.date, *, lock: bool = False) -> Certificate | None:
    """The person's latest QC certificate that a renewal course may renew: valid, or expired less than
    RENEWAL_GRACE_MONTHS ago."""
    certificates = Certificate.objects.filter(
        national_code=national_code, course__kind__in=QC_KINDS, status=CertificateStatus.VALID
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=add_months(today, -RENEWAL_GRACE_MONTHS)))
    if lock:
        certificates = certificates.select_for_update()
    return certificates.order_by("-issued_on", "-pk").first()


# ---------------------------------------------------------------- certificates


@transaction.atomic
def certificate_issue(*, actor: User, registration: Registration) -> Certificate:
    """The certificate of one attendee (session_complete calls it). A QC course's certificate is the QC
    manager's competence certificate: a renewal replaces the person's previous one, and the unit's
    active QC manager with this national code gets the new number and expiry in the registry.
    Raises Forbidden, HamiError(WRONG_STATE)."""
    registration = (
        Registration.objects.select_for_update()
        .select_related("session__course", "session__province", "unit__province")
        .get(pk=registration.pk)
    )
    session, course = registration.session, registration.session.course
    if not can_manage(actor, session.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the office that runs this session may do this."))
    if registration.status != RegistrationStatus.ATTENDED:
        raise HamiError(Code.WRONG_STATE, _("Only a person who attended gets a certificate."))
    if Certificate.objects.filter(registration=registration).exists():
        message = _("{name} already has this session's certificate.").format(name=registration.full_name)
        raise HamiError(Code.WRONG_STATE, message)
    today = timezone.localdate()
    qc = course.kind in QC_KINDS
    months = course.certificate_months or (settings.HAMI_QC_CERTIFICATE_MONTHS if qc else None)
    renews = (
        qc_certificate_to_renew(registration.national_code, today, lock=True)
        if course.kind == CourseKind.QC_RENEWAL
        else None
    )
    code = new_certificate_code()
    while Certificate.objects.filter(code=code).exists():
        code = new_certificate_code()
    certificate = Certificate.objects.create(
        code=code,
        registration=registration,
        course=course,
        unit=registration.unit,
        full_name=registration.full_name,
        national_code=registration.national_code,
        issued_on=today,
        expires_on=add_months(today, months) if months else None,
        renews=renews,
    )
    if renews is not None:
        renews.status = CertificateStatus.RENEWED
        renews.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.CERTIFICATE_ISSUED,
        obj=certificate,
        province=session.province,
        details={
            "code": code,
            "course": course.code,
            "session": str(session.public_id),
            "expires_on": certificate.expires_on,
            "renews": renews.code if renews else None,
        },
    )
    if qc:
        qc_manager_certificate_record(
            actor=actor,
            unit=registration.unit,
            national_code=registration.national_code,
            certificate_number=code,
            certificate_expiry=certificate.expires_on,
        )
    notify_units_on_commit(
        {
            registration.unit_id: (
                _("Certificate issued: {course}").format(course=course.title),
                _("{name} attended {course} and received certificate {code}.").format(
                    name=registration.full_name, course=course.title, code=code
                ),
            )
        },
        link=reverse("outreach:certificate_list") + f"?code={code}",
        skip=actor,
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a valid certificate (the office of the session that issued it). A revoked QC certificate
    that the unit's QC manager holds ends that QC manager's certification today. Raises Forbidden,
    HamiError(INVALID / WRONG_STATE)."""
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("registration__session", "course", "unit__province")
        .get(pk=certificate.pk)
    )
    if not can_manage(actor, certificate.registration.session.province_id):
        raise Forbidden(
            Code.FORBIDDEN, _("Only the office whose session issued the certificate may revoke it.")
        )
    if certificate.status != CertificateStatus.VALID:
        raise HamiError(
            Code.WRONG_STATE,
            _("This certificate is {status}; only a valid one is revoked.").format(
                status=certificate.get_status_display()
            ),
        )
    reason = normalize_text(reason or "")
    if not reason:
        raise HamiError(Code.INVALID, _("Write why the certificate is revoked."), field="reason")
    certificate.status = CertificateStatus.REVOKED
    certificate.revoke_reason = reason[:300]
    certificate.save(update_fields=["status", "revoke_reason", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.CERTIFICATE_REVOKED,
        obj=certificate,
        province=certificate.registration.session.province,
        reason=certificate.revoke_reason,
        details={"code": certificate.code},
    )
    if (
        certificate.course.kind in QC_KINDS
        and QCManager.objects.filter(
            unit=certificate.unit,
            is_active=True,
            national_code=certificate.national_code,
            certificate_number=certificate.code,
        ).exists()
    ):
        # The registry has no "revoked" for a QC manager's certificate; ending it yesterday is what
        # licensing reads as "not valid today".
        qc_manager_certificate_record(
            actor=actor,
            unit=certificate.unit,
            national_code=certificate.national_code,
            certificate_number=certificate.code,
            certificate_expiry=timezone.localdate() - dt.timedelta(days=1),
        )
    notify_units_on_commit(
        {
            certificate.unit_id: (
                _("Certificate revoked: {code}").format(code=certificate.code),
                _("The certificate {code} of {name} ({course}) is revoked: {reason}").format(
                    code=certificate.code,
                    name=certificate.full_name,
                    course=certificate.course.title,
                    reason=certificate.revoke_reason,
                ),
            )
        },
        link=reverse("outreach:certificate_list") + f"?code={certificate.code}",
        skip=actor,
    )
    return certificate


def certificates_expiry_notify(*, today: dt.date | None = None) -> int:
    """Warn the unit when a valid QC competence certificate expires in exactly 60 or 30 days. A notice
    already sent (the same subject and link to the same person) is not sent again, so the hourly run
    warns once. Returns the number of notices sent."""
    today = today or timezone.localdate()
    sent = 0
    for days in EXPIRY_NOTICE_DAYS:
        certificates = Certificate.objects.filter(
            status=CertificateStatus.VALID,
            course__kind__in=QC_KINDS,
            expires_on=today + dt.timedelta(days=days),
        ).select_related("course")
        for certificate in certificates:
            link = reverse("outreach:certificate_list") + f"?code={certificate.code}"
            subject = _("QC certificate of {name} expires in {days} days").format(
                name=certificate.full_name, days=days
            )
            body = _(
                "The QC manager competence certificate {code} of {name} expires on {expiry}. Register for a "
                "renewal course before then: an application needs a valid certificate."
            ).format(
                code=certificate.code, name=certificate.full_name, expiry=format_date(certificate.expires_on)
            )
            reps = User.objects.filter(unit_memberships__unit_id=certificate.unit_id, is_active=True)
            for user in reps:
                if Notification.objects.filter(user=user, link=link, subject=subject[:200]).exists():
                    continue
                notify(user=user, subject=subject, body=body, link=link)
                sent += 1
    return sent
