"""In reach? The end-of-quarter value of a measurable, forecast from its history.

The quarter is the fiscal quarter containing the day asked about. Its value is the values
of the measurable's periods inside it combined by the measurable's time aggregation (a
weekly "sum" measurable's quarter is the sum of its 13 weeks; an "average" one their
mean; a "last" one the last week). Periods with a value count as they are; the rest are
forecast.

The method is a damped linear trend fitted by least squares to the last ``POINTS``
values (8 weeks, 6 months or 8 quarters): the fit follows a trend, the residuals measure
the noise, and damping (each step ahead adds ``DAMPING`` times the previous step's trend)
keeps a short run of luck from being extrapolated for months. The uncertainty of the
quarter's value adds the noise of each period still to come and the uncertainty of the
fitted level and trend; with a normal approximation it gives an 80 % band and the
probability of meeting the target. This is deliberately small and transparent (a leader
can follow the sentence it produces) and fast enough to run for every row of a grid:
fitting a library's state-space model per row would cost a hundred times more for the
same answer on 8 points.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from leados.core.models import Organization
from leados.operate import measures
from leados.operate.models import Measurable

POINTS = {"weekly": 8, "monthly": 6, "quarterly": 8}
UNIT_WORDS = {"weekly": "weeks", "monthly": "months", "quarterly": "quarters"}
DAMPING = 0.9
BAND_Z = 1.2816  # 80 % two-sided
ON_TRACK = 0.7  # probability of meeting the target at or above which it is on track
AT_RISK = 0.3  # … at or above which it is at risk (below: off track)
MIN_POINTS = 3


@dataclass(frozen=True)
class Forecast:
    measurable_id: int
    period: measures.Span  # the quarter the forecast is for
    value: float  # expected value of the quarter
    low: float  # 80 % band
    high: float
    target: float | None
    target_max: float | None
    probability: float | None  # of meeting the target; None without a target
    status: str | None  # on_track, at_risk, off_track; None without a target
    known: int  # periods of the quarter with a value
    periods: int  # periods in the quarter
    points: int  # values the trend was fitted to
    sentence: str

    def as_dict(self) -> dict:
        return {
            "period": {
                "start": self.period.start,
                "end": self.period.end,
                "label": self.period.label,
            },
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "target": self.target,
            "target_max": self.target_max,
            "probability": self.probability,
            "status": self.status,
            "known": self.known,
            "periods": self.periods,
            "points": self.points,
            "sentence": self.sentence,
        }


# ---------------------------------------------------------------------------- maths


def _phi(x: float) -> float:
    """The standard normal cumulative distribution."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


@dataclass(frozen=True)
class Fit:
    mean: float  # mean of the values
    centre: float  # mean of their positions
    slope: float
    sigma: float  # residual standard deviation
    n: int
    sxx: float
    last: float  # position of the last value

    def level(self) -> float:
        """The fitted value at the last position."""
        return self.mean + self.slope * (self.last - self.centre)


def fit(points: Sequence[tuple[float, float]]) -> Fit:
    """Least squares line through ``(position, value)`` points (at least two)."""
    n = len(points)
    mean_x = math.fsum(x for x, _ in points) / n
    mean_y = math.fsum(y for _, y in points) / n
    sxx = math.fsum((x - mean_x) ** 2 for x, _ in points)
    slope = math.fsum((x - mean_x) * (y - mean_y) for x, y in points) / sxx if sxx else 0.0
    residuals = [y - (mean_y + slope * (x - mean_x)) for x, y in points]
    dof = max(n - 2, 1)
    sigma = math.sqrt(math.fsum(r * r for r in residuals) / dof)
    return Fit(mean_y, mean_x, slope, sigma, n, sxx, max(x for x, _ in points))


def _damped_steps(h: int) -> float:
    """How many steps of trend ``h`` periods ahead carries: φ + φ² + … + φ^h."""
    return DAMPING * (1 - DAMPING**h) / (1 - DAMPING) if h > 0 else 0.0


def project(model: Fit, ahead: Sequence[int], how: str, known: Sequence[float]):
    """Mean and standard deviation of the quarter's value when the periods ``ahead`` steps
    after the last value are forecast and ``known`` values are already in."""
    level = model.level()
    means = [level + model.slope * _damped_steps(h) for h in ahead]
    m = len(ahead)
    # Uncertainty of the fitted line (shared by every step) and of each period's noise.
    offsets = [(model.last - model.centre) + _damped_steps(h) for h in ahead]
    var_line_sum = (
        model.sigma**2 * (m * m / model.n + (sum(offsets) ** 2) / model.sxx)
        if (model.sxx)
        else model.sigma**2 * (m * m / model.n)
    )
    var_noise_sum = m * model.sigma**2
    if how == "sum":
        return math.fsum(known) + math.fsum(means), math.sqrt(var_line_sum + var_noise_sum)
    if how == "average":
        count = len(known) + m
        mean = (math.fsum(known) + math.fsum(means)) / count
        return mean, math.sqrt(var_line_sum + var_noise_sum) / count
    # last: the last period of the quarter
    if not ahead:
        return known[-1], 0.0
    off = offsets[-1]
    var_last = model.sigma**2 * (1 + 1 / model.n + (off * off / model.sxx if model.sxx else 0))
    return means[-1], math.sqrt(var_last)


def probability(mean: float, sd: float, *, better: str, target, target_max) -> float:
    if sd <= 1e-12:
        return (
            1.0
            if measures.meets(mean, better=better, target=target, target_max=target_max)
            else 0.0
        )
    if better == "higher":
        return 1.0 - _phi((target - mean) / sd)
    if better == "lower":
        return _phi((target - mean) / sd)
    low = -math.inf if target is None else (target - mean) / sd
    high = math.inf if target_max is None else (target_max - mean) / sd
    return _phi(high) - (0.0 if low == -math.inf else _phi(low))


def status_of(p: float | None) -> str | None:
    if p is None:
        return None
    if p >= ON_TRACK:
        return "on_track"
    if p >= AT_RISK:
        return "at_risk"
    return "off_track"


# ---------------------------------------------------------------------------- targets


def quarter_target(
    m: Measurable, spans: Sequence[measures.Span], targets_of
) -> tuple[float | None, float | None]:
    """The quarter's target, combined like its values: summed, averaged or the last."""
    pairs = [targets_of(s.start) for s in spans]
    lows = [p[0] for p in pairs]
    highs = [p[1] for p in pairs]
    if m.time_aggregation == "sum":
        low = math.fsum(lows) if lows and all(v is not None for v in lows) else None
        high = math.fsum(highs) if highs and all(v is not None for v in highs) else None
        return low, high
    if m.time_aggregation == "average":
        known_lows = [v for v in lows if v is not None]
        known_highs = [v for v in highs if v is not None]
        return (
            math.fsum(known_lows) / len(known_lows) if known_lows else None,
            math.fsum(known_highs) / len(known_highs) if known_highs else None,
        )
    return pairs[-1] if pairs else (None, None)


# ---------------------------------------------------------------------------- words


def _fmt(m: Measurable, value: float) -> str:
    return measures.format_value(value, kind=m.kind, decimals=m.decimals, currency=m.currency) + (
        f" {m.unit_label}" if m.unit_label else ""
    )


def _sentence(m: Measurable, f: dict) -> str:
    """One sentence a leader can act on, e.g. "At the pace of the last 8 weeks you reach
    91 % of the target of 1,350 by 31 March (likely 84 % to 98 %); 23 % chance of making
    it." """
    end = f"{f['period'].end.day} {f['period'].end:%B}"
    target, target_max, value = f["target"], f["target_max"], f["value"]
    complete = f["known"] == f["periods"]
    band = f["high"] > f["low"]
    share_of = m.better != "range" and bool(target)

    def share(x: float) -> str:
        return f"{x / target * 100:.0f} %"

    if share_of:
        reach = f"{share(value)} of the target of {_fmt(m, target)}"
        likely = f" (likely {share(f['low'])} to {share(f['high'])})" if band else ""
    else:
        reach = _fmt(m, value)
        likely = f" (likely {_fmt(m, f['low'])} to {_fmt(m, f['high'])})" if band else ""
    if complete:
        text = f"{f['period'].label} is complete: {_fmt(m, value)}"
        if share_of:
            text += f", {reach}"
    else:
        pace = f"At the pace of the last {f['points']} {UNIT_WORDS[m.frequency]}"
        verb = "you end at" if m.better != "higher" else "you reach"
        text = f"{pace} {verb} {reach} by {end}{likely}"
    if target is None and target_max is None or (m.better != "range" and target is None):
        return text + "; there is no target to compare with."
    if m.better == "range":
        low = _fmt(m, target) if target is not None else "…"
        high = _fmt(m, target_max) if target_max is not None else "…"
        text += f", against the range {low} to {high}"
    chance = f["probability"]
    if complete:
        return text + ("; target met." if chance >= 0.5 else "; target missed.")
    staying = "of staying inside it" if m.better == "range" else "of making it"
    return text + f"; {chance * 100:.0f} % chance {staying}."


# ---------------------------------------------------------------------------- forecasts


def forecast_from(
    m: Measurable,
    history: Sequence[tuple[datetime.date, float]],
    quarter: measures.Span,
    spans: Sequence[measures.Span],
    targets_of,
    today: datetime.date,
) -> Forecast | None:
    """The forecast of ``m`` for ``quarter`` (whose periods of m's frequency are ``spans``)
    from ``history``: (period start, value) pairs, oldest first, up to the quarter's end.
    ``None`` with fewer than ``MIN_POINTS`` values to go on."""
    values = dict(history)
    in_quarter = [s for s in spans if s.start in values]
    known = [values[s.start] for s in in_quarter]
    position = {s: i for i, s in enumerate(sorted(values))}
    recent = sorted(values)[-POINTS[m.frequency] :]
    if len(known) == len(spans) and spans:
        mean, sd, points = measures.over_time(known, m.time_aggregation), 0.0, len(recent)
    else:
        if len(recent) < MIN_POINTS:
            return None
        model = fit([(position[s], values[s]) for s in recent])
        missing = [s for s in spans if s.start not in values]
        # Steps ahead of the last value, by each missing period's place in the sequence.
        last_start = recent[-1]
        ahead = []
        for s in missing:
            if s.start <= last_start:
                steps = 1  # a gap before the last value: a period like the latest
            else:
                steps = sum(1 for t in spans if last_start < t.start <= s.start)
                steps = max(steps, 1)
            ahead.append(steps)
        mean, sd = project(model, ahead, m.time_aggregation, known)
        points = len(recent)
    if m.kind == "yes_no":
        mean = min(max(mean, 0.0), 1.0)
    target, target_max = quarter_target(m, spans, targets_of)
    has_target = target is not None or target_max is not None
    if m.better in ("higher", "lower") and target is None:
        has_target = False
    chance = (
        probability(mean, sd, better=m.better, target=target, target_max=target_max)
        if has_target
        else None
    )
    details = {
        "period": quarter,
        "value": mean,
        "low": mean - BAND_Z * sd,
        "high": mean + BAND_Z * sd,
        "target": target,
        "target_max": target_max,
        "probability": chance,
        "known": len(known),
        "periods": len(spans),
        "points": points,
    }
    return Forecast(
        measurable_id=m.pk,
        status=status_of(chance),
        sentence=_sentence(m, details),
        **details,
    )


def window(
    frequency: str, today: datetime.date, fiscal: int
) -> tuple[list[measures.Span], datetime.date, datetime.date]:
    """What a forecast of a ``frequency`` measurable as of ``today`` reads: the periods of
    the quarter, and the first and last period start of the values it needs."""
    quarter = measures.fiscal_span_of(today, "quarter", fiscal)
    spans = measures.periods_between(frequency, quarter.start, quarter.end, fiscal)
    spans = [s for s in spans if s.start >= quarter.start] or spans[-1:]
    back = measures.periods_ending(frequency, spans[0].start, POINTS[frequency] + 1, fiscal)
    return spans, back[0].start, spans[-1].start


def forecasts(
    organization: Organization,
    measurables: Sequence[Measurable],
    today: datetime.date,
    *,
    tables: dict | None = None,
) -> dict[int, Forecast]:
    """The end-of-quarter forecast of each of ``measurables`` as of ``today``, read in one
    value table per frequency (``tables[frequency]`` when given and it covers the
    ``window``, as the grid's do). Measurables with too little history are left out."""
    from leados.operate.selectors.scorecards import target_of, value_table

    fiscal = organization.fiscal_year_start_month
    quarter = measures.fiscal_span_of(today, "quarter", fiscal)
    result: dict[int, Forecast] = {}
    for frequency in ("weekly", "monthly", "quarterly"):
        rows = [m for m in measurables if m.frequency == frequency]
        if not rows:
            continue
        spans, first, last = window(frequency, today, fiscal)
        table = (tables or {}).get(frequency)
        if (
            table is None
            or not table.covers(first, last)
            or not set(table.cells) >= {m.pk for m in rows}
        ):
            table = value_table(rows, first, last)
        for m in rows:
            row = table.cells.get(m.pk, {})
            history = sorted(
                (start, cell.value)
                for start, cell in row.items()
                if cell.value is not None and first <= start <= last
            )
            found = forecast_from(
                m,
                history,
                quarter,
                spans,
                lambda start, m=m, t=table: target_of(t, m, start),
                today,
            )
            if found is not None:
                result[m.pk] = found
    return result


def forecast(measurable: Measurable, today: datetime.date) -> Forecast | None:
    """The forecast of one measurable (see ``forecasts``)."""
    return forecasts(measurable.organization, [measurable], today).get(measurable.pk)
