"""Pure arithmetic of goals: own progress, roll-up and status. No database access here.

Progress is a fraction from 0.0 to 1.0.

* A metric goal moves from ``start_value`` to ``target_value``; ``current_value`` beyond
  the target counts as 1.0 and behind the start as 0.0. When start and target are equal
  (hold a level), the goal is met while the current value is on the right side of it.
* A milestones goal is the share of its milestones done.
* A done / not done goal is 0.0 or 1.0.
* A goal with live children and no metric of its own rolls up: the weighted mean of its
  children's progress (the plain mean when every weight is 0).

Status compares progress with the share of the goal's time window that has passed.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

DONE_AT = 0.9995
GRACE_SHARE = 0.15  # too early in the window to call anything behind
ON_TRACK_GAP = 0.10
AT_RISK_GAP = 0.25
BINARY_AT_RISK_SHARE = 0.75
LOW_CONFIDENCE = 3
MIDDLING_CONFIDENCE = 6


def clamp(value: float) -> float:
    if value is None or math.isnan(value):
        return 0.0
    return max(0.0, min(1.0, float(value)))


def metric_progress(start: float | None, target: float | None, current: float | None) -> float:
    if start is None or target is None or current is None:
        return 0.0
    if target == start:
        return 1.0 if current == target else 0.0
    return clamp((current - start) / (target - start))


def milestones_progress(done: int, total: int) -> float:
    return done / total if total else 0.0


def own_progress_of(kind: str, *, start, target, current, is_done, milestones_done, milestones):
    if kind == "metric":
        return metric_progress(start, target, current)
    if kind == "milestones":
        return milestones_progress(milestones_done, milestones)
    return 1.0 if is_done else 0.0


def rolled_up(children: list[tuple[int, float]]) -> float:
    """Weighted mean of ``(weight, progress)`` pairs; the plain mean when no weight counts."""
    if not children:
        return 0.0
    total = sum(w for w, _ in children)
    if total == 0:
        return clamp(sum(p for _, p in children) / len(children))
    return clamp(sum(w * p for w, p in children) / total)


@dataclass(frozen=True)
class Window:
    start: datetime.date | None
    end: datetime.date | None

    def elapsed_share(self, today: datetime.date) -> float | None:
        if self.start is None or self.end is None:
            return None
        days = (self.end - self.start).days + 1
        return max(0.0, min(1.0, ((today - self.start).days + 1) / days))


def status_of(
    *,
    progress: float,
    kind: str,
    rolls_up: bool,
    window: Window,
    today: datetime.date,
    confidence: int | None,
) -> str:
    """``on_track``, ``at_risk``, ``off_track``, ``done`` or ``missed``."""
    if progress >= DONE_AT:
        return "done"
    if window.end is not None and today > window.end:
        return "missed"
    share = window.elapsed_share(today)
    if share is None:  # ongoing
        status = "on_track"
    elif window.start is not None and today < window.start:
        status = "on_track"
    elif kind == "binary" and not rolls_up:
        status = "at_risk" if share >= BINARY_AT_RISK_SHARE else "on_track"
    elif share < GRACE_SHARE or progress >= share - ON_TRACK_GAP:
        status = "on_track"
    elif progress >= share - AT_RISK_GAP:
        status = "at_risk"
    else:
        status = "off_track"
    if confidence is not None:
        if confidence <= LOW_CONFIDENCE:
            status = "off_track" if status != "on_track" else "at_risk"
        elif confidence <= MIDDLING_CONFIDENCE and status == "on_track":
            status = "at_risk"
    return status
