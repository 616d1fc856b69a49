"""Plans, the P of PASE: strategic, operational and financial plans per unit and period.

A plan moves draft → approved → active → closed and contains goals (``Goal.plan``).
A financial plan has budget lines: a category, a period, the planned amount, the actual
amount once known; the variance is actual − planned. Amounts are decimals in the plan's
currency.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from leados.core.models.base import TenantModel, tenant_manager

TITLE_MAX = 200
SUMMARY_MAX = 8000
CATEGORY_MAX = 80
NOTE_MAX = 1000
MAX_BUDGET_LINES = 500
CURRENCY_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter currency code (ISO 4217).")


class PlanKind(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    OPERATIONAL = "operational", "Operational"
    FINANCIAL = "financial", "Financial"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


# The one way forward through a plan's life; ``draft`` may also come back from approved.
PLAN_TRANSITIONS = {
    PlanStatus.DRAFT: {PlanStatus.APPROVED},
    PlanStatus.APPROVED: {PlanStatus.ACTIVE, PlanStatus.DRAFT},
    PlanStatus.ACTIVE: {PlanStatus.CLOSED},
    PlanStatus.CLOSED: set(),
}


class PlanQuerySet(models.QuerySet):
    def of_kind(self, kind: str | None):
        return self if not kind else self.filter(kind=kind)

    def with_status(self, status: str | None):
        return self if not status else self.filter(status=status)


class Plan(TenantModel):
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="plans")
    period = models.ForeignKey("core.Period", on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(max_length=12, choices=PlanKind.choices)
    title = models.CharField(max_length=TITLE_MAX)
    summary = models.TextField(blank=True, max_length=SUMMARY_MAX)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    owner = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="plans")
    currency = models.CharField(
        max_length=3, blank=True, validators=[CURRENCY_VALIDATOR], help_text="Financial plans."
    )
    approved_by = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager(PlanQuerySet)

    class Meta:
        ordering = ["-period__start", "unit_id", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in PlanKind]), name="plan_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in PlanStatus]),
                name="plan_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="financial") | ~models.Q(currency=""),
                name="plan_financial_has_currency",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "unit", "period"]),
            models.Index(fields=["organization", "period", "kind"]),
        ]

    def __str__(self) -> str:
        return self.title


class BudgetLine(TenantModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(max_length=CATEGORY_MAX)
    period = models.ForeignKey("core.Period", on_delete=models.PROTECT, related_name="+")
    planned = models.DecimalField(max_digits=16, decimal_places=2)
    actual = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        indexes = [models.Index(fields=["organization", "plan", "position"])]

    def __str__(self) -> str:
        return f"{self.category} ({self.period_id})"

    @property
    def variance(self):
        """Actual − planned; ``None`` until the actual amount is known."""
        return None if self.actual is None else self.actual - self.planned
