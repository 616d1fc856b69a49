"""Measures of routines: exact figures from known runs, per SOP, person, unit and domain."""

from __future__ import annotations

import datetime
import math

import pytest
import time_machine

from leados.core import services as core_services
from leados.core.models import Level
from leados.sops.models import RunState, SopRun
from leados.sops.selectors.measures import (
    buckets,
    person_measures,
    predictability,
    sop_measures,
    streaks,
    unit_measures,
)
from leados.sops.services.runs import run_complete, run_skip, runs_generate

D = datetime.date
TODAY = D(2026, 11, 25)  # a Wednesday


def put_runs(sop, rows):
    """Runs of ``sop`` as (due_on, state, completed_on) rows, made directly."""
    version = sop.versions.get(number=1)
    SopRun.objects.bulk_create(
        SopRun(
            organization_id=sop.organization_id,
            sop=sop,
            sop_version=version,
            owner_id=sop.owner_id,
            due_on=due_on,
            window_ends_on=due_on + datetime.timedelta(days=6),
            state=state,
            completed_on=completed_on,
        )
        for due_on, state, completed_on in rows
    )


DONE, MISSED, SKIPPED, DUE = RunState.DONE, RunState.MISSED, RunState.SKIPPED, RunState.DUE

# A weekly Monday routine: four done before the 12-week range, then inside it.
HISTORY = [
    (D(2026, 8, 10), DONE, D(2026, 8, 10)),
    (D(2026, 8, 17), DONE, D(2026, 8, 17)),
    (D(2026, 8, 24), DONE, D(2026, 8, 24)),
    (D(2026, 8, 31), DONE, D(2026, 8, 31)),
    # the range starts on Monday 7 September
    (D(2026, 9, 7), DONE, D(2026, 9, 7)),  # late 0
    (D(2026, 9, 14), DONE, D(2026, 9, 15)),  # late 1
    (D(2026, 9, 21), MISSED, None),
    (D(2026, 9, 28), DONE, D(2026, 9, 28)),  # 0
    (D(2026, 10, 5), SKIPPED, None),
    (D(2026, 10, 12), DONE, D(2026, 10, 14)),  # 2
    (D(2026, 10, 19), DONE, D(2026, 10, 19)),  # 0
    (D(2026, 10, 26), MISSED, None),
    (D(2026, 11, 2), DONE, D(2026, 11, 1)),  # -1, early
    (D(2026, 11, 9), DONE, D(2026, 11, 9)),  # 0
    (D(2026, 11, 16), SKIPPED, None),
    (D(2026, 11, 23), DUE, None),  # open: counts nowhere yet
    (D(2026, 11, 30), DONE, D(2026, 11, 25)),  # done early: -5
]


@pytest.fixture
def routine(world, in_org, make_sop):
    sop = make_sop(starts_on=D(2026, 8, 10))
    with in_org():
        put_runs(sop, HISTORY)
    return sop


def test_a_routines_figures_are_exact(in_org, routine):
    with in_org():
        figures = sop_measures(routine, today=TODAY).figures
    assert (figures.done, figures.skipped, figures.missed, figures.due) == (8, 2, 2, 12)
    assert figures.adherence == 66.7
    assert figures.on_time == 6 and figures.on_time_rate == 75.0
    # D D D D D D M D D D M D D D: the open run and the skips do not count.
    assert figures.current_streak == 3
    assert figures.best_streak == 6
    assert figures.repetitions == 12
    lates = [0, 1, 0, 2, 0, -1, 0, -5]
    mean = sum(lates) / 8
    sigma = math.sqrt(sum(x * x for x in lates) / 8 - mean * mean)
    assert figures.predictability == round(100 * (1 - sigma / 7) * 8 / 12, 1) == 48.3


def test_the_series_is_weekly_adherence_of_closed_runs(in_org, routine):
    with in_org():
        series = sop_measures(routine, today=TODAY).series
    assert len(series) == 12
    assert series[0].start == D(2026, 9, 7) and series[-1].end == D(2026, 11, 29)
    assert [p.adherence for p in series] == [
        100.0, 100.0, 0.0, 100.0, 0.0, 100.0, 100.0, 0.0, 100.0, 100.0, 0.0, None,
    ]  # fmt: skip


def test_a_year_is_shown_by_month(in_org, routine):
    with in_org():
        measures = sop_measures(routine, today=TODAY, weeks=52)
    assert len(measures.series) == 12
    assert measures.series[0].start == D(2025, 12, 1)
    assert measures.series[-1].label == "Nov 2026"
    august = next(p for p in measures.series if p.start == D(2026, 8, 1))
    assert (august.done, august.due) == (4, 4)
    # A year counts the August runs too.
    assert measures.figures.due == 16 and measures.figures.done == 12


def test_an_unknown_range_falls_back_to_twelve_weeks(in_org, routine):
    with in_org():
        assert sop_measures(routine, today=TODAY, weeks=7).weeks == 12


def test_weeks_start_on_the_organizations_first_weekday():
    periods = buckets(TODAY, 12, week_start_day=6)  # Sunday
    assert periods[-1] == (D(2026, 11, 22), D(2026, 11, 28))


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([], (0, 0)),
        (["done", "done", "missed", "done"], (1, 2)),
        (["done", "skipped", "done", "due"], (2, 2)),
        (["done", "done", "done", "missed"], (0, 3)),
        (["missed", "skipped", "missed"], (0, 0)),
    ],
)
def test_streaks(states, expected):
    assert streaks(states) == expected


def test_predictability_rewards_regular_completion():
    assert predictability(done=4, due=4, late_sum=8, late_squares=16, gap_days=7) == 100.0
    assert predictability(done=0, due=3, late_sum=0, late_squares=0, gap_days=7) == 0.0
    assert predictability(done=0, due=0, late_sum=0, late_squares=0, gap_days=7) is None
    # late 0 and 14 days on a weekly routine: σ = 7 = the gap, so nothing is predictable.
    assert predictability(done=2, due=2, late_sum=14, late_squares=196, gap_days=7) == 0.0


def test_a_person_is_measured_across_routines_and_domains(world, in_org, routine, make_sop):
    perfect = make_sop(title="Monthly 1:1 reflection", domain="perfect", dimension="explore")
    someone_elses = make_sop("admin", title="Admin's routine")
    with in_org():
        put_runs(perfect, [(D(2026, 10, 1), DONE, D(2026, 10, 1)), (D(2026, 11, 1), MISSED, None)])
        put_runs(someone_elses, [(D(2026, 11, 2), MISSED, None)])
        measures = person_measures(world.member, today=TODAY)
        operate_only = person_measures(world.member, today=TODAY, domain="operate")
    figures = measures.figures
    assert figures.routines == 2
    assert (figures.done, figures.due) == (9, 14)
    assert figures.current_streak == 3 and figures.best_streak == 6
    assert figures.repetitions == 13
    assert measures.by_domain["perfect"].adherence == 50.0
    assert measures.by_domain["operate"].adherence == 66.7
    assert measures.by_domain["structure"].due == 0
    assert [row.sop.title for row in measures.sops] == [
        "Monthly 1:1 reflection",
        "Weekly scorecard review",
    ]
    # Weighted by runs due: (48.3 × 12 + 50 × 2) / 14.
    assert figures.predictability == round((48.3 * 12 + 50.0 * 2) / 14, 1)
    assert operate_only.figures.routines == 1 and operate_only.figures.due == 12


def test_a_unit_counts_the_routines_of_its_subtree(world, in_org, make_sop):
    with in_org():
        process = core_services.unit_create(
            parent=world.sales, level=Level.PROCESS, name="Order intake"
        )
    in_sales = make_sop(unit=world.sales, visibility="organization")
    below = make_sop("admin", title="Intake review", unit=process, visibility="organization")
    elsewhere = make_sop("admin", title="Ops review", unit=world.ops, visibility="organization")
    with in_org():
        for sop in (in_sales, below, elsewhere):
            put_runs(sop, [(D(2026, 11, 2), DONE, D(2026, 11, 2)), (D(2026, 11, 9), MISSED, None)])
        measures = unit_measures(world.owner, world.sales, today=TODAY)
    assert {row.sop.pk for row in measures.sops} == {in_sales.pk, below.pk}
    assert (measures.figures.done, measures.figures.due) == (2, 4)


def test_a_unit_leaves_out_routines_the_viewer_may_not_read(world, in_org, make_sop):
    make_sop(unit=world.sales, visibility="organization")
    make_sop("admin", title="Private", unit=world.sales)
    with in_org():
        assert unit_measures(world.viewer, world.sales, today=TODAY).figures.routines == 1
        assert unit_measures(world.owner, world.sales, today=TODAY).figures.routines == 2


def test_figures_follow_runs_done_and_skipped_through_the_services(world, in_org, make_sop):
    sop = make_sop()  # weekly on Monday from 2 November
    with in_org(), time_machine.travel("2026-11-04 12:00Z"):
        runs_generate(organization=world.org)
        first = SopRun.objects.get(sop=sop, due_on=D(2026, 11, 2))
        run_complete(run=first, expected_version=None, step_notes=["", "42 deals", ""])
    with in_org(), time_machine.travel("2026-11-10 12:00Z"):
        second = SopRun.objects.get(sop=sop, due_on=D(2026, 11, 9))
        run_skip(run=second, expected_version=None, reason="Offsite")
    with in_org(), time_machine.travel("2026-11-25 12:00Z"):
        runs_generate(organization=world.org)  # 16 November is missed
        figures = sop_measures(sop).figures
    assert (figures.done, figures.skipped, figures.missed) == (1, 1, 1)
    assert figures.adherence == 33.3
    assert figures.on_time_rate == 0.0  # done two days late
    assert (figures.current_streak, figures.best_streak) == (0, 1)


def test_measures_take_the_same_queries_for_more_routines(
    world, in_org, make_sop, django_assert_num_queries
):
    make_sop(title="One")
    with in_org(), django_assert_num_queries(4):
        person_measures(world.member, today=TODAY)
    for n in range(5):
        sop = make_sop(title=f"Routine {n}")
        with in_org():
            put_runs(sop, [(D(2026, 11, 2), DONE, D(2026, 11, 3))])
    with in_org(), django_assert_num_queries(4):
        person_measures(world.member, today=TODAY)
