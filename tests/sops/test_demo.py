"""The demo organization's leadership routines (``leados.sops.demo``): built once for the
module on a fixed day and rolled back afterwards."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.db import transaction

from leados.core.demo import demo_create
from leados.core.models import RoleAssignment, UnitRole
from leados.core.tenancy import org_scope
from leados.sops.demo import DRIFTER, demo_sops_summary
from leados.sops.models import (
    IdeaState,
    ImprovementIdea,
    RunState,
    Sop,
    SopPreferences,
    SopRun,
    SopVersion,
    TimeCheckin,
)
from leados.sops.services.runs import runs_generate

TODAY = datetime.date(2026, 11, 18)


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                org, _owner, _password = demo_create(slug="larkspur-sops", today=TODAY)
                yield org
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def larkspur(demo, db):
    with org_scope(demo):
        yield demo


def _leader_ids():
    return set(
        RoleAssignment.objects.filter(role__in=[UnitRole.LEAD, UnitRole.MANAGE]).values_list(
            "person_id", flat=True
        )
    )


def test_every_leader_has_four_to_ten_routines_across_the_three_domains(larkspur):
    leaders = _leader_ids()
    per_owner = Counter(Sop.objects.values_list("owner_id", flat=True))
    assert set(per_owner) == leaders
    assert all(4 <= n <= 10 for n in per_owner.values()), per_owner
    for owner_id in leaders:
        domains = set(Sop.objects.filter(owner_id=owner_id).values_list("domain", flat=True))
        assert domains == {"structure", "operate", "perfect"}, owner_id


def test_most_routines_come_from_the_library_and_some_are_their_own(larkspur):
    adopted = Sop.objects.exclude(template_slug="").count()
    own = Sop.objects.filter(template_slug="").count()
    assert adopted > 3 * own > 0
    assert Sop.objects.filter(time_of_day__isnull=True).count() == 0
    assert len(set(Sop.objects.values_list("rrule", flat=True))) >= 8


def test_twelve_weeks_of_runs_done_missed_and_skipped(larkspur):
    runs = SopRun.objects.all()
    first = runs.order_by("due_on").first().due_on
    assert (TODAY - first).days >= 11 * 7
    states = Counter(runs.values_list("state", flat=True))
    assert states[RunState.DONE] > 2 * (states[RunState.MISSED] + states[RunState.SKIPPED])
    assert states[RunState.MISSED] > 0 and states[RunState.SKIPPED] > 0 and states[RunState.DUE] > 0
    done = runs.filter(state=RunState.DONE)
    assert not done.filter(completed_on__isnull=True).exists()
    assert not done.filter(completed_on__gt=TODAY).exists()
    late = sum(1 for r in done.only("completed_on", "due_on") if r.completed_on > r.due_on)
    assert 0 < late < done.count() / 2
    assert done.exclude(minutes_spent=None).count() == done.count()
    assert not runs.filter(state=RunState.SKIPPED, skip_reason="").exists()
    # Nothing open whose window has passed; nothing closed before it was due.
    assert not runs.filter(state=RunState.DUE, window_ends_on__lt=TODAY).exists()
    assert not runs.filter(state=RunState.DUE, due_on__lt=TODAY - datetime.timedelta(31)).exists()
    # Runs exist one horizon ahead, so the worker's next generation continues from there.
    assert runs.filter(due_on__gt=TODAY).exists()
    assert set(Sop.objects.values_list("runs_through", flat=True)) == {
        TODAY + datetime.timedelta(days=7)
    }


def test_ticked_evidence_steps_have_their_evidence(larkspur):
    checked = 0
    for run in SopRun.objects.filter(state=RunState.DONE).select_related("sop_version")[:400]:
        steps = run.sop_version.steps
        assert len(run.steps_done) == len(steps) == len(run.step_notes)
        for step, ticked, note in zip(steps, run.steps_done, run.step_notes, strict=True):
            if ticked and step.get("evidence"):
                assert note
                checked += 1
    assert checked > 0


def test_streaks_and_lapses_show(larkspur):
    """Some weekly routines are done every week of the last stretch; some have a gap."""
    unbroken = lapsed = 0
    for sop in Sop.objects.filter(rrule__startswith="FREQ=WEEKLY;BYDAY="):
        states = list(
            sop.runs.filter(due_on__lt=TODAY).order_by("due_on").values_list("state", flat=True)
        )
        if states[-6:] and all(s == RunState.DONE for s in states[-6:]):
            unbroken += 1
        if any(s != RunState.DONE for s in states):
            lapsed += 1
    assert unbroken >= 10 and lapsed >= 10


def test_an_accepted_idea_made_version_two_a_pending_and_a_declined_one(larkspur):
    accepted = ImprovementIdea.objects.get(state=IdeaState.ACCEPTED)
    sop = accepted.sop
    assert sop.version_number == 2
    version = SopVersion.objects.get(sop=sop, number=2)
    assert version.idea_id == accepted.pk
    assert len(version.steps) == len(SopVersion.objects.get(sop=sop, number=1).steps) + 1
    numbers = set(sop.runs.values_list("sop_version__number", flat=True))
    assert numbers == {1, 2}
    # Runs due after the acceptance use version 2; done runs before it keep version 1.
    first_v2 = sop.runs.filter(sop_version=version).order_by("due_on").first().due_on
    assert not sop.runs.filter(sop_version__number=1, due_on__gt=first_v2).exists()
    assert ImprovementIdea.objects.filter(state=IdeaState.PROPOSED).count() == 1
    declined = ImprovementIdea.objects.get(state=IdeaState.DECLINED)
    assert declined.decision_note


def test_weekly_check_ins_for_every_leader(larkspur):
    leaders = _leader_ids()
    per_person = Counter(TimeCheckin.objects.values_list("person_id", flat=True))
    assert set(per_person) == leaders
    assert all(n >= 12 for n in per_person.values())
    for checkin in TimeCheckin.objects.all():
        assert sum(getattr(checkin, f) for f in TimeCheckin.SHARE_FIELDS) == 100


def test_one_leader_visibly_drifts_into_doing(larkspur):
    lines = demo_sops_summary(larkspur)
    drift = [line for line in lines if "Drifting" in line]
    assert len(drift) == 1
    assert "Hannah Lindqvist" in drift[0] and drift[0].count("% leading") == 1
    lowest_target = min(larkspur.leading_target().values())
    checkins = list(
        TimeCheckin.objects.filter(person__title="Roastery Manager").order_by("-week_start")
    )
    assert all(c.leading_pct < lowest_target - 5 for c in checkins[:4])
    assert all(c.doing_pct > c.leading_pct for c in checkins[:4])
    assert DRIFTER == "roast_mgr"


def test_preferences_digest_calendar_and_drift_sharing(larkspur):
    prefs = SopPreferences.objects.select_related("person")
    assert prefs.count() >= 10
    assert prefs.filter(digest="weekly").count() > prefs.filter(digest="daily").count() > 0
    feed = prefs.exclude(calendar_token="")
    assert feed.count() == 1 and len(feed.get().calendar_token) >= 32
    assert prefs.get(person__title="Roastery Manager").drift_share == "manager"


def test_the_next_generation_continues_without_duplicates(larkspur):
    before = SopRun.objects.count()
    made = runs_generate(organization=larkspur, today=TODAY)
    assert made["created"] == 0
    tomorrow = runs_generate(organization=larkspur, today=TODAY + datetime.timedelta(days=1))
    assert SopRun.objects.count() == before + tomorrow["created"]
