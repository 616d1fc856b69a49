"""Bookkeeping of periodic jobs: one row per job, organization and local day that ran."""

from __future__ import annotations

from django.db import models

from leados.core.models.base import TenantModel, tenant_manager


class PeriodicRun(TenantModel):
    """``job`` was queued for the organization on ``day`` (its local date).

    The unique key is what makes scheduling idempotent: two workers that both find the
    job due race to insert this row, and only the one that succeeds queues the task.
    """

    job = models.CharField(max_length=100)
    day = models.DateField()

    objects = tenant_manager()

    class Meta:
        ordering = ["-day", "job"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "organization", "day"], name="periodic_run_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["day", "job"])]

    def __str__(self) -> str:
        return f"{self.job} for {self.organization_id} on {self.day}"
