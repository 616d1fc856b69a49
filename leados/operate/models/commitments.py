"""Commitments (targets): the management side, through assign → execute → monitor →
evaluate → act; and agreements, the explicit yes between two parties.

A commitment is assigned by one person to another (or to themselves). It stays
``proposed`` until its owner accepts it; the owner moves it to ``in_progress`` or
``at_risk`` and marks it complete; the assigner evaluates it (met, partially met,
missed) and acts: close, renew with a new due date, escalate to their own leader, or
recognize. ``completed_on`` against ``due_date`` says whether it was met on time.
"""

from __future__ import annotations

from django.db import models

from leados.core.models.base import TenantModel, tenant_manager

TITLE_MAX = 200
DONE_MAX = 2000
NOTE_MAX = 2000


class CommitmentState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    IN_PROGRESS = "in_progress", "In progress"
    AT_RISK = "at_risk", "At risk"
    EVALUATED = "evaluated", "Evaluated"
    CLOSED = "closed", "Closed"


OPEN_STATES = (
    CommitmentState.PROPOSED,
    CommitmentState.ACCEPTED,
    CommitmentState.IN_PROGRESS,
    CommitmentState.AT_RISK,
)


class Evaluation(models.TextChoices):
    MET = "met", "Met"
    PARTIALLY_MET = "partially_met", "Partially met"
    MISSED = "missed", "Missed"


class CommitmentAction(models.TextChoices):
    CLOSE = "close", "Close"
    RENEW = "renew", "Renew"
    ESCALATE = "escalate", "Escalate"
    RECOGNIZE = "recognize", "Recognize"


class CommitmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today):
        return self.open().filter(due_date__lt=today)

    def awaiting_evaluation(self):
        """Completed by the owner, not yet evaluated by the assigner."""
        return self.open().filter(completed_on__isnull=False)

    def for_owner(self, person):
        return self.filter(owner=person)

    def assigned_by(self, person):
        return self.filter(assigned_by=person)


class Commitment(TenantModel):
    title = models.CharField(max_length=TITLE_MAX)
    definition_of_done = models.TextField(max_length=DONE_MAX)
    owner = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="commitments")
    assigned_by = models.ForeignKey(
        "core.Person", on_delete=models.PROTECT, related_name="assigned_commitments"
    )
    unit = models.ForeignKey(
        "core.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
        help_text="The unit whose work this is, when there is one.",
    )
    goal = models.ForeignKey(
        "operate.Goal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    due_date = models.DateField()
    state = models.CharField(
        max_length=12, choices=CommitmentState.choices, default=CommitmentState.PROPOSED
    )
    status_note = models.TextField(blank=True, max_length=NOTE_MAX)
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    evaluation = models.CharField(max_length=14, choices=Evaluation.choices, blank=True)
    evaluation_note = models.TextField(blank=True, max_length=NOTE_MAX)
    evaluated_by = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=CommitmentAction.choices, blank=True)
    action_note = models.TextField(blank=True, max_length=NOTE_MAX)
    escalated_to = models.ForeignKey(
        "core.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalated_commitments",
    )
    renewed_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewal"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager(CommitmentQuerySet)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[s.value for s in CommitmentState]),
                name="commitment_state_known",
            ),
            models.CheckConstraint(
                condition=models.Q(evaluation="") | models.Q(state__in=["evaluated", "closed"]),
                name="commitment_evaluated_when_evaluation",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "owner", "state", "due_date"]),
            models.Index(fields=["organization", "assigned_by", "state"]),
            models.Index(fields=["organization", "owner", "evaluated_at"]),
            models.Index(fields=["organization", "unit", "state"]),
            models.Index(fields=["organization", "state", "due_date"]),
            models.Index(fields=["organization", "goal"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_date < today

    @property
    def met_on_time(self) -> bool:
        return (
            self.evaluation == Evaluation.MET
            and self.completed_on is not None
            and self.completed_on <= self.due_date
        )


class AgreementKind(models.TextChoices):
    GOAL = "goal", "Goal"  # vertical: a goal set for someone else to own
    LINK = "link", "Contributes to"  # horizontal: a unit's goal contributing to another's
    COMMITMENT = "commitment", "Commitment"  # vertical: a target assigned to someone


class AgreementState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CHANGE_PROPOSED = "change_proposed", "Change proposed"
    WITHDRAWN = "withdrawn", "Withdrawn"


PENDING_AGREEMENT_STATES = (AgreementState.PROPOSED, AgreementState.CHANGE_PROPOSED)


class AgreementQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state__in=PENDING_AGREEMENT_STATES)

    def awaiting(self, person):
        """Pending agreements that ``person`` is the one to answer."""
        return self.filter(
            models.Q(state=AgreementState.PROPOSED, responder=person)
            | models.Q(state=AgreementState.CHANGE_PROPOSED, requester=person)
        )


class Agreement(TenantModel):
    """An explicit yes between two parties on a goal, a link or a commitment.

    ``requester`` asked; ``responder`` answers: accept, decline with a reason, or
    propose a change (``proposed_change``: field → value), which the requester then
    accepts (the change is applied) or turns down (back to proposed).
    """

    kind = models.CharField(max_length=10, choices=AgreementKind.choices)
    goal = models.ForeignKey(
        "operate.Goal", null=True, blank=True, on_delete=models.CASCADE, related_name="agreements"
    )
    link = models.ForeignKey(
        "operate.GoalLink",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="agreements",
    )
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.CASCADE, related_name="agreements"
    )
    requester = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    responder = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=16, choices=AgreementState.choices, default=AgreementState.PROPOSED
    )
    reason = models.TextField(blank=True, max_length=NOTE_MAX)
    proposed_change = models.JSONField(default=dict, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager(AgreementQuerySet)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="goal",
                        goal__isnull=False,
                        link__isnull=True,
                        commitment__isnull=True,
                    )
                    | models.Q(
                        kind="link",
                        goal__isnull=True,
                        link__isnull=False,
                        commitment__isnull=True,
                    )
                    | models.Q(
                        kind="commitment",
                        goal__isnull=True,
                        link__isnull=True,
                        commitment__isnull=False,
                    )
                ),
                name="agreement_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "responder", "state"]),
            models.Index(fields=["organization", "requester", "state"]),
            models.Index(fields=["organization", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} agreement {self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING_AGREEMENT_STATES

    @property
    def subject(self):
        return self.goal or self.link or self.commitment
