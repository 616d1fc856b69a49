"""My week: goals waiting for a check-in (by the organization's rhythm), stale goals of the
units I manage, agreements to answer, and my goals at risk or off track."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from leados.core import services
from leados.core.models import Organization, PeriodKind
from leados.core.periods import organization_today, period_for
from leados.operate.models import Goal
from leados.operate.services.check_ins import check_in_create
from leados.operate.services.goals import goal_create, goal_update
from tests.web.helpers import queries_for, text

MY_WEEK = "/o/acme/"


@pytest.fixture
def make(world, in_org):
    def make(title, *, age_days=0, actor=None, **fields):
        with in_org():
            quarter = period_for(world.org, organization_today(world.org), PeriodKind.QUARTER)
            fields.setdefault("period", quarter)
            fields.setdefault("kind", "binary")
            goal = goal_create(
                organization=world.org, actor=actor or world.member, title=title, **fields
            )
            Goal.objects.filter(pk=goal.pk).update(
                created_at=timezone.now() - datetime.timedelta(days=age_days)
            )
            return goal

    return make


def section(page: str, title: str) -> str:
    assert title in page, title
    return page[page.index(title) :].split("</section>")[0]


def test_my_goals_past_their_rhythm_ask_for_a_check_in(world, client_for, make, in_org):
    make("Self goal, 8 days", person=world.member, age_days=8)
    make("Self goal, 3 days", person=world.member, age_days=3)
    make("Team goal, 10 days", unit=world.sales, age_days=10)  # team rhythm: 14 days
    make("Team goal, 20 days", unit=world.sales, age_days=20)
    checked = make("Self goal checked in", person=world.member, age_days=30)
    with in_org():
        check_in_create(goal=checked, author=world.member, comment="All fine")
    page = text(client_for("member").get(MY_WEEK))
    found = section(page, "Your goals waiting for a check-in")
    assert "Self goal, 8 days" in found and "Team goal, 20 days" in found
    assert "no check-in for 20 days" in found
    for fresh in ("Self goal, 3 days", "Team goal, 10 days", "Self goal checked in"):
        assert fresh not in found


def test_the_rhythm_follows_the_organizations_setting(world, client_for, make, in_org):
    make("Self goal, 4 days", person=world.member, age_days=4)
    assert "waiting for a check-in" not in text(client_for("member").get(MY_WEEK))
    with in_org():
        org = Organization.objects.get(pk=world.org.pk)
        services.organization_update(
            organization=org, expected_version=org.version, check_in_days={"self": 3}
        )
    page = text(client_for("member").get(MY_WEEK))
    assert "Self goal, 4 days" in section(page, "Your goals waiting for a check-in")


def test_a_manager_sees_the_stale_goals_of_their_units(world, client_for, make, in_org):
    with in_org():
        services.role_assignment_create(unit=world.sales, person=world.admin, role="manage")
    make("Team goal, 20 days", unit=world.sales, age_days=20)
    make("Team goal, today", unit=world.sales)
    page = text(client_for("admin").get(MY_WEEK))
    found = section(page, "Goals in units you manage without a fresh check-in")
    assert "Team goal, 20 days" in found and "Mia Member" in found
    assert "Team goal, today" not in found
    assert "units you manage" not in text(client_for("owner").get(MY_WEEK))


def test_agreements_waiting_for_me_show(world, client_for, make):
    make("Win ten accounts", unit=world.sales, owner=world.member, actor=world.owner)
    found = section(text(client_for("member").get(MY_WEEK)), "Agreements waiting for your answer")
    assert "Win ten accounts" in found and "asked by Olivia Owner" in found
    assert "/o/acme/goals/agreements/" in found
    assert "Agreements waiting" not in text(client_for("owner").get(MY_WEEK))


def test_my_drifting_goals_show_with_their_status(world, client_for, make, in_org):
    goal = make("Hire two reps", unit=world.sales)
    make("On course", unit=world.sales)
    with in_org():
        goal_update(
            goal=goal, actor=world.member, expected_version=None,
            status_override="off_track", status_override_reason="Freeze",
        )  # fmt: skip
    found = section(text(client_for("member").get(MY_WEEK)), "Your goals at risk or off track")
    assert "Hire two reps" in found and "Off track" in found
    assert "On course" not in found


def test_my_week_reads_a_fixed_number_of_queries_however_many_goals(
    world, client_for, make, in_org
):
    with in_org():
        services.role_assignment_create(unit=world.sales, person=world.member, role="manage")
    make("First", person=world.member, age_days=9, actor=world.member)
    make("Proposed", unit=world.sales, owner=world.member, actor=world.owner, age_days=20)
    client = client_for("member")
    client.get(MY_WEEK)
    before = queries_for(client, MY_WEEK)
    for i in range(12):
        make(f"Self {i}", person=world.member, age_days=9)
        make(f"Team {i}", unit=world.sales, owner=world.member, actor=world.owner, age_days=20)
        goal = make(f"Drifting {i}", unit=world.sales, age_days=20)
        with in_org():
            goal_update(
                goal=goal, actor=world.member, expected_version=None,
                status_override="at_risk", status_override_reason="Why not",
            )  # fmt: skip
    page = text(client.get(MY_WEEK))
    assert "more…" in page
    assert queries_for(client, MY_WEEK) <= before + 4  # four counts, once the lists are full


def test_a_commitment_waiting_for_a_yes_is_listed_once_not_among_goal_agreements(
    world, client_for, make, in_org
):
    from leados.operate.services.commitments import commitment_assign

    make("Sales grows", unit=world.sales, actor=world.owner)  # a goal agreement for member
    with in_org():
        commitment_assign(
            organization=world.org, assigned_by=world.owner, owner=world.member,
            title="Call ten customers", definition_of_done="Ten calls logged",
            due_date=organization_today(world.org),
        )  # fmt: skip
    page = text(client_for("member").get(MY_WEEK))
    goal_agreements = section(page, "Agreements waiting for your answer")
    assert "Sales grows" in goal_agreements
    assert "Call ten customers" not in goal_agreements
    assert page.count("Call ten customers") == 1


@pytest.mark.parametrize("read_together", [True, False])
def test_agreements_are_listed_by_kind_whether_read_together_or_apart(
    world, client_for, make, in_org, monkeypatch, read_together
):
    from leados.operate.services.commitments import commitment_assign
    from leados.web import my_week

    for i in range(10):
        make(f"Team goal {i:02}", unit=world.sales, owner=world.member, actor=world.owner)
    with in_org():
        for i in range(9):
            commitment_assign(
                organization=world.org, assigned_by=world.owner, owner=world.member,
                title=f"Call customer {i:02}", definition_of_done="Called",
                due_date=organization_today(world.org),
            )  # fmt: skip
    if not read_together:  # past this many, each kind is read and counted on its own
        monkeypatch.setattr(my_week, "SORT_IN_PYTHON", 5)
    page = text(client_for("member").get(MY_WEEK))
    goals = section(page, "Agreements waiting for your answer")
    assert '<span class="count">10</span>' in goals
    assert [f"Team goal {i:02}" in goals for i in range(10)] == [True] * 8 + [False] * 2
    assert "Call customer" not in goals
    calls = section(page, "waiting for your yes")
    assert '<span class="count">9</span>' in calls
    assert [f"Call customer {i:02}" in calls for i in range(9)] == [True] * 8 + [False]
    assert "Team goal" not in calls
