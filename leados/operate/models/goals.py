"""Goals at the five levels, their milestones, check-ins and "contributes to" links.

A goal belongs to a unit (its level is the unit's level) or to a person's Self. It has
at most one parent (vertical alignment) and may contribute to goals of other units
(horizontal alignment, ``GoalLink``). ``path`` is the materialized ancestor path,
``/root/…/parent/self/``, so a subtree is one indexed prefix query and the ancestors
are read off the path without a recursive query.

``own_progress`` is what the goal's own measure says (metric, milestones or done);
``progress`` is what the organization sees: the own progress, or, for a goal with
children and no metric of its own, the weighted mean of its children's progress.
Both are stored, 0.0 to 1.0, and kept up to date by the services in the same
transaction as the change that moves them.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from leados.core.models import Level
from leados.core.models.base import TenantModel, tenant_manager

TITLE_MAX = 200
DESCRIPTION_MAX = 4000
COMMENT_MAX = 4000
REASON_MAX = 1000
METRIC_UNIT_MAX = 30
MILESTONE_TITLE_MAX = 200
MAX_MILESTONES = 50
MAX_DEPTH = 30
WEIGHT_MAX = 100
CONFIDENCE_MAX = 10

# Higher level first: a goal's parent must be at the same or a smaller rank.
LEVEL_RANK = {
    Level.STRATEGY: 0,
    Level.FUNCTIONAL_TEAM: 1,
    Level.PROCESS: 2,
    Level.PROJECT: 3,
    Level.SELF: 4,
}


class GoalKind(models.TextChoices):
    METRIC = "metric", "Metric"
    MILESTONES = "milestones", "Milestones"
    BINARY = "binary", "Done / not done"


class Direction(models.TextChoices):
    UP = "up", "Higher is better"
    DOWN = "down", "Lower is better"


class GoalStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    DONE = "done", "Done"
    MISSED = "missed", "Missed"


class GoalQuerySet(models.QuerySet):
    def live(self):
        return self.filter(archived_at__isnull=True)

    def at_level(self, level: str):
        return self.filter(level=level)

    def roots(self):
        return self.filter(parent__isnull=True)

    def orphans(self):
        """Live goals that do not trace up to a strategy goal, and so not to the vision."""
        return self.live().filter(aligned=False)

    def in_subtree(self, goal):
        """``goal`` and every goal beneath it: one range or prefix scan of ``path``."""
        from django.db import connections

        if connections[self.db].vendor == "postgresql":
            return self.filter(path__startswith=goal.path)
        # Byte order: every path below "/1/12/" sorts before "/1/120" ("/" < "0").
        return self.filter(path__gte=goal.path, path__lt=goal.path[:-1] + "0")

    def for_owner(self, person):
        return self.filter(owner=person)

    def search(self, text: str):
        text = (text or "").strip()
        return self.filter(title__icontains=text) if text else self


class Goal(TenantModel):
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX)
    level = models.CharField(max_length=20, choices=Level.choices, editable=False)
    unit = models.ForeignKey(
        "core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="goals"
    )
    person = models.ForeignKey(
        "core.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="self_goals",
        help_text="Whose Self this goal belongs to (self goals only).",
    )
    owner = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="owned_goals")
    created_by = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period = models.ForeignKey(
        "core.Period",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goals",
        help_text="Empty for an ongoing process goal.",
    )
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    plan = models.ForeignKey(
        "operate.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    measurable = models.ForeignKey(
        "operate.Measurable",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fed_goals",
        help_text="A metric goal whose current value comes from this measurable's numbers.",
    )
    weight = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(WEIGHT_MAX)],
        help_text="How much this goal counts in its parent's progress (0 to 100).",
    )
    kind = models.CharField(max_length=10, choices=GoalKind.choices, default=GoalKind.METRIC)
    # metric
    start_value = models.FloatField(null=True, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    current_value = models.FloatField(null=True, blank=True)
    metric_unit = models.CharField(max_length=METRIC_UNIT_MAX, blank=True)
    direction = models.CharField(max_length=4, choices=Direction.choices, blank=True)
    # done / not done
    is_done = models.BooleanField(default=False)
    # alignment
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=800, editable=False, db_index=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    aligned = models.BooleanField(
        default=False, editable=False, help_text="Traces up to a strategy goal."
    )
    # measured state
    own_progress = models.FloatField(default=0.0, editable=False)
    progress = models.FloatField(default=0.0, editable=False)
    rolls_up = models.BooleanField(
        default=False, editable=False, help_text="Progress is the weighted mean of the children."
    )
    status = models.CharField(
        max_length=10, choices=GoalStatus.choices, default=GoalStatus.ON_TRACK, editable=False
    )
    status_override = models.CharField(max_length=10, choices=GoalStatus.choices, blank=True)
    status_override_reason = models.TextField(blank=True, max_length=REASON_MAX)
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(CONFIDENCE_MAX)], editable=False
    )
    last_check_in_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager(GoalQuerySet)

    # Derived figures: recomputed from the goal, its children and its check-ins.
    HISTORY_EXCLUDE = (
        "path", "depth", "aligned", "own_progress", "progress", "rolls_up", "status",
        "confidence", "last_check_in_at",
    )  # fmt: skip

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(level="self", unit__isnull=True, person__isnull=False)
                    | (~models.Q(level="self") & models.Q(unit__isnull=False, person__isnull=True))
                ),
                name="goal_unit_or_self",
            ),
            models.CheckConstraint(
                condition=models.Q(period__isnull=False) | models.Q(level="process"),
                name="goal_period_unless_process",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=1)
                & models.Q(own_progress__gte=0, own_progress__lte=1),
                name="goal_progress_fraction",
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(due_date__isnull=True)
                | models.Q(due_date__gte=models.F("start_date")),
                name="goal_due_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="goal_not_own_parent"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "parent", "title"]),
            # A level of the alignment tree, strategy goals first, read in index order.
            models.Index(
                fields=["organization", "parent", "level", "title", "id"],
                name="operate_goal_live_tree_idx",
                condition=models.Q(archived_at__isnull=True),
            ),
            # A subtree is a prefix of ``path``: PostgreSQL needs the pattern operator class
            # to use the index for LIKE 'prefix%' under any collation.
            models.Index(
                fields=["organization", "path"],
                name="operate_goal_path_idx",
                opclasses=["", "varchar_pattern_ops"],
            ),
            models.Index(fields=["organization", "owner", "archived_at"]),
            models.Index(fields=["organization", "unit", "archived_at"]),
            models.Index(fields=["organization", "person", "archived_at"]),
            models.Index(fields=["organization", "aligned", "archived_at"]),
            models.Index(fields=["organization", "period", "level"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read off the path."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    @property
    def effective_status(self) -> str:
        return self.status_override or self.status

    @property
    def percent(self) -> int:
        return round(self.progress * 100)


class Milestone(TenantModel):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=MILESTONE_TITLE_MAX)
    position = models.PositiveSmallIntegerField(default=0)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["goal_id", "position", "id"]
        indexes = [models.Index(fields=["organization", "goal", "position"])]

    def __str__(self) -> str:
        return self.title


class CheckInQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by("-checked_in_at", "-id")


class CheckIn(TenantModel):
    """Progress reported on a goal at a moment: a value, milestones done, or done."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField()
    value = models.FloatField(null=True, blank=True)
    milestones_done = models.JSONField(default=list, blank=True)
    is_done = models.BooleanField(null=True, blank=True)
    progress = models.FloatField(help_text="The goal's own progress after this check-in.")
    confidence = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(CONFIDENCE_MAX)],
    )
    comment = models.TextField(blank=True, max_length=COMMENT_MAX)

    objects = tenant_manager(CheckInQuerySet)

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=1),
                name="check_in_progress_fraction",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "goal", "checked_in_at"]),
            models.Index(fields=["organization", "author", "checked_in_at"]),
        ]

    def __str__(self) -> str:
        return f"Check-in on {self.goal_id} at {self.checked_in_at:%Y-%m-%d}"


class LinkState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class GoalLinkQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(state=LinkState.ACCEPTED)


class GoalLink(TenantModel):
    """Horizontal alignment: ``source`` contributes to ``target``, a goal of another unit.

    The link counts once the target unit's lead accepts it (see ``Agreement``).
    """

    source = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="contributes_to")
    target = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="contributions")
    state = models.CharField(max_length=10, choices=LinkState.choices, default=LinkState.PROPOSED)
    created_by = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = tenant_manager(GoalLinkQuerySet)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="goal_link_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="goal_link_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "source"]),
            models.Index(fields=["organization", "target"]),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} contributes to {self.target_id}"
