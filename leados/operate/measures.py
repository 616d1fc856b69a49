"""The arithmetic of scorecards, without the database: periods of a frequency, targets,
colours from thresholds, and aggregation over time and across units.

Everything here is a pure function of its arguments so that the grid, the API, the
forecast and the tests all agree.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from leados.core.periods import add_months, fiscal_span

WEEK = datetime.timedelta(days=7)
DAY = datetime.timedelta(days=1)

# Default threshold bounds as shares of the target, by which way is better.
DEFAULT_SHARES = {
    "higher": (1.0, 0.9),  # green at or above 100 % of target, red below 90 %
    "lower": (1.0, 1.1),  # green at or below 100 % of target, red above 110 %
    "range": (None, 0.1),  # yellow within 10 % outside the range's nearer end
}


@dataclass(frozen=True)
class Span:
    """One period of a frequency: ``start`` … ``end`` inclusive."""

    start: datetime.date
    end: datetime.date
    label: str

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def elapsed_share(self, today: datetime.date) -> float:
        """How much of the period has passed by the end of ``today`` (0 … 1)."""
        if today < self.start:
            return 0.0
        if today >= self.end:
            return 1.0
        return ((today - self.start).days + 1) / ((self.end - self.start).days + 1)


# ---------------------------------------------------------------------------- periods


def period_of(frequency: str, day: datetime.date, fiscal_start_month: int = 1) -> Span:
    """The period of ``frequency`` that contains ``day``: an ISO week (Monday to Sunday),
    a calendar month, or a quarter of the fiscal year starting in ``fiscal_start_month``."""
    if frequency == "weekly":
        start = day - datetime.timedelta(days=day.weekday())
        year, week, _ = start.isocalendar()
        return Span(start, start + 6 * DAY, f"W{week:02d} {year}")
    if frequency == "monthly":
        start = day.replace(day=1)
        end = add_months(start, 1) - DAY
        return Span(start, end, start.strftime("%b %Y"))
    if frequency == "quarterly":
        span = fiscal_span(day, "quarter", fiscal_start_month)
        return Span(span.start, span.end, span.label)
    raise ValueError(f"Unknown frequency {frequency!r}.")


def fiscal_span_of(day: datetime.date, kind: str, fiscal_start_month: int = 1) -> Span:
    """The fiscal ``year`` or ``quarter`` containing ``day``."""
    span = fiscal_span(day, kind, fiscal_start_month)
    return Span(span.start, span.end, span.label)


def period_starting(frequency: str, start: datetime.date, fiscal_start_month: int = 1) -> Span:
    """The period that starts on ``start``; ``ValueError`` when no period starts there."""
    span = period_of(frequency, start, fiscal_start_month)
    if span.start != start:
        raise ValueError(f"No {frequency} period starts on {start.isoformat()}.")
    return span


def periods_ending(
    frequency: str, day: datetime.date, count: int, fiscal_start_month: int = 1
) -> list[Span]:
    """The ``count`` periods up to and including the one containing ``day``, oldest first."""
    spans = [period_of(frequency, day, fiscal_start_month)]
    while len(spans) < count:
        spans.append(period_of(frequency, spans[-1].start - DAY, fiscal_start_month))
    spans.reverse()
    return spans


def periods_between(
    frequency: str, first: datetime.date, last: datetime.date, fiscal_start_month: int = 1
) -> list[Span]:
    """Every period of ``frequency`` overlapping ``first`` … ``last``, oldest first."""
    spans = []
    day = first
    while day <= last:
        span = period_of(frequency, day, fiscal_start_month)
        spans.append(span)
        day = span.end + DAY
    return spans


# ---------------------------------------------------------------------------- colours


def bounds(
    *,
    better: str,
    mode: str,
    green: float | None,
    red: float | None,
    target: float | None,
    target_max: float | None = None,
) -> tuple[float | None, float | None]:
    """The green and red bounds as values for one period's target (``None``: no colour)."""
    default_green, default_red = DEFAULT_SHARES[better]
    if mode == "absolute":
        if better == "range":
            return None, red
        green_value = green if green is not None else target
        return green_value, red
    if target is None:
        return None, None
    share_green = default_green if green is None else green
    share_red = default_red if red is None else red
    if better == "range":
        return None, share_red
    return (
        None if share_green is None else target * share_green,
        None if share_red is None else target * share_red,
    )


def colour(
    value: float | None,
    *,
    better: str,
    mode: str,
    green: float | None,
    red: float | None,
    target: float | None,
    target_max: float | None = None,
) -> str | None:
    """``green``, ``yellow`` or ``red`` for ``value`` against one period's target and the
    thresholds; ``None`` when there is no value or nothing to compare it with."""
    if value is None:
        return None
    if better == "range":
        low, high = target, target_max
        if low is None and high is None:
            return None
        if (low is None or value >= low) and (high is None or value <= high):
            return "green"
        _, tolerance = bounds(
            better=better, mode=mode, green=green, red=red, target=target, target_max=target_max
        )
        if tolerance is None:
            return "red"
        if low is not None and value < low:
            reach = tolerance if mode == "absolute" else abs(low) * tolerance
            return "yellow" if value >= low - reach else "red"
        reach = tolerance if mode == "absolute" else abs(high) * tolerance
        return "yellow" if value <= high + reach else "red"
    green_bound, red_bound = bounds(
        better=better, mode=mode, green=green, red=red, target=target, target_max=target_max
    )
    if green_bound is None and red_bound is None:
        return None
    if better == "higher":
        if green_bound is not None and value >= green_bound:
            return "green"
        if red_bound is not None and value < red_bound:
            return "red"
        return "yellow" if green_bound is not None else "green"
    if green_bound is not None and value <= green_bound:
        return "green"
    if red_bound is not None and value > red_bound:
        return "red"
    return "yellow" if green_bound is not None else "green"


def meets(value: float, *, better: str, target: float, target_max: float | None = None) -> bool:
    """Whether ``value`` reaches the target the way the measurable counts it."""
    if better == "higher":
        return value >= target
    if better == "lower":
        return value <= target
    return target <= value and (target_max is None or value <= target_max)


# ---------------------------------------------------------------------------- aggregation


def over_time(values: Sequence[float], how: str) -> float | None:
    """Values of consecutive periods (oldest first) combined into one: sum, mean or last."""
    if not values:
        return None
    if how == "sum":
        return math.fsum(values)
    if how == "average":
        return math.fsum(values) / len(values)
    if how == "last":
        return values[-1]
    raise ValueError(f"Unknown aggregation {how!r}.")


def across_units(pairs: Iterable[tuple[float, float]], how: str) -> float | None:
    """``(value, weight)`` pairs of several units combined: sum, mean or weighted mean."""
    pairs = list(pairs)
    if not pairs:
        return None
    if how == "sum":
        return math.fsum(v for v, _ in pairs)
    if how == "average":
        return math.fsum(v for v, _ in pairs) / len(pairs)
    if how == "weighted":
        total = math.fsum(w for _, w in pairs)
        if total <= 0:
            return math.fsum(v for v, _ in pairs) / len(pairs)
        return math.fsum(v * w for v, w in pairs) / total
    raise ValueError(f"Unknown aggregation {how!r}.")


def target_to_date(target: float | None, how: str, periods: int) -> float | None:
    """The target of ``periods`` periods taken together, combined like the values are: a
    summed measurable's target adds up, an averaged or last-value one stays as it is."""
    if target is None:
        return None
    return target * periods if how == "sum" else target


# ---------------------------------------------------------------------------- display


def format_value(value: float | None, *, kind: str, decimals: int = 0, currency: str = "") -> str:
    """A value as the grid shows it: ``1,234``, ``12.5 %``, ``EUR 1,200``, ``3.5 h``, yes/no."""
    if value is None:
        return ""
    if kind == "yes_no":
        return "yes" if value >= 0.5 else "no"
    text = f"{value:,.{decimals}f}"
    if kind == "percent":
        return f"{text} %"
    if kind == "currency":
        return f"{currency} {text}".strip()
    if kind == "duration":
        return f"{text} h"
    return text
