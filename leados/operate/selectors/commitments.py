"""Reads of commitments: the access function, filtered lists, a person's follow-through
record and a manager's view of the team."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from leados.core.models import Organization, Person, RoleAssignment, UnitRole
from leados.operate.models import (
    OPEN_STATES,
    PENDING_AGREEMENT_STATES,
    Agreement,
    Commitment,
    CommitmentState,
    Evaluation,
)
from leados.operate.selectors.goals import _one

FOLLOW_THROUGH_DAYS = 90
BUCKET_DAYS = 30
TEAM_LIMIT = 200


def get_commitment_for(viewer: Person, commitment_id) -> Commitment:
    return _one(
        Commitment.objects.select_related(
            "owner", "assigned_by", "goal", "unit", "escalated_to", "evaluated_by"
        ),
        viewer,
        commitment_id,
    )


def pending_agreement(commitment: Commitment) -> Agreement | None:
    """The question to the owner (or the change back to the assigner) still open, if any."""
    return (
        Agreement.objects.filter(commitment=commitment, state__in=PENDING_AGREEMENT_STATES)
        .select_related("requester", "responder")
        .first()
    )


def with_related(commitments: QuerySet) -> QuerySet:
    """Everything a list row shows, in a fixed number of queries whatever the length."""
    return commitments.select_related(
        "owner", "assigned_by", "unit", "goal", "escalated_to", "evaluated_by"
    ).prefetch_related(
        Prefetch(
            "agreements",
            queryset=Agreement.objects.filter(state__in=PENDING_AGREEMENT_STATES).select_related(
                "requester", "responder"
            ),
            to_attr="pending_agreements",
        )
    )


def commitments_list(
    *,
    today: datetime.date,
    owner: Person | int | None = None,
    assigned_by: Person | int | None = None,
    unit: int | None = None,
    goal: int | None = None,
    state: str | None = None,
    open_only: bool | None = None,
    overdue: bool | None = None,
    awaiting_evaluation: bool | None = None,
    escalated_to: Person | int | None = None,
) -> QuerySet:
    """Commitments filtered as asked, soonest due first."""
    commitments = Commitment.objects.all()
    if owner is not None:
        commitments = commitments.filter(owner=owner)
    if assigned_by is not None:
        commitments = commitments.filter(assigned_by=assigned_by)
    if escalated_to is not None:
        commitments = commitments.filter(escalated_to=escalated_to)
    if unit is not None:
        commitments = commitments.filter(unit_id=unit)
    if goal is not None:
        commitments = commitments.filter(goal_id=goal)
    if state:
        commitments = commitments.filter(state=state)
    if open_only is True:
        commitments = commitments.open()
    elif open_only is False:
        commitments = commitments.exclude(state__in=OPEN_STATES)
    if overdue is True:
        commitments = commitments.overdue(today)
    elif overdue is False:
        commitments = commitments.exclude(state__in=OPEN_STATES, due_date__lt=today)
    if awaiting_evaluation is True:
        commitments = commitments.awaiting_evaluation()
    elif awaiting_evaluation is False:
        commitments = commitments.exclude(state__in=OPEN_STATES, completed_on__isnull=False)
    return commitments.order_by("due_date", "id")


def to_evaluate(person: Person, today: datetime.date) -> QuerySet:
    """What waits for ``person``'s judgement: commitments they assigned that are done or
    overdue, or evaluated and not yet acted on; and escalated ones that went to them and
    are not closed."""
    working = [CommitmentState.ACCEPTED, CommitmentState.IN_PROGRESS, CommitmentState.AT_RISK]
    due = Q(state__in=working) & (Q(completed_on__isnull=False) | Q(due_date__lt=today))
    unacted = Q(state=CommitmentState.EVALUATED, action="")
    assigned = Commitment.objects.filter(due | unacted, assigned_by=person)
    escalated = Commitment.objects.filter(escalated_to=person, state=CommitmentState.EVALUATED)
    return Commitment.objects.filter(
        Q(pk__in=assigned.values("pk")) | Q(pk__in=escalated.values("pk"))
    ).order_by("due_date", "id")


# --- follow-through -------------------------------------------------------------------


@dataclass
class Bucket:
    start: datetime.date
    end: datetime.date  # exclusive
    count: int
    met_on_time: int

    @property
    def rate(self) -> float | None:
        return self.met_on_time / self.count if self.count else None


@dataclass
class FollowThrough:
    """A person's record: of the commitments evaluated in the last 90 days, how many were
    met on time; the same for the 90 days before, and per 30 days (oldest first)."""

    count: int
    met_on_time: int
    previous_count: int
    previous_met_on_time: int
    buckets: list[Bucket] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.met_on_time / self.count if self.count else None

    @property
    def previous_rate(self) -> float | None:
        return self.previous_met_on_time / self.previous_count if self.previous_count else None

    @property
    def trend(self) -> str:
        """``up``, ``down``, ``flat``, or ``""`` when either window has nothing to compare."""
        if self.rate is None or self.previous_rate is None:
            return ""
        if abs(self.rate - self.previous_rate) < 0.05:
            return "flat"
        return "up" if self.rate > self.previous_rate else "down"


def _midnight(day: datetime.date, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def follow_through(
    person: Person, today: datetime.date, organization: Organization | None = None
) -> FollowThrough:
    """``person``'s follow-through record as of ``today`` (the organization's date).

    One range read on the (organization, owner, evaluated_at) index of the last 180 days'
    evaluations, counted here: a query with a dozen conditional counts costs the ORM far
    more to build than the database to answer.
    """
    organization = organization or person.organization
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    end = today + datetime.timedelta(days=1)
    windows = FOLLOW_THROUGH_DAYS // BUCKET_DAYS
    edges = [end - datetime.timedelta(days=BUCKET_DAYS * i) for i in range(2 * windows + 1)]
    moments = [_midnight(day, tz) for day in edges]
    rows = (
        Commitment.objects.filter(
            owner=person, evaluated_at__gte=moments[-1], evaluated_at__lt=moments[0]
        )
        .order_by()
        .values_list("evaluated_at", "evaluation", "completed_on", "due_date")
    )
    counts = [0] * (2 * windows)
    met = [0] * (2 * windows)
    for evaluated_at, evaluation, completed_on, due_date in rows:
        index = next(i for i in range(2 * windows) if evaluated_at >= moments[i + 1])
        counts[index] += 1
        if evaluation == Evaluation.MET and completed_on is not None and completed_on <= due_date:
            met[index] += 1
    buckets = [
        Bucket(start=edges[i + 1], end=edges[i], count=counts[i], met_on_time=met[i])
        for i in range(windows)
    ]
    return FollowThrough(
        count=sum(counts[:windows]),
        met_on_time=sum(met[:windows]),
        previous_count=sum(counts[windows:]),
        previous_met_on_time=sum(met[windows:]),
        buckets=list(reversed(buckets)),
    )


# --- a manager's team -----------------------------------------------------------------


@dataclass
class TeamCommitments:
    counts: dict[str, int]  # state → how many (open states, and evaluated awaiting action)
    overdue: int
    by_state: dict[str, list[Commitment]]
    total: int

    @property
    def shown(self) -> int:
        return sum(len(v) for v in self.by_state.values())


def team_scope(manager: Person) -> Q:
    """Commitments owned by the people ``manager`` manages, or in units they lead or manage
    (the manager's own left out)."""
    units = RoleAssignment.objects.filter(
        person=manager, role__in=[UnitRole.LEAD, UnitRole.MANAGE]
    ).values("unit_id")
    reports = Person.objects.filter(manager=manager).values("pk")
    return (Q(owner__in=reports) | Q(unit__in=units)) & ~Q(owner=manager)


def team_commitments(manager: Person, today: datetime.date) -> TeamCommitments:
    """The team's live commitments by state: open ones, and evaluated ones still waiting
    for an action. Three queries whatever the size of the team."""
    live = [*OPEN_STATES, CommitmentState.EVALUATED]
    team = Commitment.objects.filter(team_scope(manager), state__in=live)
    counts = dict.fromkeys(live, 0)
    for state, n in team.order_by().values_list("state").annotate(n=Count("pk")):
        counts[state] = n
    overdue = team.filter(state__in=OPEN_STATES, due_date__lt=today).count()
    by_state: dict[str, list[Commitment]] = {state: [] for state in live}
    for commitment in with_related(team.order_by("due_date", "id"))[:TEAM_LIMIT]:
        by_state[commitment.state].append(commitment)
    return TeamCommitments(
        counts=counts, overdue=overdue, by_state=by_state, total=sum(counts.values())
    )
