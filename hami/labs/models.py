"""Cooperating labs and inspection companies: enough for roles and the directory; the labs issue grows it."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from hami.core.models import BaseModel, BilingualName, County, Province, User


class LabKind(models.TextChoices):
    COOPERATING = "cooperating", _("Cooperating (private) lab")  # آزمایشگاه همکار
    OFFICE = "office", _("Office lab")  # the standards office's own
    IN_HOUSE = "in_house", _("In-house lab of a unit")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class Lab(BilingualName, BaseModel):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=LabKind.choices, default=LabKind.COOPERATING)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    status = models.CharField(
        _("status"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    accreditation_number = models.CharField(
        _("ISO/IEC 17025 accreditation number"), max_length=40, blank=True
    )
    accreditation_body = models.CharField(_("accreditation body"), max_length=120, blank=True)
    accreditation_expiry = models.DateField(_("accreditation expiry"), null=True, blank=True)

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("lab")
        verbose_name_plural = _("labs")


class InspectionCompany(BilingualName, BaseModel):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )

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
