"""Supervision: product risk assessments by the EU Safety Gate method (hami/supervision/safety_gate.py).

docs/supervision.md explains the method, its table and its source.
"""

import uuid
from fractions import Fraction

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hami.core.models import BaseModel, Province, User
from hami.registry.models import Product, ProductionUnit
from hami.standards.models import ProductCategory
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
