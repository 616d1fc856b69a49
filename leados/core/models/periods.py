"""Periods: the fiscal years, quarters and months that goals and plans belong to."""

from __future__ import annotations

import datetime

from django.db import models

from leados.core.models.base import TenantModel, tenant_manager


class PeriodKind(models.TextChoices):
    YEAR = "year", "Year"
    QUARTER = "quarter", "Quarter"
    MONTH = "month", "Month"


class PeriodQuerySet(models.QuerySet):
    def of_kind(self, kind: str | None):
        return self if kind is None else self.filter(kind=kind)

    def containing(self, day: datetime.date):
        return self.filter(start__lte=day, end__gte=day)

    def overlapping(self, start: datetime.date, end: datetime.date):
        return self.filter(start__lte=end, end__gte=start)

    def in_order(self):
        """By start; a year before its first quarter before its first month."""
        return self.order_by("start", "-end", "id")


class Period(TenantModel):
    """A span of days, ``start`` to ``end`` inclusive, derived from the fiscal year.

    A quarter's parent is its year, a month's parent is its quarter. ``fiscal_year`` is
    the calendar year in which the fiscal year ends; ``number`` is the quarter (1–4) or
    month (1–12) within it, and 1 for a year.
    """

    kind = models.CharField(max_length=7, choices=PeriodKind.choices)
    start = models.DateField()
    end = models.DateField()
    label = models.CharField(max_length=60)
    fiscal_year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(default=1)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    objects = tenant_manager(PeriodQuerySet)

    class Meta:
        ordering = ["start", "-end", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "start"], name="period_unique_kind_start"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="period_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in PeriodKind]), name="period_kind_known"
            ),
        ]
        indexes = [models.Index(fields=["organization", "kind", "end"])]

    def __str__(self) -> str:
        return self.label

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end
