"""Runs: made from cadences by the worker, then ticked, completed or skipped by their owner.

``runs_generate`` is idempotent: one run per (SOP, due date) is guaranteed by a unique
constraint and inserts that meet an existing run are ignored; each SOP remembers how far
its runs exist (``runs_through``), so catching up after downtime creates every missed
occurrence once, closed as missed when its window has already passed.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from leados.core.models import Organization
from leados.core.periods import organization_today
from leados.core.services._common import apply_changes, check_version, field_error, lock
from leados.sops.cadence import occurrences, window_end
from leados.sops.models import (
    MINUTES_SPENT_MAX,
    NOTE_MAX,
    RunState,
    Sop,
    SopRun,
    SopVersion,
)

HORIZON_DAYS = 7  # runs exist this far ahead, so that the week's runs can be seen
BATCH = 2000
MAX_CATCH_UP_DAYS = 400  # an SOP idle longer restarts from a year and a bit ago


def runs_for_sop(sop: Sop, version_id: int, first: datetime.date, last: datetime.date, today):
    """Unsaved runs for the occurrences of ``sop`` from ``first`` to ``last``."""
    runs = []
    for due_on in occurrences(sop.rrule, sop.starts_on, first, last):
        ends = window_end(sop.rrule, sop.starts_on, due_on)
        missed = ends < today
        runs.append(
            SopRun(
                organization_id=sop.organization_id,
                sop_id=sop.pk,
                sop_version_id=version_id,
                owner_id=sop.owner_id,
                due_on=due_on,
                window_ends_on=ends,
                state=RunState.MISSED if missed else RunState.DUE,
                closed_at=timezone.now() if missed else None,
            )
        )
    return runs


def runs_generate(
    *, organization: Organization, today: datetime.date | None = None, sop_ids=None
) -> dict:
    """Create the runs due up to ``HORIZON_DAYS`` ahead for every live SOP of the
    organization (or those in ``sop_ids``), then mark missed every open run whose window
    has passed. Returns counts: ``created`` and ``missed``."""
    today = today or organization_today(organization)
    last = today + datetime.timedelta(days=HORIZON_DAYS)
    sops = Sop.objects.live().filter(organization_id=organization.pk)
    if sop_ids is not None:
        sops = sops.filter(pk__in=list(sop_ids))
    sops = sops.exclude(runs_through__gte=last).only(
        "id", "organization_id", "owner_id", "rrule", "starts_on", "runs_through", "version_number"
    )
    created = 0
    pending = list(sops)
    for start in range(0, len(pending), BATCH):
        chunk = pending[start : start + BATCH]
        versions = dict(
            SopVersion.objects.filter(
                sop_id__in=[sop.pk for sop in chunk], number=F("sop__version_number")
            ).values_list("sop_id", "id")
        )
        runs = []
        for sop in chunk:
            first = sop.starts_on
            if sop.runs_through is not None:
                first = max(first, sop.runs_through + datetime.timedelta(days=1))
            first = max(first, today - datetime.timedelta(days=MAX_CATCH_UP_DAYS))
            runs.extend(runs_for_sop(sop, versions[sop.pk], first, last, today))
        with transaction.atomic():
            made = SopRun.objects.bulk_create(runs, batch_size=500, ignore_conflicts=True)
            created += len(made)
            Sop.objects.filter(pk__in=[sop.pk for sop in chunk]).update(runs_through=last)
    missed = runs_mark_missed(organization=organization, today=today)
    return {"created": created, "missed": missed}


def runs_mark_missed(*, organization: Organization, today: datetime.date) -> int:
    """Close as missed every open run whose window ended before ``today``."""
    return SopRun.objects.filter(
        organization_id=organization.pk, state=RunState.DUE, window_ends_on__lt=today
    ).update(state=RunState.MISSED, closed_at=timezone.now(), version=F("version") + 1)


# --- the owner's side ---------------------------------------------------------------


def _locked(run: SopRun, expected_version: int | None) -> SopRun:
    run = lock(run, "sop_version", "sop")
    check_version(run, expected_version)
    return run


def _note(field: str, value, *, required: bool = False, why: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise field_error(field, why or "Add a note.")
    if len(value) > NOTE_MAX:
        raise field_error(field, f"Keep this to {NOTE_MAX} characters (it has {len(value)}).")
    return value


def _minutes(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise field_error("minutes_spent", "Give the time spent in whole minutes.")
    if value > MINUTES_SPENT_MAX:
        raise field_error("minutes_spent", "A run takes at most a day (1,440 minutes).")
    return value


def _per_step(field: str, values, count: int, kind):
    if not isinstance(values, list) or len(values) != count:
        raise field_error(field, f"Give one entry for each of the {count} steps.")
    if kind is bool:
        if any(not isinstance(value, bool) for value in values):
            raise field_error(field, "Each step is ticked (true) or not (false).")
        return values
    cleaned = []
    for value in values:
        if value is not None and not isinstance(value, str):
            raise field_error(field, "Each step's note is a text.")
        cleaned.append(_note(field, value))
    return cleaned


@transaction.atomic
def run_update(
    *,
    run: SopRun,
    expected_version: int | None,
    steps_done: list[bool] | None = None,
    step_notes: list[str] | None = None,
    note: str | None = None,
    minutes_spent: int | None | str = "",
) -> SopRun:
    """Record progress on a run: ticked steps, step notes, a note, the time spent.
    Notes and time may still be corrected after the run is done."""
    run = _locked(run, expected_version)
    steps = run.sop_version.steps
    fields = {}
    if steps_done is not None:
        if run.state != RunState.DUE:
            raise field_error("steps_done", f"This run is {run.get_state_display().lower()}.")
        fields["steps_done"] = _per_step("steps_done", steps_done, len(steps), bool)
    if step_notes is not None:
        fields["step_notes"] = _per_step("step_notes", step_notes, len(steps), str)
    if note is not None:
        fields["note"] = _note("note", note)
    if minutes_spent != "":
        fields["minutes_spent"] = _minutes(minutes_spent)
    if run.state == RunState.MISSED and fields:
        raise field_error("run", "This run was missed; it can no longer be changed.")
    apply_changes(run, fields, expected_version=None, exclude=["organization"])
    return run


@transaction.atomic
def run_tick(*, run: SopRun, step: int, done: bool) -> SopRun:
    """Tick or untick one step of a due run. Only that step changes, on the run as it is
    now, so two ticks sent at once (or from two tabs) never undo each other: no version is
    needed for it."""
    run = _locked(run, None)
    if run.state != RunState.DUE:
        raise field_error("steps_done", f"This run is {run.get_state_display().lower()}.")
    count = len(run.sop_version.steps)
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < count:
        raise field_error("step", "This run has no such step.")
    ticked = list(run.steps_done or [])[:count]
    ticked += [False] * (count - len(ticked))
    ticked[step] = bool(done)
    apply_changes(run, {"steps_done": ticked}, expected_version=None, exclude=["organization"])
    return run


@transaction.atomic
def run_complete(
    *,
    run: SopRun,
    expected_version: int | None,
    completed_on: datetime.date | None = None,
    steps_done: list[bool] | None = None,
    step_notes: list[str] | None = None,
    note: str | None = None,
    minutes_spent: int | None | str = "",
) -> SopRun:
    """Complete a due run (with any last progress given). Every ticked step that asks for
    evidence needs its note; a run is completed in its window, not before it is due."""
    run = _locked(run, expected_version)
    if run.state != RunState.DUE:
        raise field_error("state", f"This run is {run.get_state_display().lower()}.")
    today = organization_today(run.sop.organization)
    completed_on = completed_on or today
    if completed_on > today:
        raise field_error("completed_on", "A run cannot be completed in the future.")
    if completed_on > run.window_ends_on:
        raise field_error("completed_on", "That is after the run's window closed.")
    earliest = run.due_on - datetime.timedelta(days=7)
    if completed_on < earliest:
        raise field_error("completed_on", "That is more than a week before the run was due.")
    steps = run.sop_version.steps
    fields = {"state": RunState.DONE, "completed_on": completed_on, "closed_at": timezone.now()}
    fields["steps_done"] = (
        _per_step("steps_done", steps_done, len(steps), bool)
        if steps_done is not None
        else (run.steps_done or [False] * len(steps))
    )
    fields["step_notes"] = (
        _per_step("step_notes", step_notes, len(steps), str)
        if step_notes is not None
        else (run.step_notes or [""] * len(steps))
    )
    if note is not None:
        fields["note"] = _note("note", note)
    if minutes_spent != "":
        fields["minutes_spent"] = _minutes(minutes_spent)
    for number, (step, done, evidence) in enumerate(
        zip(steps, fields["steps_done"], fields["step_notes"], strict=True), start=1
    ):
        if done and step.get("evidence") and not evidence:
            raise field_error("step_notes", f"Step {number} asks for evidence: {step['evidence']}")
    apply_changes(run, fields, expected_version=None, exclude=["organization"])
    return run


@transaction.atomic
def run_skip(*, run: SopRun, expected_version: int | None, reason: str) -> SopRun:
    """Skip a due run with a reason (counted as due and not done)."""
    run = _locked(run, expected_version)
    if run.state != RunState.DUE:
        raise field_error("state", f"This run is {run.get_state_display().lower()}.")
    fields = {
        "state": RunState.SKIPPED,
        "skip_reason": _note("reason", reason, required=True, why="Say why it is skipped."),
        "closed_at": timezone.now(),
    }
    apply_changes(run, fields, expected_version=None, exclude=["organization"])
    return run


@transaction.atomic
def run_reopen(*, run: SopRun, expected_version: int | None) -> SopRun:
    """Undo a completion or a skip while the run's window is still open."""
    run = _locked(run, expected_version)
    today = organization_today(run.sop.organization)
    if run.state not in (RunState.DONE, RunState.SKIPPED):
        raise field_error("state", "Only a done or skipped run can be reopened.")
    if run.window_ends_on < today:
        raise field_error("state", "The run's window has closed; it stays as it is.")
    fields = {"state": RunState.DUE, "completed_on": None, "closed_at": None, "skip_reason": ""}
    apply_changes(run, fields, expected_version=None, exclude=["organization"])
    return run


def runs_generate_for_new_sop(sop: Sop) -> int:
    """Make a new SOP's runs at once, so that it shows on My week without waiting."""
    result = runs_generate(organization=sop.organization, sop_ids=[sop.pk])
    return result["created"]
