from __future__ import annotations

from django.db import models

from leados.core.models.base import TenantModel, tenant_manager


class Level(models.TextChoices):
    """The five levels at which everyone leads and manages."""

    STRATEGY = "strategy", "Strategy"
    FUNCTIONAL_TEAM = "functional_team", "Functional team"
    PROCESS = "process", "Process"
    PROJECT = "project", "Project"
    SELF = "self", "Self"


UNIT_LEVELS = [Level.STRATEGY, Level.FUNCTIONAL_TEAM, Level.PROCESS, Level.PROJECT]


class UnitRole(models.TextChoices):
    LEAD = "lead", "Leads"
    MANAGE = "manage", "Manages"
    MEMBER = "member", "Member"


class UnitQuerySet(models.QuerySet):
    def live(self):
        return self.filter(archived_at__isnull=True)

    def at_level(self, level: str):
        return self.filter(level=level)


class Unit(TenantModel):
    """A community of effort: the leadership team, a functional team, a process or a project."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(max_length=20, choices=[(lv.value, lv.label) for lv in UNIT_LEVELS])
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=4000)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager(UnitQuerySet)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(level="strategy"),
                name="unit_one_strategy_root",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(level="strategy", parent__isnull=True)
                    | (~models.Q(level="strategy") & models.Q(parent__isnull=False))
                ),
                name="unit_only_strategy_is_root",
            ),
            models.CheckConstraint(
                condition=models.Q(level="project")
                | models.Q(start_date__isnull=True, end_date__isnull=True),
                name="unit_dates_only_for_projects",
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="unit_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organization", "parent"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class RoleAssignmentQuerySet(models.QuerySet):
    def live(self):
        return self.filter(unit__archived_at__isnull=True)


class RoleAssignment(TenantModel):
    """A person's role on a unit: leads it, manages it, or is a member."""

    person = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="role_assignments"
    )
    unit = models.ForeignKey("core.Unit", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=10, choices=UnitRole.choices)

    objects = tenant_manager(RoleAssignmentQuerySet)

    class Meta:
        ordering = ["unit_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "unit", "role"], name="role_assignment_unique"
            ),
            models.UniqueConstraint(
                fields=["unit", "role"],
                condition=models.Q(role__in=["lead", "manage"]),
                name="role_assignment_one_lead_one_manager",
            ),
        ]
        indexes = [models.Index(fields=["organization", "unit", "role"])]

    def __str__(self) -> str:
        return f"{self.person} {self.get_role_display().lower()} {self.unit}"
