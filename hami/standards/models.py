"""The standards catalogue: standards, their requirements, product categories and the mandatory list."""

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hami.core.models import BaseModel, BilingualName
from hami.labs.decision import DecisionRule  # a pure module: the rules, not the labs' models


class StandardStatus(models.TextChoices):
    CURRENT = "current", _("Current")  # in force
    WITHDRAWN = "withdrawn", _("Withdrawn")  # cancelled with no successor
    SUPERSEDED = "superseded", _("Superseded")  # replaced by `superseded_by`


class Scheme(models.TextChoices):
    """Certification scheme types of ISO/IEC 17067:2013 §5.3: what is evaluated, how surveillance works."""

    S1A = "1a", _("1a: type testing of a sample, no surveillance")
    S1B = "1b", _("1b: batch certification by sampling")
    S2 = "2", _("2: type testing + surveillance by market samples")
    S3 = "3", _("3: type testing + surveillance by factory samples")
    S4 = "4", _("4: type testing + surveillance by factory and market samples")
    S5 = "5", _("5: type testing + factory audit + surveillance of production and samples")
    S6 = "6", _("6: certification of services and processes")


class StandardQuerySet(models.QuerySet):
    def mandatory_on(self, day: dt.date | None = None):
        day = day or timezone.localdate()
        return self.filter(is_mandatory=True, status=StandardStatus.CURRENT, mandatory_from__lte=day)


class Standard(BaseModel):
    number = models.PositiveIntegerField(_("INSO number"))
    year = models.PositiveSmallIntegerField(_("revision year"))
    title_fa = models.CharField(_("title (Persian)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    ics = models.CharField(_("ICS code"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=StandardStatus.choices, default=StandardStatus.CURRENT
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    is_mandatory = models.BooleanField(_("mandatory"), default=False)
    mandatory_from = models.DateField(_("mandatory from"), null=True, blank=True)
    scheme = models.CharField(
        _("certification scheme"), max_length=2, choices=Scheme.choices, default=Scheme.S5
    )
    decision_rule = models.CharField(
        _("decision rule"), max_length=8, choices=DecisionRule.choices, default=DecisionRule.SIMPLE
    )
    aql = models.DecimalField(
        _("AQL for sampling"), max_digits=7, decimal_places=3, default=Decimal("2.5"),
        help_text=_("ISO 2859-1 acceptance quality limit used when this standard's products are sampled."),
    )  # fmt: skip
    search_text = models.TextField(editable=False, default="")

    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["number", "-year"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        constraints = [
            models.UniqueConstraint(fields=["number", "year"], name="standard_number_year_unique"),
            models.CheckConstraint(
                condition=Q(is_mandatory=False) | Q(mandatory_from__isnull=False),
                name="standard_mandatory_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="superseded") | Q(superseded_by__isnull=False),
                name="standard_superseded_has_successor",
            ),
        ]

    def __str__(self) -> str:
        return f"INSO {self.number}:{self.year} {self.title}"

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title_fa

    @property
    def code(self) -> str:
        return f"INSO {self.number}:{self.year}"

    def is_mandatory_on(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return (
            self.is_mandatory
            and self.status == StandardStatus.CURRENT
            and self.mandatory_from is not None
            and self.mandatory_from <= day
        )


class LimitKind(models.TextChoices):
    MIN = "min", _("At least")  # value ≥ low
    MAX = "max", _("At most")  # value ≤ high
    RANGE = "range", _("Between")  # low ≤ value ≤ high
    EQUALS = "equals", _("Equal to")  # value = low
    PASS_FAIL = "pass_fail", _("Pass / fail")  # a qualitative outcome


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")  # safety or health: one failure fails the product
    MAJOR = "major", _("Major")  # fitness for use
    MINOR = "minor", _("Minor")  # marking, presentation


class Requirement(BaseModel):
    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("standard")
    )
    clause = models.CharField(_("clause"), max_length=32)
    title_fa = models.CharField(_("title (Persian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    test_method = models.CharField(_("test method"), max_length=200, blank=True)
    limit_kind = models.CharField(_("limit kind"), max_length=16, choices=LimitKind.choices)
    low = models.DecimalField(_("lower limit"), max_digits=14, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(_("upper limit"), max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit of measure"), max_length=32, blank=True)
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.MAJOR
    )

    class Meta:
        ordering = ["standard", "clause"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(fields=["standard", "clause"], name="requirement_clause_unique"),
            models.CheckConstraint(
                condition=(
                    Q(limit_kind="min", low__isnull=False, high__isnull=True)
                    | Q(limit_kind="max", low__isnull=True, high__isnull=False)
                    | Q(limit_kind="range", low__isnull=False, high__isnull=False, low__lt=models.F("high"))
                    | Q(limit_kind="equals", low__isnull=False)
                    | Q(limit_kind="pass_fail", low__isnull=True, high__isnull=True)
                ),
                name="requirement_limits_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clause} {self.title}"

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title_fa


class ProductCategory(BilingualName, BaseModel):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    hs_code = models.CharField(_("HS code"), max_length=12, blank=True)
    isic = models.CharField(_("ISIC class"), max_length=4, blank=True)
    hazard_level = models.PositiveSmallIntegerField(
        _("typical hazard level"), default=2, help_text=_("1 (low) to 4 (serious).")
    )
    standards = models.ManyToManyField(
        Standard, related_name="categories", blank=True, verbose_name=_("standards")
    )

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(hazard_level__gte=1, hazard_level__lte=4), name="category_hazard_level_1_4"
            )
        ]
