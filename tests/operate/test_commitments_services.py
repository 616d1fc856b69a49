"""The accountability loop through the services: every transition, every refusal, the
follow-through record and the team view."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from leados.core import services as core_services
from leados.core.errors import Conflict
from leados.core.models import HistoryEntry, Level
from leados.operate.models import Agreement, AgreementState, Commitment
from leados.operate.selectors.commitments import (
    follow_through,
    team_commitments,
    to_evaluate,
)
from leados.operate.services.agreements import (
    agreement_accept,
    agreement_decline,
    agreement_propose_change,
)
from leados.operate.services.commitments import (
    commitment_act,
    commitment_assign,
    commitment_complete,
    commitment_evaluate,
    commitment_revise,
    commitment_update,
    commitment_withdraw,
)

TODAY = datetime.date(2026, 5, 15)
DUE = datetime.date(2026, 5, 31)


@pytest.fixture
def assign(world, in_org):
    def assign(*, by=None, to=None, due=DUE, **fields):
        fields.setdefault("title", "Call ten customers")
        fields.setdefault("definition_of_done", "Ten calls logged")
        with in_org():
            return commitment_assign(
                organization=world.org,
                assigned_by=by or world.member,
                owner=to or world.viewer,
                due_date=due,
                **fields,
            )

    return assign


@pytest.fixture
def accepted(assign, in_org):
    def make(**kwargs):
        commitment = assign(**kwargs)
        with in_org():
            agreement = Agreement.objects.get(commitment=commitment)
            agreement_accept(agreement=agreement)
            return Commitment.objects.get(pk=commitment.pk)

    return make


@pytest.fixture
def done(accepted, in_org):
    """Accepted and marked done on TODAY."""

    def make(**kwargs):
        commitment = accepted(**kwargs)
        with in_org():
            return commitment_complete(commitment=commitment, today=TODAY)

    return make


@pytest.fixture
def evaluated(done, world, in_org):
    def make(evaluation="met", note="", **kwargs):
        commitment = done(**kwargs)
        with in_org():
            return commitment_evaluate(
                commitment=commitment,
                evaluator=commitment.assigned_by,
                evaluation=evaluation,
                note=note,
                today=TODAY,
            )

    return make


def _history(in_org, commitment) -> list[str]:
    with in_org():
        return list(
            HistoryEntry.objects.filter(object_type="commitment", object_id=commitment.pk)
            .order_by("pk")
            .values_list("action", flat=True)
        )


# --- assign, agree, withdraw, revise ----------------------------------------------------


def test_an_assigned_commitment_waits_for_the_owners_yes(assign, world, in_org):
    commitment = assign()
    assert commitment.state == "proposed"
    with in_org():
        agreement = Agreement.objects.get(commitment=commitment)
    assert (agreement.requester, agreement.responder) == (world.member, world.viewer)
    assert agreement.state == AgreementState.PROPOSED


def test_a_commitment_to_oneself_is_accepted_at_once(assign, world, in_org):
    commitment = assign(to=world.member)
    assert commitment.state == "accepted"
    with in_org():
        assert not Agreement.objects.filter(commitment=commitment).exists()


def test_declining_closes_it_with_the_reason(assign, in_org):
    commitment = assign()
    with in_org():
        agreement_decline(agreement=Agreement.objects.get(commitment=commitment), reason="No time")
        commitment.refresh_from_db()
    assert commitment.state == "closed"
    assert "No time" in commitment.status_note


def test_the_assigner_withdraws_a_proposed_commitment(assign, in_org):
    commitment = assign()
    with in_org():
        commitment = commitment_withdraw(
            commitment=commitment, reason="Plans changed", expected_version=1
        )
        agreement = Agreement.objects.get(commitment=commitment)
    assert commitment.state == "closed"
    assert commitment.closed_at is not None
    assert commitment.status_note == "Withdrawn: Plans changed"
    assert agreement.state == AgreementState.WITHDRAWN
    assert _history(in_org, commitment) == ["create", "update"]


def test_an_accepted_commitment_cannot_be_withdrawn(accepted, in_org):
    commitment = accepted()
    with in_org(), pytest.raises(Conflict, match="only a proposed commitment"):
        commitment_withdraw(commitment=commitment)


def test_the_assigner_revises_terms_while_proposed(assign, in_org):
    commitment = assign()
    with in_org():
        agreement = Agreement.objects.get(commitment=commitment)
        agreement_propose_change(agreement=agreement, change={"due_date": "2026-06-30"})
        commitment = commitment_revise(
            commitment=commitment, expected_version=1, title="Call twelve customers"
        )
        agreement.refresh_from_db()
    assert commitment.title == "Call twelve customers"
    assert commitment.version == 2
    assert agreement.state == AgreementState.PROPOSED
    assert agreement.proposed_change == {}


def test_revising_refuses_stale_versions_empty_titles_and_accepted_commitments(
    assign, accepted, in_org
):
    commitment = assign()
    with in_org():
        with pytest.raises(Conflict) as stale:
            commitment_revise(commitment=commitment, expected_version=7, title="x")
        assert stale.value.current_version == 1
        with pytest.raises(ValidationError, match="cannot be empty"):
            commitment_revise(commitment=commitment, expected_version=1, title="  ")
        with pytest.raises(ValidationError):
            commitment_revise(commitment=commitment, expected_version=1, owner="someone")
        with pytest.raises(ValidationError, match="due date"):
            commitment_revise(commitment=commitment, expected_version=1, due_date="soon")
    with in_org(), pytest.raises(Conflict, match="waits for the owner"):
        commitment_revise(commitment=accepted(), expected_version=None, title="New")


# --- execute and monitor: the owner's side ----------------------------------------------


def test_the_owner_reports_progress_and_risk(accepted, in_org):
    commitment = accepted()
    with in_org():
        commitment = commitment_update(commitment=commitment, state="in_progress")
        assert commitment.state == "in_progress"
        commitment = commitment_update(
            commitment=commitment,
            state="at_risk",
            status_note="Two customers away",
            expected_version=commitment.version,
        )
    assert (commitment.state, commitment.status_note) == ("at_risk", "Two customers away")


def test_at_risk_needs_a_note_and_only_working_states_are_allowed(accepted, in_org):
    commitment = accepted()
    with in_org():
        with pytest.raises(ValidationError, match="what puts it at risk"):
            commitment_update(commitment=commitment, state="at_risk", status_note=" ")
        for state in ("evaluated", "closed", "accepted", "proposed", "nonsense"):
            with pytest.raises(ValidationError, match="in progress or at risk"):
                commitment_update(commitment=commitment, state=state)
        with pytest.raises(Conflict):
            commitment_update(commitment=commitment, state="in_progress", expected_version=9)


def test_a_proposed_commitment_takes_no_update_and_cannot_be_completed(assign, in_org):
    commitment = assign()
    with in_org():
        with pytest.raises(Conflict, match="Accept this commitment"):
            commitment_update(commitment=commitment, state="in_progress")
        with pytest.raises(Conflict, match="Accept this commitment"):
            commitment_complete(commitment=commitment, today=TODAY)


def test_completing_records_the_organizations_today_and_awaits_evaluation(accepted, world, in_org):
    commitment = accepted()
    with in_org():
        commitment = commitment_complete(commitment=commitment, today=TODAY, status_note="Done")
        assert commitment.completed_on == TODAY
        assert commitment.state == "in_progress"
        assert list(Commitment.objects.awaiting_evaluation()) == [commitment]
        assert list(to_evaluate(world.member, TODAY)) == [commitment]
        with pytest.raises(Conflict, match="already marked done"):
            commitment_complete(commitment=commitment, today=TODAY)
        with pytest.raises(Conflict, match="waits for its evaluation"):
            commitment_update(commitment=commitment, state="at_risk", status_note="x")


def test_completing_without_a_date_uses_the_organizations_time_zone(accepted, in_org):
    commitment = accepted()
    with in_org():
        commitment = commitment_complete(commitment=commitment)
    assert commitment.completed_on is not None


# --- evaluate -----------------------------------------------------------------------------


def test_the_assigner_evaluates_a_done_commitment(done, world, in_org):
    commitment = done()
    with in_org():
        commitment = commitment_evaluate(
            commitment=commitment, evaluator=world.member, evaluation="met", today=TODAY
        )
    assert commitment.state == "evaluated"
    assert commitment.evaluation == "met"
    assert commitment.evaluated_by == world.member
    assert commitment.evaluated_at is not None
    assert commitment.met_on_time


def test_an_overdue_commitment_can_be_evaluated_without_being_done(accepted, world, in_org):
    commitment = accepted(due=TODAY - datetime.timedelta(days=1))
    with in_org():
        commitment = commitment_evaluate(
            commitment=commitment,
            evaluator=world.member,
            evaluation="missed",
            note="No calls made",
            today=TODAY,
        )
    assert (commitment.state, commitment.evaluation) == ("evaluated", "missed")
    assert not commitment.met_on_time


def test_evaluation_is_refused_before_it_is_due_or_done(accepted, assign, world, in_org):
    with in_org(), pytest.raises(Conflict, match="not done and not yet due"):
        commitment_evaluate(
            commitment=accepted(), evaluator=world.member, evaluation="met", today=TODAY
        )
    with in_org(), pytest.raises(Conflict, match="nothing to evaluate"):
        commitment_evaluate(
            commitment=assign(due=TODAY - datetime.timedelta(days=3)),
            evaluator=world.member,
            evaluation="met",
            today=TODAY,
        )


def test_evaluation_needs_a_known_result_and_a_note_unless_met(done, world, in_org):
    commitment = done()
    with in_org():
        with pytest.raises(ValidationError, match="met, partially met or missed"):
            commitment_evaluate(
                commitment=commitment, evaluator=world.member, evaluation="great", today=TODAY
            )
        with pytest.raises(ValidationError, match="what fell short"):
            commitment_evaluate(
                commitment=commitment,
                evaluator=world.member,
                evaluation="partially_met",
                today=TODAY,
            )
        with pytest.raises(Conflict):
            commitment_evaluate(
                commitment=commitment,
                evaluator=world.member,
                evaluation="met",
                expected_version=1,
                today=TODAY,
            )


def test_an_evaluated_or_closed_commitment_is_not_evaluated_twice(evaluated, world, in_org):
    commitment = evaluated()
    with in_org():
        assert list(to_evaluate(world.member, TODAY)) == [commitment]  # to act on
    with in_org(), pytest.raises(Conflict, match="already evaluated"):
        commitment_evaluate(
            commitment=commitment, evaluator=world.member, evaluation="met", today=TODAY
        )
    with in_org():
        commitment = commitment_act(commitment=commitment, actor=world.member, action="close")
        assert not to_evaluate(world.member, TODAY).exists()
    with in_org(), pytest.raises(Conflict, match="already closed"):
        commitment_evaluate(
            commitment=commitment, evaluator=world.member, evaluation="met", today=TODAY
        )


# --- act ------------------------------------------------------------------------------------


def test_close(evaluated, world, in_org):
    commitment = evaluated()
    with in_org():
        commitment = commitment_act(
            commitment=commitment, actor=world.member, action="close", note="Good"
        )
    assert (commitment.state, commitment.action, commitment.action_note) == (
        "closed",
        "close",
        "Good",
    )
    assert commitment.closed_at is not None
    assert _history(in_org, commitment) == ["create", "update", "update", "update", "update"]


def test_recognize_needs_a_note_and_a_result_worth_recognizing(evaluated, world, in_org):
    commitment = evaluated()
    with in_org():
        with pytest.raises(ValidationError, match="what you recognize"):
            commitment_act(commitment=commitment, actor=world.member, action="recognize")
        commitment = commitment_act(
            commitment=commitment,
            actor=world.member,
            action="recognize",
            note="Ahead of time, every call logged",
        )
    assert (commitment.state, commitment.action) == ("closed", "recognize")
    missed = evaluated(evaluation="missed", note="Only three calls")
    with in_org(), pytest.raises(ValidationError, match="not recognized"):
        commitment_act(commitment=missed, actor=world.member, action="recognize", note="x")


def test_renewing_with_the_same_terms_starts_an_accepted_renewal(evaluated, world, in_org):
    commitment = evaluated(evaluation="partially_met", note="Seven of ten")
    new_due = datetime.date(2026, 6, 30)
    with in_org():
        commitment = commitment_act(
            commitment=commitment, actor=world.member, action="renew", due_date=new_due, today=TODAY
        )
        renewal = Commitment.objects.get(renewed_from=commitment)
    assert (commitment.state, commitment.action) == ("closed", "renew")
    assert renewal.state == "accepted"
    assert renewal.accepted_at is not None
    assert (renewal.owner, renewal.assigned_by, renewal.due_date) == (
        world.viewer,
        world.member,
        new_due,
    )
    assert renewal.title == commitment.title
    with in_org():
        assert not Agreement.objects.filter(commitment=renewal).exists()
    assert _history(in_org, renewal) == ["create"]


def test_renewing_with_new_terms_asks_the_owner_again(evaluated, world, in_org):
    commitment = evaluated()
    with in_org():
        commitment_act(
            commitment=commitment,
            actor=world.member,
            action="renew",
            due_date=datetime.date(2026, 6, 30),
            definition_of_done="Twenty calls logged",
            today=TODAY,
        )
        renewal = Commitment.objects.get(renewed_from=commitment)
        agreement = Agreement.objects.get(commitment=renewal)
    assert renewal.state == "proposed"
    assert renewal.definition_of_done == "Twenty calls logged"
    assert (agreement.requester, agreement.responder) == (world.member, world.viewer)


def test_renewing_needs_a_due_date_that_is_not_past(evaluated, world, in_org):
    commitment = evaluated()
    with in_org():
        with pytest.raises(ValidationError, match="new due date"):
            commitment_act(commitment=commitment, actor=world.member, action="renew", today=TODAY)
        with pytest.raises(ValidationError, match="in the past"):
            commitment_act(
                commitment=commitment,
                actor=world.member,
                action="renew",
                due_date=TODAY - datetime.timedelta(days=1),
                today=TODAY,
            )
        with pytest.raises(ValidationError, match="cannot be empty"):
            commitment_act(
                commitment=commitment,
                actor=world.member,
                action="renew",
                due_date=DUE,
                title=" ",
                today=TODAY,
            )
        commitment.refresh_from_db()
        assert commitment.state == "evaluated"
        assert not Commitment.objects.filter(renewed_from=commitment).exists()


def test_escalating_goes_to_the_assigners_manager_who_may_evaluate_again(evaluated, world, in_org):
    commitment = evaluated(evaluation="missed", note="Nothing happened")
    with in_org():
        with pytest.raises(ValidationError, match="what you need"):
            commitment_act(commitment=commitment, actor=world.member, action="escalate")
        commitment = commitment_act(
            commitment=commitment, actor=world.member, action="escalate", note="Please help"
        )
        assert commitment.escalated_to == world.admin  # Mia's manager
        assert (commitment.state, commitment.action) == ("evaluated", "escalate")
        assert list(to_evaluate(world.admin, TODAY)) == [commitment]
        commitment = commitment_evaluate(
            commitment=commitment,
            evaluator=world.admin,
            evaluation="partially_met",
            note="Half of it was blocked by us",
            today=TODAY,
        )
        assert (commitment.evaluation, commitment.evaluated_by, commitment.action) == (
            "partially_met",
            world.admin,
            "",
        )
        commitment = commitment_act(commitment=commitment, actor=world.admin, action="close")
    assert commitment.state == "closed"


def test_without_a_manager_escalation_goes_to_the_lead_of_the_unit_above(world, assign, in_org):
    with in_org():
        inside = core_services.unit_create(
            parent=world.sales, level=Level.PROCESS, name="Inside sales"
        )
    commitment = assign(by=world.admin, unit=inside, due=TODAY - datetime.timedelta(days=1))
    with in_org():
        agreement_accept(agreement=Agreement.objects.get(commitment=commitment))
        commitment = commitment_evaluate(
            commitment=commitment, evaluator=world.admin, evaluation="missed", note="x", today=TODAY
        )
        commitment = commitment_act(
            commitment=commitment, actor=world.admin, action="escalate", note="Sales, help"
        )
    assert commitment.escalated_to == world.member  # leads Sales, above Inside sales


def test_escalation_with_nobody_above_is_refused(evaluated, world, in_org):
    commitment = evaluated(by=world.owner)
    with in_org(), pytest.raises(ValidationError, match="nobody to escalate to"):
        commitment_act(commitment=commitment, actor=world.owner, action="escalate", note="x")


def test_acting_is_refused_before_evaluation_after_closing_and_for_unknown_actions(
    done, evaluated, world, in_org
):
    with in_org(), pytest.raises(Conflict, match="evaluate it before acting"):
        commitment_act(commitment=done(), actor=world.member, action="close")
    commitment = evaluated()
    with in_org():
        with pytest.raises(ValidationError, match="close, renew, escalate or recognize"):
            commitment_act(commitment=commitment, actor=world.member, action="forget")
        with pytest.raises(Conflict):
            commitment_act(
                commitment=commitment, actor=world.member, action="close", expected_version=1
            )
        commitment = commitment_act(commitment=commitment, actor=world.member, action="close")
        with pytest.raises(Conflict, match="nothing left to act on"):
            commitment_act(commitment=commitment, actor=world.member, action="close")
        with pytest.raises(Conflict):
            commitment_update(commitment=commitment, state="in_progress")
        with pytest.raises(Conflict):
            commitment_complete(commitment=commitment)
        with pytest.raises(Conflict):
            commitment_withdraw(commitment=commitment)


# --- follow-through and the team ------------------------------------------------------------


def _evaluated_at(in_org, commitment, day: datetime.date, *, evaluation="met", completed=None):
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    with in_org():
        Commitment.objects.filter(pk=commitment.pk).update(
            state="evaluated",
            evaluation=evaluation,
            evaluated_at=moment,
            completed_on=completed,
        )


def test_follow_through_counts_commitments_met_on_time_in_the_last_90_days(accepted, world, in_org):
    def days_ago(days):
        return TODAY - datetime.timedelta(days=days)

    cases = [
        # (evaluated days ago, evaluation, completed relative to due)
        (5, "met", -1),  # met on time
        (20, "met", 0),  # met on the day
        (40, "met", +3),  # met, late
        (70, "partially_met", -1),
        (85, "missed", None),
        (100, "met", -1),  # previous window
        (150, "missed", None),  # previous window
        (200, "met", -1),  # too old for either
    ]
    for ago, evaluation, completed in cases:
        commitment = accepted(due=DUE)
        done_on = None if completed is None else DUE + datetime.timedelta(days=completed)
        _evaluated_at(in_org, commitment, days_ago(ago), evaluation=evaluation, completed=done_on)
    other = accepted(to=world.admin)
    _evaluated_at(in_org, other, days_ago(5), completed=DUE)
    with in_org():
        record = follow_through(world.viewer, TODAY)
    assert (record.count, record.met_on_time) == (5, 2)
    assert record.rate == pytest.approx(0.4)
    assert (record.previous_count, record.previous_met_on_time) == (2, 1)
    assert record.previous_rate == pytest.approx(0.5)
    assert record.trend == "down"
    assert [(b.count, b.met_on_time) for b in record.buckets] == [(2, 0), (1, 0), (2, 2)]
    assert record.buckets[-1].end == TODAY + datetime.timedelta(days=1)


def test_follow_through_of_someone_without_evaluations_is_empty(world, in_org):
    with in_org():
        record = follow_through(world.coach, TODAY)
    assert (record.count, record.rate, record.trend) == (0, None, "")
    assert len(record.buckets) == 3


def test_follow_through_is_one_query(world, in_org, django_assert_num_queries):
    with in_org():
        world.viewer.organization  # noqa: B018 - loaded beforehand, as pages have it
        with django_assert_num_queries(1):
            follow_through(world.viewer, TODAY)


def test_team_commitments_by_state_for_reports_and_led_units(
    assign, accepted, world, in_org, django_assert_max_num_queries
):
    # Mia (member) is managed by Adam (admin); Mia leads Sales.
    mine = accepted(by=world.owner, to=world.member, due=TODAY - datetime.timedelta(days=1))
    in_sales = assign(by=world.owner, to=world.viewer, unit=world.sales)
    elsewhere = assign(by=world.owner, to=world.coach)
    with in_org(), django_assert_max_num_queries(5):
        team = team_commitments(world.admin, TODAY)
    assert [c.pk for c in team.by_state["accepted"]] == [mine.pk]
    assert team.counts["accepted"] == 1
    assert team.overdue == 1
    assert elsewhere.pk not in [c.pk for cs in team.by_state.values() for c in cs]
    with in_org():
        sales_team = team_commitments(world.member, TODAY)
    assert [c.pk for c in sales_team.by_state["proposed"]] == [in_sales.pk]
    assert sales_team.total == 1
    # Someone managing nobody sees nothing; timestamps stay untouched.
    with in_org():
        assert team_commitments(world.coach, TODAY).total == 0
    assert timezone.now()
