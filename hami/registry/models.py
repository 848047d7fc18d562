"""Production units (واحد تولیدی), their sites, products and QC managers, and who represents them."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hami.core.models import BaseModel, BilingualName, County, Province, User
from hami.core.validators import validate_isic, validate_legal_id, validate_national_code
from hami.standards.models import ProductCategory, Standard


class SizeClass(models.TextChoices):
    """By headcount, as the Statistical Centre of Iran classes industrial establishments."""

    MICRO = "micro", _("Micro (1–9)")
    SMALL = "small", _("Small (10–49)")
    MEDIUM = "medium", _("Medium (50–99)")
    LARGE = "large", _("Large (100+)")


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # producing
    IDLE = "idle", _("Idle")  # production stopped for now
    CLOSED = "closed", _("Closed")  # no longer exists


class ProductionUnit(BilingualName, BaseModel):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    national_id = models.CharField(
        _("national legal identifier"), max_length=11, unique=True, validators=[validate_legal_id]
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    address = models.CharField(_("address"), max_length=500, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
    isic = models.CharField(_("ISIC activity"), max_length=4, blank=True, validators=[validate_isic])
    size_class = models.CharField(
        _("size class"), max_length=8, choices=SizeClass.choices, default=SizeClass.SMALL
    )
    status = models.CharField(
        _("status"), max_length=8, choices=UnitStatus.choices, default=UnitStatus.ACTIVE
    )
    # The unit's standing. Until the incentives issue computes it, office staff set the fast track
    # by hand, with a reason (registry.services.unit_set_fast_track).
    fast_track = models.BooleanField(_("fast track"), default=False)
    fast_track_reason = models.CharField(_("why the fast track"), max_length=300, blank=True)
    # Set by supervision's enforcement ladder (step "intensified sampling"); labs then samples the unit's
    # lots under ISO 2859-1 tightened inspection whatever the switching rules say.
    tightened_sampling = models.BooleanField(_("tightened sampling"), default=False)
    tightened_sampling_reason = models.CharField(_("why tightened sampling"), max_length=300, blank=True)
    # Folded names and identifier (hami.core.persian.search_key), written by the services.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("production unit")
        verbose_name_plural = _("production units")
        indexes = [
            # the office's unit list: WHERE province_id = ? ORDER BY name_fa
            models.Index(fields=["province", "name_fa"], name="unit_province_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="unit_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="unit_longitude_range",
            ),
        ]


class Site(BaseModel):
    """A place where a unit produces; a licence is for a product of a site."""

    unit = models.ForeignKey(
        ProductionUnit, on_delete=models.CASCADE, related_name="sites", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=255)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    address = models.CharField(_("address"), max_length=500, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["unit", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class Product(BaseModel):
    unit = models.ForeignKey(
        ProductionUnit, on_delete=models.CASCADE, related_name="products", verbose_name=_("unit")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="products", verbose_name=_("site")
    )
    category = models.ForeignKey(
        ProductCategory, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=255)
    brand = models.CharField(_("brand"), max_length=120)
    model = models.CharField(_("model"), max_length=120, blank=True)

    class Meta:
        ordering = ["unit", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} — {self.brand} {self.model}".strip()

    def mandatory_standards(self) -> list[Standard]:
        """The category's standards that are mandatory today (uses prefetched `category__standards`)."""
        return [s for s in self.category.standards.all() if s.is_mandatory_on()]


class QCManager(BaseModel):
    """The unit's quality-control manager (مسئول کنترل کیفیت); one active at a time."""

    unit = models.ForeignKey(
        ProductionUnit, on_delete=models.CASCADE, related_name="qc_managers", verbose_name=_("unit")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    national_code = models.CharField(_("national code"), max_length=10, validators=[validate_national_code])
    certificate_number = models.CharField(_("competence certificate number"), max_length=40)
    certificate_expiry = models.DateField(_("certificate expiry"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["unit", "-is_active", "-created_at"]
        verbose_name = _("QC manager")
        verbose_name_plural = _("QC managers")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(is_active=True), name="one_active_qc_manager_per_unit"
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class UnitMembership(BaseModel):
    """A user who represents a unit (its manager, its QC manager, its agent)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="unit_memberships")
    unit = models.ForeignKey(ProductionUnit, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("unit membership")
        verbose_name_plural = _("unit memberships")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="unit_membership_unique")]
