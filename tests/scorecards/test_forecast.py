"""In reach? Forecasts of the end-of-quarter value: trend, noise, band, probability."""

from __future__ import annotations

import datetime
import random

from leados.operate import forecast as fc
from leados.operate import measures
from leados.operate.forecast import forecasts
from leados.operate.services.measurables import ValueInput, measurable_create, values_set

# 2027-03-10 is in week 10 of the calendar quarter Jan–Mar 2027 (13 weeks from 4 Jan).
TODAY = datetime.date(2027, 3, 10)
QUARTER_WEEKS = measures.periods_between(
    "weekly", datetime.date(2027, 1, 1), datetime.date(2027, 3, 31)
)


def make(world, **fields):
    base = {"organization": world.org, "actor": world.owner, "unit": world.sales, "name": "Sales"}
    base.update(fields)
    return measurable_create(**base)


def weeks_back(n: int, end=TODAY):
    return measures.periods_ending("weekly", end, n)


def test_a_steady_pace_above_target_is_on_track_and_says_so(world, in_org):
    with in_org():
        m = make(world, target=100)  # summed weekly: the quarter's target is 100 × weeks
        rng = random.Random(4)
        spans = weeks_back(18)[:-1]  # up to last week
        values_set(
            measurable=m,
            items=[ValueInput(s.start, 110 + rng.uniform(-5, 5)) for s in spans],
            author=None,
        )
        f = forecasts(world.org, [m], TODAY)[m.pk]
        weeks = [s for s in QUARTER_WEEKS if s.start >= datetime.date(2027, 1, 1)]
        assert f.periods == len(weeks)
        assert f.target == 100 * len(weeks)
        assert f.status == "on_track" and f.probability > 0.9
        assert f.low < f.value < f.high
        assert f.sentence.startswith("At the pace of the last 8 weeks you reach 1")
        assert "% of the target of" in f.sentence and "by 31 March" in f.sentence


def test_a_falling_trend_is_projected_and_put_off_track(world, in_org):
    with in_org():
        m = make(world, target=100, time_aggregation="last")
        spans = weeks_back(12)[:-1]
        values_set(
            measurable=m,
            items=[ValueInput(s.start, 120 - 4 * i) for i, s in enumerate(spans)],
            author=None,
        )
        f = forecasts(world.org, [m], TODAY)[m.pk]
        last = 120 - 4 * (len(spans) - 1)
        assert f.value < last  # the trend goes on down, damped
        assert f.status == "off_track"


def test_noise_widens_the_band(world, in_org):
    with in_org():
        calm = make(world, name="Calm", target=100, time_aggregation="average")
        wild = make(world, name="Wild", target=100, time_aggregation="average")
        spans = weeks_back(12)[:-1]
        rng = random.Random(1)
        values_set(
            measurable=calm,
            items=[ValueInput(s.start, 100 + rng.uniform(-1, 1)) for s in spans],
            author=None,
        )
        values_set(
            measurable=wild,
            items=[ValueInput(s.start, 100 + rng.uniform(-40, 40)) for s in spans],
            author=None,
        )
        found = forecasts(world.org, [calm, wild], TODAY)
        assert found[wild.pk].high - found[wild.pk].low > 5 * (
            found[calm.pk].high - found[calm.pk].low
        )


def test_lower_is_better_and_ranges(world, in_org):
    with in_org():
        churn = make(world, name="Churn", better="lower", target=2.0, time_aggregation="average")
        temp = make(
            world, name="Temp", better="range", target=18, target_max=22,
            time_aggregation="average",
        )  # fmt: skip
        spans = weeks_back(10)[:-1]
        values_set(measurable=churn, items=[ValueInput(s.start, 1.5) for s in spans], author=None)
        values_set(measurable=temp, items=[ValueInput(s.start, 25.0) for s in spans], author=None)
        found = forecasts(world.org, [churn, temp], TODAY)
        assert found[churn.pk].status == "on_track"
        assert found[temp.pk].status == "off_track"
        assert "against the range 18 to 22" in found[temp.pk].sentence


def test_too_little_history_gives_no_forecast_and_no_target_says_so(world, in_org):
    with in_org():
        thin = make(world, name="Thin", target=10)
        bare = make(world, name="Bare")
        values_set(measurable=thin, items=[ValueInput(weeks_back(2)[0].start, 5)], author=None)
        values_set(
            measurable=bare,
            items=[ValueInput(s.start, 5) for s in weeks_back(6)[:-1]],
            author=None,
        )
        found = forecasts(world.org, [thin, bare], TODAY)
        assert thin.pk not in found
        assert found[bare.pk].probability is None and found[bare.pk].status is None
        assert found[bare.pk].sentence.endswith("there is no target to compare with.")


def test_a_complete_quarter_is_known_not_forecast(world, in_org):
    with in_org():
        m = make(world, name="Done", frequency="monthly", target=10)
        months = measures.periods_ending("monthly", datetime.date(2027, 3, 31), 5)
        values_set(measurable=m, items=[ValueInput(s.start, 12) for s in months], author=None)
        f = forecasts(world.org, [m], datetime.date(2027, 3, 31))[m.pk]
        assert f.known == f.periods == 3 and f.value == 36 and f.low == f.high == 36
        assert f.probability == 1.0 and "complete" in f.sentence and "target met" in f.sentence


def test_probability_matches_the_normal_approximation():
    assert (
        abs(fc.probability(110, 10, better="higher", target=100, target_max=None) - 0.8413) < 1e-3
    )
    assert abs(fc.probability(90, 10, better="lower", target=100, target_max=None) - 0.8413) < 1e-3
    inside = fc.probability(20, 2, better="range", target=18, target_max=22)
    assert abs(inside - 0.6827) < 1e-3


def test_the_grid_forecasts_as_the_measurable_alone_would(world, in_org):
    """The grid hands its own value table to the forecasts, and late in the year it reaches
    back to the year's start: a measurable whose recent weeks have gaps must not reach into
    older values the forecast alone would not read, so the grid and the measurable's own
    forecast agree."""
    from leados.operate.selectors.scorecards import grid

    today = datetime.date(2027, 9, 15)  # Q3: the grid reads from 1 January
    spans = weeks_back(36, end=today)[:-1]
    _, first, _ = fc.window("weekly", today, world.org.fiscal_year_start_month)
    old = [s for s in spans if s.start < first]
    with in_org():
        steady = make(world, name="Steady", target=100)
        gappy = make(world, name="Gappy", target=100)
        thin = make(world, name="Thin", target=100)
        values_set(
            measurable=steady, items=[ValueInput(s.start, 90 + i) for i, s in enumerate(spans)],
            author=None,
        )  # fmt: skip
        # Values before the forecast's window, then only two in it: too little alone.
        values_set(
            measurable=thin,
            items=[ValueInput(s.start, 50.0) for s in old]
            + [ValueInput(spans[-1].start, 80.0), ValueInput(spans[-3].start, 70.0)],
            author=None,
        )
        values_set(
            measurable=gappy,
            items=[ValueInput(s.start, 40.0 + i) for i, s in enumerate(spans) if i % 3],
            author=None,
        )
        rows = [steady, gappy, thin]
        sections = grid(world.org, rows, today)
        from_grid = forecasts(
            world.org, rows, today, tables={s.frequency: s.table for s in sections}
        )
        alone = {m.pk: fc.forecast(m, today) for m in rows}
    assert len(old) >= 3 and sections[0].table.first <= old[0].start  # the grid reads them
    assert alone[thin.pk] is None and thin.pk not in from_grid
    for m in (steady, gappy):
        assert from_grid[m.pk] == alone[m.pk]
