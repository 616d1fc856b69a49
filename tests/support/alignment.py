"""Sample alignment objects in one organization: a goal with a milestone goal beside
it, a check-in, a link, an agreement, a commitment, a plan and a budget line.

Used by the route matrix, which needs one object of every kind in each organization.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from leados.core import services as core_services
from leados.core.models import Level, PeriodKind, Person, Unit
from leados.core.periods import period_for
from leados.core.tenancy import org_scope
from leados.operate.models import Agreement, Milestone
from leados.operate.services.check_ins import check_in_create
from leados.operate.services.commitments import commitment_assign
from leados.operate.services.goals import goal_create, goal_link_create
from leados.operate.services.plans import budget_line_create, plan_create

DAY = datetime.date(2027, 1, 15)


def alignment_samples(org, world) -> dict:
    """Ids of one object of each alignment kind in ``org``, keyed by route parameter."""
    with org_scope(org):
        quarter = period_for(org, DAY, PeriodKind.QUARTER)
        root = Unit.objects.get(level=Level.STRATEGY)
        team = Unit.objects.filter(level=Level.FUNCTIONAL_TEAM).order_by("name").last()
        owner = Person.objects.order_by("pk").first()
        other = Person.objects.exclude(pk=owner.pk).order_by("pk").first()
        if other is None:  # someone to agree with
            user = core_services.user_create(
                email=f"colleague@{org.slug}.test", password="x" * 12, name="Colleague"
            )
            other = core_services.person_add(organization=org, user=user, role="member")
        top = goal_create(
            organization=org, actor=owner, title="Grow", unit=root, period=quarter,
            kind="binary", today=DAY,
        )  # fmt: skip
        team_goal = goal_create(
            organization=org, actor=owner, title="Team grows", unit=team, period=quarter,
            parent=top, owner=other, kind="metric", start_value=0, target_value=10, today=DAY,
        )  # fmt: skip
        steps = goal_create(
            organization=org, actor=owner, title="Steps", unit=root, period=quarter,
            parent=top, kind="milestones", milestones=["First"], today=DAY,
        )  # fmt: skip
        check_in = check_in_create(goal=team_goal, author=other, value=3, today=DAY)
        link = goal_link_create(source=steps, target=team_goal, actor=owner)
        agreement = Agreement.objects.get(goal=team_goal)
        commitment = commitment_assign(
            organization=org, assigned_by=owner, owner=other, title="Call ten customers",
            definition_of_done="Ten calls logged", due_date=DAY, goal=team_goal,
        )  # fmt: skip
        plan = plan_create(
            organization=org, actor=owner, unit=team, period=quarter, kind="financial",
            title="Budget", owner=owner, currency="EUR",
        )  # fmt: skip
        line = budget_line_create(
            plan=plan, category="Travel", period=quarter, planned=Decimal("1000.00")
        )
        return {
            "goal_id": team_goal.pk,
            "check_in_id": check_in.pk,
            "link_id": link.pk,
            "milestone_id": Milestone.objects.filter(goal=steps).first().pk,
            "agreement_id": agreement.pk,
            "commitment_id": commitment.pk,
            "plan_id": plan.pk,
            "line_id": line.pk,
        }
