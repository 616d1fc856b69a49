"""SOP services: versions, runs from cadences, completing and skipping, ideas, check-ins."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from leados.core.errors import Conflict
from leados.core.models import HistoryEntry
from leados.core.tenancy import scopes_disabled
from leados.sops.models import IdeaState, RunState, Sop, SopRun, SopVersion, TimeCheckin
from leados.sops.services.ideas import idea_accept, idea_decline, idea_propose
from leados.sops.services.runs import run_complete, run_reopen, run_skip, run_update, runs_generate
from leados.sops.services.sops import sop_archive, sop_update
from leados.sops.services.time_checkins import time_checkin_save

D = datetime.date
pytestmark = pytest.mark.django_db


def _runs(sop):
    return list(SopRun.objects.filter(sop=sop).order_by("due_on"))


@time_machine.travel("2026-11-25 12:00Z")
def test_generation_makes_each_run_once_and_closes_the_past_as_missed(world, in_org, make_sop):
    sop = make_sop()
    with in_org():
        first = runs_generate(organization=world.org)
        again = runs_generate(organization=world.org)
        runs = _runs(sop)
    # Mondays from 2 November to a week ahead of Wednesday 25 November.
    assert [run.due_on for run in runs] == [
        D(2026, 11, 2),
        D(2026, 11, 9),
        D(2026, 11, 16),
        D(2026, 11, 23),
        D(2026, 11, 30),
    ]
    assert first["created"] == 5 and again["created"] == 0
    assert [run.state for run in runs] == ["missed", "missed", "missed", "due", "due"]
    assert runs[3].window_ends_on == D(2026, 11, 29)
    assert {run.sop_version.number for run in runs} == {1}


def test_catching_up_after_downtime_adds_only_what_is_missing(world, in_org, make_sop):
    sop = make_sop()
    with in_org(), time_machine.travel("2026-11-04 12:00Z"):
        runs_generate(organization=world.org)
    with in_org(), time_machine.travel("2026-11-26 12:00Z"):
        result = runs_generate(organization=world.org)
        runs = _runs(sop)
    assert result["created"] == 3  # 16, 23 and 30 November; 2 and 9 existed
    assert [run.due_on.day for run in runs] == [2, 9, 16, 23, 30]
    assert [run.state for run in runs] == ["missed", "missed", "missed", "due", "due"]
    assert result["missed"] == 2  # the two made before the downtime


@time_machine.travel("2026-11-24 12:00Z")
def test_completing_a_run_needs_the_evidence_a_ticked_step_asks_for(world, in_org, make_sop):
    sop = make_sop()
    with in_org():
        runs_generate(organization=world.org)
        run = SopRun.objects.get(sop=sop, due_on=D(2026, 11, 23))
        run = run_update(run=run, expected_version=run.version, steps_done=[True, True, False])
        with pytest.raises(ValidationError, match="evidence"):
            run_complete(run=run, expected_version=run.version)
        run = run_complete(
            run=run,
            expected_version=run.version,
            step_notes=["", "Win rate 31 %: below target two weeks running", ""],
            minutes_spent=25,
        )
        run.refresh_from_db()
        assert run.state == RunState.DONE and run.completed_on == D(2026, 11, 24)
        assert run.minutes_spent == 25 and not run.on_time
        with pytest.raises(ValidationError):
            run_skip(run=run, expected_version=run.version, reason="busy")
        run = run_reopen(run=run, expected_version=run.version)
        assert run.state == RunState.DUE and run.completed_on is None
        assert HistoryEntry.objects.filter(object_type="soprun", object_id=run.pk).count() == 3


@time_machine.travel("2026-11-24 12:00Z")
def test_a_stale_run_update_is_refused(world, in_org, make_sop):
    sop = make_sop()
    with in_org():
        runs_generate(organization=world.org)
        run = SopRun.objects.get(sop=sop, due_on=D(2026, 11, 23))
        run_update(run=run, expected_version=run.version, note="half way")
        with pytest.raises(Conflict):
            run_update(run=run, expected_version=run.version, note="overwrite")
        run.refresh_from_db()
        assert run.note == "half way"


@time_machine.travel("2026-11-24 12:00Z")
def test_skipping_needs_a_reason(world, in_org, make_sop):
    sop = make_sop()
    with in_org():
        runs_generate(organization=world.org)
        run = SopRun.objects.get(sop=sop, due_on=D(2026, 11, 23))
        with pytest.raises(ValidationError):
            run_skip(run=run, expected_version=None, reason="  ")
        run = run_skip(run=run, expected_version=None, reason="Team offsite all week")
        assert run.state == RunState.SKIPPED


@time_machine.travel("2026-11-24 12:00Z")
def test_an_accepted_idea_makes_version_two_and_runs_keep_theirs(world, in_org, make_sop):
    sop = make_sop()
    with in_org():
        runs_generate(organization=world.org)
        done = SopRun.objects.get(sop=sop, due_on=D(2026, 11, 23))
        run_complete(run=done, expected_version=None)
        steps = [*sop.steps, {"text": "Ask each owner for their forecast"}]
        idea = idea_propose(
            sop=sop,
            proposed_by=world.member,
            summary="Ask for forecasts, not just numbers",
            proposal={"steps": steps},
            run=done,
        )
        idea = idea_accept(idea=idea, decided_by=world.member)
        sop.refresh_from_db()
        assert idea.state == IdeaState.ACCEPTED
        assert sop.version_number == 2 and len(sop.steps) == 4
        v2 = SopVersion.objects.get(sop=sop, number=2)
        assert v2.idea_id == idea.pk and v2.change_note == "Ask for forecasts, not just numbers"
        done.refresh_from_db()
        assert done.sop_version.number == 1
        upcoming = SopRun.objects.get(sop=sop, due_on=D(2026, 11, 30))
        assert upcoming.sop_version.number == 2
        with pytest.raises(ValidationError):
            idea_decline(idea=idea, decided_by=world.member, reason="no")


def test_an_idea_that_changes_nothing_known_is_refused(world, in_org, make_sop):
    sop = make_sop()
    with in_org(), pytest.raises(ValidationError):
        idea_propose(
            sop=sop, proposed_by=world.admin, summary="x", proposal={"rrule": "FREQ=DAILY"}
        )


@time_machine.travel("2026-11-24 12:00Z")
def test_changing_the_cadence_replaces_only_untouched_future_runs(world, in_org, make_sop):
    sop = make_sop()
    with in_org():
        runs_generate(organization=world.org)
        started = SopRun.objects.get(sop=sop, due_on=D(2026, 11, 23))
        run_update(run=started, expected_version=None, note="begun")
        sop = sop_update(
            sop=sop,
            made_by=world.member,
            expected_version=sop.version,
            rrule="FREQ=WEEKLY;BYDAY=WE",
        )
        assert sop.version_number == 1  # the cadence is not content
        runs_generate(organization=world.org)
        due = [(run.due_on, run.state) for run in _runs(sop) if run.state == "due"]
    assert due == [(D(2026, 11, 23), "due"), (D(2026, 11, 25), "due")]


def test_a_stale_sop_edit_is_refused(world, in_org, make_sop):
    sop = make_sop()
    with in_org():
        sop_update(sop=sop, made_by=world.member, expected_version=1, title="Scorecard hour")
        with pytest.raises(Conflict):
            sop_update(sop=sop, made_by=world.member, expected_version=1, title="Other")
        assert Sop.objects.get(pk=sop.pk).title == "Scorecard hour"


def test_dimension_must_belong_to_the_domain(world, make_sop):
    with pytest.raises(ValidationError):
        make_sop(domain="perfect", dimension="planning")


@time_machine.travel("2026-11-24 12:00Z")
def test_archiving_stops_runs(world, in_org, make_sop):
    sop = make_sop()
    with in_org():
        runs_generate(organization=world.org)
        sop_archive(sop=sop)
        assert not SopRun.objects.filter(sop=sop, state="due").exists()
        assert runs_generate(organization=world.org)["created"] == 0


@time_machine.travel("2026-11-25 12:00Z")
def test_a_time_checkin_is_one_per_week_and_adds_up_to_100(world, in_org):
    shares = {"structure": 10, "operate": 30, "perfect": 10, "doing": 40, "other": 10}
    with in_org():
        with pytest.raises(ValidationError, match="add up to 90"):
            time_checkin_save(person=world.member, shares={**shares, "other": 0})
        checkin = time_checkin_save(person=world.member, shares=shares)
        assert checkin.week_start == D(2026, 11, 23) and checkin.leading_pct == 50
        again = time_checkin_save(
            person=world.member, shares={**shares, "doing": 30, "other": 20}, expected_version=1
        )
        assert again.pk == checkin.pk and again.doing_pct == 30
        with pytest.raises(Conflict):
            time_checkin_save(person=world.member, shares=shares, expected_version=1)
        with pytest.raises(ValidationError):
            time_checkin_save(person=world.member, shares=shares, week_start=D(2026, 12, 7))
        assert TimeCheckin.objects.count() == 1


def test_the_daily_job_is_registered_and_makes_runs(world, make_sop):
    from leados.core.schedule import JOBS, discover
    from leados.sops.tasks import sop_runs_generate

    discover()
    assert JOBS["sops.runs_generate"].task is sop_runs_generate
    sop = make_sop()
    with time_machine.travel("2026-11-24 12:00Z"):
        result = sop_runs_generate.enqueue(world.org.pk)
    assert result.return_value["created"] == 5
    assert JOBS["sops.runs_generate"].only([world.org.pk, world.other_org.pk]) == {world.org.pk}
    with time_machine.travel("2026-11-24 13:00Z"):
        assert sop_runs_generate.enqueue(world.org.pk).return_value["created"] == 0
    with scopes_disabled():
        assert SopRun.objects.filter(sop=sop).count() == 5
