"""A metric goal fed by a measurable: its current value follows the measurable's numbers.

The goal's value is the measurable's values inside the goal's window (its own dates, else
its period) combined by the measurable's time aggregation: a quarterly revenue goal fed by
weekly revenue takes the quarter's sum so far, an average measurable its mean, a "last"
measurable its latest value. An ongoing goal takes the latest value. Each change is
recorded as an ordinary check-in (with a comment naming the measurable), so the goal's
chart, roll-up and history move as if its owner had checked in.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction

from leados.core.history import diff, history_record, snapshot
from leados.core.models import HistoryAction, Person
from leados.core.periods import organization_today
from leados.core.services._common import check_version, field_error, lock
from leados.operate import formulas, measures
from leados.operate.models import Goal, GoalKind, Measurable


def _window(goal: Goal) -> tuple[datetime.date | None, datetime.date | None]:
    start = goal.start_date or (goal.period.start if goal.period_id else None)
    end = goal.due_date or (goal.period.end if goal.period_id else None)
    return start, end


def value_for_goal(goal: Goal, measurable: Measurable, today: datetime.date) -> float | None:
    """What ``measurable`` says ``goal``'s current value is (``None``: no numbers yet)."""
    from leados.operate.selectors.scorecards import value_table

    start, end = _window(goal)
    fiscal = goal.organization.fiscal_year_start_month
    last = min(end, today) if end else today
    if start is None:
        first = measures.periods_ending(measurable.frequency, last, 60, fiscal)[0].start
    else:
        first = measures.period_of(measurable.frequency, start, fiscal).start
    table = value_table([measurable], first, last)
    cells = sorted(
        (day, cell.value)
        for day, cell in table.cells.get(measurable.pk, {}).items()
        if cell.value is not None and (start is None or day >= start) and day <= last
    )
    if not cells:
        return None
    if start is None:
        return cells[-1][1]
    return measures.over_time([v for _, v in cells], measurable.time_aggregation)


def goal_sync_from_measurable(
    goal: Goal, *, author: Person | None = None, today: datetime.date | None = None
) -> bool:
    """Check in the measurable's current figure on ``goal`` when it differs from the goal's
    current value; ``True`` when a check-in was made. Call inside a transaction."""
    from leados.operate.services.check_ins import check_in_create

    measurable = goal.measurable
    if measurable is None or goal.kind != GoalKind.METRIC or goal.is_archived:
        return False
    today = today or organization_today(goal.organization)
    value = value_for_goal(goal, measurable, today)
    if value is None or value == goal.current_value:
        return False
    check_in_create(
        goal=goal,
        author=author or measurable.owner,
        value=round(value, 6),
        comment=f"From the measurable {measurable.name}.",
        today=today,
    )
    return True


def goals_sync_for(measurable: Measurable, *, author: Person | None = None) -> int:
    """Bring every live metric goal fed by ``measurable`` up to date, and those fed by what
    its numbers flow into: the measurable it rolls up into and formulas naming its key."""
    return goals_sync_for_many([measurable], author=author)


def goals_sync_for_many(measurables: Sequence[Measurable], *, author: Person | None = None) -> int:
    """``goals_sync_for`` of several measurables of one organization at once: each goal fed
    by any of them, or by what their numbers flow into, is brought up to date once."""
    if not measurables:
        return 0
    ids = {m.pk for m in measurables} | {m.parent_id for m in measurables if m.parent_id}
    keys = {m.key for m in measurables if m.key}
    if keys:
        for pk, text in (
            Measurable.objects.filter(organization_id=measurables[0].organization_id)
            .exclude(formula="")
            .values_list("pk", "formula")
        ):
            if keys & formulas.parse(text):
                ids.add(pk)
    goals = Goal.objects.filter(
        measurable_id__in=ids, kind=GoalKind.METRIC, archived_at__isnull=True
    ).select_related("measurable__owner", "organization", "period")
    return sum(goal_sync_from_measurable(goal, author=author) for goal in goals)


@transaction.atomic
def goal_link_measurable(
    *,
    goal: Goal,
    measurable: Measurable | None,
    actor: Person | None,
    expected_version: int | None,
) -> Goal:
    """Feed ``goal`` from ``measurable`` (or stop, with ``None``) and take its figure now."""
    goal = lock(goal)
    check_version(goal, expected_version)
    if measurable is not None:
        if measurable.organization_id != goal.organization_id:
            raise field_error("measurable", "This does not exist.")
        if goal.kind != GoalKind.METRIC:
            raise field_error("measurable", "Only a metric goal can be fed by a measurable.")
        if measurable.is_archived:
            raise field_error("measurable", "This measurable is archived.")
    if goal.measurable_id == (measurable.pk if measurable else None):
        return goal
    before = snapshot(goal)
    goal.measurable = measurable
    goal.version += 1
    goal.save(update_fields=["measurable", "version", "updated_at"])
    history_record(goal, action=HistoryAction.UPDATE, changes=diff(before, snapshot(goal)))
    if measurable is not None:
        goal_sync_from_measurable(goal, author=actor)
        goal.refresh_from_db()
    return goal
