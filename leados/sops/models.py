"""Leadership SOPs: routines for leading, their versions, runs, improvement ideas,
organization templates, and the weekly leading-vs-doing check-in.

An SOP belongs to its owner (a leader), optionally to a unit, and is aimed at one domain
and one of its 16 dimensions. Its cadence is an RFC 5545 RRULE (without DTSTART) counted
from ``starts_on``; ``leados.sops.cadence`` builds and explains it. What a leader does in
a routine (title, purpose, checklist steps, expected duration) is kept in numbered
versions: the SOP carries the current one's content, each ``SopVersion`` a frozen copy,
and every run keeps the version it was done with.

A run is one occurrence: due on ``due_on`` and open until ``window_ends_on`` (the day
before the next occurrence, at most ``MAX_WINDOW_DAYS`` later). It is ``due`` until the
owner completes or skips it; a due run whose window has passed becomes ``missed``. Runs
are created by the worker from the cadence, one per (SOP, due date), so running the
generation twice or after downtime creates nothing twice.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from leados.core.models.base import TenantModel, tenant_manager

TITLE_MAX = 200
PURPOSE_MAX = 4000
NOTE_MAX = 4000
STEP_TEXT_MAX = 500
STEP_EVIDENCE_MAX = 500
STEP_LINK_MAX = 40
MAX_STEPS = 30
RRULE_MAX = 300
SLUG_MAX = 80
DURATION_MAX = 8 * 60  # minutes
MINUTES_SPENT_MAX = 24 * 60
MAX_WINDOW_DAYS = 31


class Domain(models.TextChoices):
    STRUCTURE = "structure", "Structure"
    OPERATE = "operate", "Operate"
    PERFECT = "perfect", "Perfect"


class Dimension(models.TextChoices):
    # Structure: SCOPE → WORK
    STRATEGIES = "strategies", "Strategies"
    CULTURE = "culture", "Culture"
    OBJECTIVES = "objectives", "Objectives"
    PURPOSE = "purpose", "Purpose"
    ECOSYSTEM = "ecosystem", "Ecosystem"
    WORK_METHODS = "work_methods", "Work methods"
    ORGANIZATIONAL_STRUCTURE = "organizational_structure", "Organizational structure"
    REWARDS_RECOGNITION = "rewards_recognition", "Rewards & recognition"
    KNOWLEDGE_CAPABILITIES = "knowledge_capabilities", "Knowledge & capabilities"
    # Operate: PASE
    PLANNING = "planning", "Planning"
    ACCOUNTABILITY = "accountability", "Accountability"
    STAKEHOLDER_ENGAGEMENT = "stakeholder_engagement", "Stakeholder engagement"
    # Perfect: ECT(M)
    EXPLORE = "explore", "Explore"
    CLARIFY = "clarify", "Clarify"
    TRANSFORM = "transform", "Transform"
    MASTER = "master", "Master"


DOMAIN_OF: dict[str, str] = {
    **dict.fromkeys(
        [
            "strategies",
            "culture",
            "objectives",
            "purpose",
            "ecosystem",
            "work_methods",
            "organizational_structure",
            "rewards_recognition",
            "knowledge_capabilities",
        ],
        "structure",
    ),
    **dict.fromkeys(["planning", "accountability", "stakeholder_engagement"], "operate"),
    **dict.fromkeys(["explore", "clarify", "transform", "master"], "perfect"),
}
DIMENSIONS_OF: dict[str, list[str]] = {
    domain: [d for d, of in DOMAIN_OF.items() if of == domain] for domain in Domain.values
}
LEVEL_KEYS = ("strategy", "functional_team", "process", "project", "self")


class Visibility(models.TextChoices):
    PRIVATE = "private", "Only me (and admins)"
    UNIT = "unit", "My unit"
    ORGANIZATION = "organization", "The whole organization"


class RunState(models.TextChoices):
    DUE = "due", "Due"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"
    MISSED = "missed", "Missed"


CLOSED_RUN_STATES = (RunState.DONE, RunState.SKIPPED, RunState.MISSED)


class IdeaState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


def validate_levels(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one level.")
    for level in value:
        if level not in LEVEL_KEYS:
            raise ValidationError(f"{level!r} is not a level.")
    if len(set(value)) != len(value):
        raise ValidationError("A level is listed twice.")


def validate_steps(value) -> None:
    """Checklist steps: a list of ``{"text", "link", "evidence"}`` objects."""
    if not isinstance(value, list):
        raise ValidationError("Steps must be a list.")
    if len(value) > MAX_STEPS:
        raise ValidationError(f"A routine has at most {MAX_STEPS} steps.")
    for number, step in enumerate(value, start=1):
        if not isinstance(step, dict) or set(step) - {"text", "link", "evidence"}:
            raise ValidationError(f"Step {number} must have text, and may have link and evidence.")
        text = step.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ValidationError(f"Step {number} needs a text.")
        if len(text) > STEP_TEXT_MAX:
            raise ValidationError(f"Step {number} is longer than {STEP_TEXT_MAX} characters.")
        link = step.get("link", "")
        if not isinstance(link, str) or len(link) > STEP_LINK_MAX:
            raise ValidationError(f"Step {number} has a link that is not a link key.")
        evidence = step.get("evidence", "")
        if not isinstance(evidence, str) or len(evidence) > STEP_EVIDENCE_MAX:
            raise ValidationError(
                f"Step {number}'s evidence note must be text of at most {STEP_EVIDENCE_MAX}."
            )


class RoutineContent(models.Model):
    """What a routine is: shared by SOPs, their versions, ideas' proposals and templates."""

    title = models.CharField(max_length=TITLE_MAX)
    purpose = models.TextField(max_length=PURPOSE_MAX, blank=True)
    steps = models.JSONField(default=list, blank=True, validators=[validate_steps])
    duration_minutes = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(DURATION_MAX)]
    )

    CONTENT_FIELDS = ("title", "purpose", "steps", "duration_minutes")

    class Meta:
        abstract = True

    def content(self) -> dict:
        return {field: getattr(self, field) for field in self.CONTENT_FIELDS}


class SopQuerySet(models.QuerySet):
    def live(self):
        return self.filter(is_archived=False)

    def owned_by(self, person):
        return self.filter(owner=person)

    def visible_to(self, person, *, unit_ids=()):
        """What ``person`` may see: their own, the organization's, their units' (``unit_ids``
        the units they belong to); admins and coaches see everything (the caller decides)."""
        return self.filter(
            models.Q(owner=person)
            | models.Q(visibility=Visibility.ORGANIZATION)
            | models.Q(visibility=Visibility.UNIT, unit_id__in=list(unit_ids))
        )


class Sop(TenantModel, RoutineContent):
    owner = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="sops")
    unit = models.ForeignKey(
        "core.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="sops"
    )
    domain = models.CharField(max_length=10, choices=Domain.choices)
    dimension = models.CharField(max_length=30, choices=Dimension.choices)
    levels = models.JSONField(default=list, validators=[validate_levels])
    rrule = models.CharField(max_length=RRULE_MAX, help_text="RFC 5545 RRULE, without DTSTART.")
    starts_on = models.DateField()
    time_of_day = models.TimeField(
        null=True, blank=True, help_text="When in the day it is done; empty: any time."
    )
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    template_slug = models.CharField(
        max_length=SLUG_MAX, blank=True, help_text="The library template it was adopted from."
    )
    version_number = models.PositiveIntegerField(default=1)
    runs_through = models.DateField(
        null=True, blank=True, help_text="Runs exist for every occurrence up to this date."
    )
    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager(SopQuerySet)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain__in=Domain.values), name="sop_domain_known"
            ),
            models.CheckConstraint(
                condition=models.Q(dimension__in=Dimension.values), name="sop_dimension_known"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values),
                name="sop_visibility_known",
            ),
        ]
        indexes = [
            # A leader's routines; with the dimension (and, on PostgreSQL, the id) the
            # coverage map reads a page of leaders' live routines from the index alone.
            models.Index(
                fields=["organization", "owner", "is_archived", "dimension"],
                include=["id"],
                name="sop_by_owner",
            ),
            # The coverage map's column totals: live routines' owners per dimension, read
            # in order from the index alone.
            models.Index(
                fields=["organization", "is_archived", "dimension", "owner"],
                name="sop_live_by_dimension",
            ),
            models.Index(fields=["organization", "is_archived", "runs_through"]),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.dimension and self.domain and DOMAIN_OF.get(self.dimension) != self.domain:
            raise ValidationError(
                {"dimension": f"{self.get_dimension_display()} is not a {self.domain} dimension."}
            )


class SopVersion(TenantModel, RoutineContent):
    """A frozen copy of an SOP's content; number 1 is made with the SOP."""

    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    change_note = models.TextField(max_length=NOTE_MAX, blank=True)
    made_by = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idea = models.OneToOneField(
        "sops.ImprovementIdea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resulting_version",
    )

    objects = tenant_manager()

    class Meta:
        ordering = ["sop_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["sop", "number"], name="sop_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class SopRunQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=RunState.DUE)

    def closed(self):
        return self.filter(state__in=CLOSED_RUN_STATES)

    def for_owner(self, person):
        return self.filter(owner=person)

    def between(self, first, last):
        return self.filter(due_on__gte=first, due_on__lte=last)


class SopRun(TenantModel):
    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="runs")
    sop_version = models.ForeignKey(SopVersion, on_delete=models.PROTECT, related_name="runs")
    owner = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="sop_runs")
    due_on = models.DateField()
    window_ends_on = models.DateField()
    state = models.CharField(max_length=8, choices=RunState.choices, default=RunState.DUE)
    steps_done = models.JSONField(
        default=list, blank=True, help_text="One boolean per step of the run's version."
    )
    step_notes = models.JSONField(
        default=list, blank=True, help_text="One note (or evidence) per step of the version."
    )
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    minutes_spent = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MINUTES_SPENT_MAX)]
    )
    skip_reason = models.TextField(max_length=NOTE_MAX, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager(SopRunQuerySet)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sop", "due_on"], name="sop_run_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=RunState.values), name="sop_run_state_known"
            ),
            models.CheckConstraint(
                condition=models.Q(window_ends_on__gte=models.F("due_on")),
                name="sop_run_window_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="done") | models.Q(completed_on__isnull=False),
                name="sop_run_done_has_date",
            ),
        ]
        indexes = [
            # A person's runs by day; state and routine ride along so that tallies over
            # weeks of runs (coverage, measures) read the index alone.
            models.Index(
                fields=["organization", "owner", "due_on", "state", "sop"],
                name="sop_run_by_owner_day",
            ),
            models.Index(fields=["organization", "state", "window_ends_on"]),
            # The few open runs among years of closed ones: what My week, the digest and
            # the reminders read for a person.
            models.Index(
                fields=["organization", "owner", "due_on"],
                condition=models.Q(state="due"),
                name="sop_run_open_by_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sop_id} on {self.due_on}"

    @property
    def on_time(self) -> bool:
        return self.state == RunState.DONE and self.completed_on <= self.due_on


class ImprovementIdea(TenantModel):
    """A proposed change to an SOP, usually after a run; accepted, it becomes a version."""

    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="ideas")
    run = models.ForeignKey(
        SopRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    proposed_by = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(max_length=NOTE_MAX, help_text="What to change and why.")
    proposal = models.JSONField(
        default=dict,
        blank=True,
        help_text="The changed content (any of title, purpose, steps, duration_minutes).",
    )
    base_version = models.PositiveIntegerField(help_text="The version the idea was made on.")
    state = models.CharField(max_length=8, choices=IdeaState.choices, default=IdeaState.PROPOSED)
    decided_by = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=NOTE_MAX, blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=IdeaState.values), name="sop_idea_state_known"
            ),
        ]

    def __str__(self) -> str:
        return self.summary[:80]


class SopTemplate(TenantModel, RoutineContent):
    """A routine published to an organization's library: by the organization itself, or
    shared into it by a coach who belongs to it. Built-in templates live in code
    (``leados.sops.library``); an organization's slugs never take a built-in one."""

    slug = models.CharField(max_length=SLUG_MAX)
    domain = models.CharField(max_length=10, choices=Domain.choices)
    dimension = models.CharField(max_length=30, choices=Dimension.choices)
    levels = models.JSONField(default=list, validators=[validate_levels])
    rrule = models.CharField(max_length=RRULE_MAX)
    published_by = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_by_coach = models.BooleanField(default=False)
    source_label = models.CharField(
        max_length=200, blank=True, help_text="Where it came from, e.g. the coach's name."
    )
    is_archived = models.BooleanField(default=False)

    objects = tenant_manager()

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="sop_template_slug_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(domain__in=Domain.values), name="sop_template_domain_known"
            ),
            models.CheckConstraint(
                condition=models.Q(dimension__in=Dimension.values),
                name="sop_template_dimension_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DigestFrequency(models.TextChoices):
    OFF = "off", "No digest"
    DAILY = "daily", "Every morning"
    WEEKLY = "weekly", "Weekly, on the first morning of the week"


class DriftShare(models.TextChoices):
    NOBODY = "nobody", "Nobody"
    MANAGER = "manager", "My manager"
    COACH = "coach", "My coach"
    BOTH = "both", "My manager and my coach"


class SopPreferences(TenantModel):
    """A person's prompts: digest, reminders, calendar feed, and who hears of a drift."""

    person = models.OneToOneField(
        "core.Person", on_delete=models.CASCADE, related_name="sop_preferences"
    )
    digest = models.CharField(
        max_length=6, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )
    remind_minutes_before = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=60,
        validators=[MaxValueValidator(7 * 24 * 60)],
        help_text="Email a reminder this long before a run is due; empty: no reminders.",
    )
    calendar_token = models.CharField(max_length=64, blank=True, db_index=True)
    drift_share = models.CharField(
        max_length=8, choices=DriftShare.choices, default=DriftShare.NOBODY
    )
    coach = models.ForeignKey(
        "core.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coached_preferences",
        help_text="The coach in this organization who hears of a drift when shared.",
    )
    last_digest_on = models.DateField(null=True, blank=True)
    last_drift_alert_on = models.DateField(null=True, blank=True)

    # The feed's token is a secret, and the last-sent dates are bookkeeping.
    HISTORY_EXCLUDE = ("calendar_token", "last_digest_on", "last_drift_alert_on")

    objects = tenant_manager()

    def __str__(self) -> str:
        return f"Prompts for {self.person_id}"


def validate_percent(value: int) -> None:
    if not 0 <= value <= 100:
        raise ValidationError("A share is 0 to 100 per cent.")


class TimeCheckin(TenantModel):
    """A leader's weekly one-minute split of their week, in whole per cent (sums to 100)."""

    person = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="time_checkins"
    )
    week_start = models.DateField(help_text="The first day of the organization's week.")
    structure_pct = models.PositiveSmallIntegerField(default=0, validators=[validate_percent])
    operate_pct = models.PositiveSmallIntegerField(default=0, validators=[validate_percent])
    perfect_pct = models.PositiveSmallIntegerField(default=0, validators=[validate_percent])
    doing_pct = models.PositiveSmallIntegerField(default=0, validators=[validate_percent])
    other_pct = models.PositiveSmallIntegerField(default=0, validators=[validate_percent])
    note = models.TextField(max_length=NOTE_MAX, blank=True)

    SHARE_FIELDS = ("structure_pct", "operate_pct", "perfect_pct", "doing_pct", "other_pct")

    objects = tenant_manager()

    class Meta:
        ordering = ["person_id", "-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["person", "week_start"], name="time_checkin_unique"),
            models.CheckConstraint(
                condition=models.Q(
                    structure_pct__lte=100,
                    operate_pct__lte=100,
                    perfect_pct__lte=100,
                    doing_pct__lte=100,
                    other_pct__lte=100,
                ),
                name="time_checkin_shares_bounded",
            ),
        ]
        indexes = [models.Index(fields=["organization", "week_start"])]

    def __str__(self) -> str:
        return f"{self.person_id} week of {self.week_start}"

    def clean(self) -> None:
        super().clean()
        total = sum(getattr(self, field) or 0 for field in self.SHARE_FIELDS)
        if total != 100:
            raise ValidationError(f"The shares add up to {total} %, not 100 %.")

    @property
    def leading_pct(self) -> int:
        return self.structure_pct + self.operate_pct + self.perfect_pct
