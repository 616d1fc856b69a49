"""The API's ``sop-runs`` collection under /api/v1/orgs/{org}/: the occurrences of routines,
ticked step by step, completed, skipped with a reason, or reopened."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    Id,
    PageParams,
    expected_version,
    org_operation,
    paginate,
    set_etag,
    stale_check,
)
from leados.core import policy
from leados.core.services._common import field_error
from leados.sops.api import path_operation
from leados.sops.api.schemas import (
    ReasonIn,
    RunComplete,
    RunList,
    RunOut,
    RunPatch,
    VersionOnly,
    person_key,
)
from leados.sops.api.sops import step_out
from leados.sops.models import RunState, SopRun
from leados.sops.selectors.access import get_run_for, sops_visible_to
from leados.sops.services import runs as services

router = Router(tags=["sop-runs"])

WHAT = "run"
UNSET = ""  # the services' "not given" for minutes_spent (None clears it)

run_operation = path_operation(("run", "run_id", get_run_for))


class RunFilters(Schema):
    sop: Id | None = Field(None, description="Only this routine's runs.")
    owner: person_key("me", "all") | None = Field(
        None,
        description='A person id, "me" or "all" (every run you may read). Default: "me", '
        'or "all" with `sop`.',
    )
    state: RunState | None = None
    due_from: datetime.date | None = Field(None, description="Due on or after this day.")
    due_to: datetime.date | None = Field(None, description="Due on or before this day.")


# --- rows ------------------------------------------------------------------------------


def _run_row(run: SopRun, org_slug: str, *, unit=None, urls: dict | None = None) -> dict:
    steps = run.sop_version.steps
    done = list(run.steps_done or [])
    notes = list(run.step_notes or [])
    sop = run.sop
    return {
        "id": run.pk,
        "sop": {
            "id": sop.pk,
            "title": sop.title,
            "domain": sop.domain,
            "dimension": sop.dimension,
        },
        "sop_version": run.sop_version.number,
        "owner": {"id": run.owner.pk, "name": run.owner.name},
        "due_on": run.due_on,
        "window_ends_on": run.window_ends_on,
        "state": run.state,
        "on_time": run.on_time,
        "steps": [
            {
                **step_out(step, org_slug=org_slug, unit=unit, urls=urls),
                "position": position,
                "done": bool(done[position - 1]) if position <= len(done) else False,
                "note": (notes[position - 1] or "") if position <= len(notes) else "",
            }
            for position, step in enumerate(steps, start=1)
        ],
        "steps_done": done,
        "step_notes": [note or "" for note in notes],
        "note": run.note,
        "minutes_spent": run.minutes_spent,
        "skip_reason": run.skip_reason,
        "completed_on": run.completed_on,
        "closed_at": run.closed_at,
        "version": run.version,
        "created_at": run.created_at,
        "updated_at": run.updated_at,
    }


def _rows(org_slug: str):
    def rows(queryset) -> list[dict]:
        urls: dict = {}
        return [
            _run_row(run, org_slug, urls=urls)
            for run in queryset.select_related("sop", "sop_version", "owner")
        ]

    return rows


def _answer(request, run_id: int, response: HttpResponse) -> dict:
    run = get_run_for(request.viewer, run_id)
    set_etag(response, run)
    return _run_row(run, request.org.slug, unit=run.sop.unit)


def _versioned(request, body_version: int | None):
    run = request.run
    policy.require(request.viewer, policy.SOP_RUN, run.sop)
    version, from_header = expected_version(request, body_version)
    return run, version, from_header


def _minutes(fields: dict):
    return fields["minutes_spent"] if "minutes_spent" in fields else UNSET


# --- routes --------------------------------------------------------------------------------


@router.get("/{org}/sop-runs", response={200: RunList, **ERRORS}, summary="List runs")
@org_operation
def list_runs(request, org: str, page: Query[PageParams], filters: Query[RunFilters]):
    """Soonest due first. Without `owner`, your own runs (every owner's with `sop`); only
    runs of routines you may read."""
    viewer = request.viewer
    runs = SopRun.objects.filter(sop__in=sops_visible_to(viewer).values("pk"))
    owner = filters.owner
    if owner is None:
        owner = "all" if filters.sop is not None else "me"
    if owner == "me":
        runs = runs.filter(owner_id=viewer.pk)
    elif owner != "all":
        runs = runs.filter(owner_id=owner)
    if filters.sop is not None:
        runs = runs.filter(sop_id=filters.sop)
    if filters.state is not None:
        runs = runs.filter(state=filters.state)
    if filters.due_from is not None:
        runs = runs.filter(due_on__gte=filters.due_from)
    if filters.due_to is not None:
        runs = runs.filter(due_on__lte=filters.due_to)
    return paginate(runs.order_by("due_on", "id"), page, _rows(request.org.slug), RunList)


@router.get("/{org}/sop-runs/{run_id}", response={200: RunOut, **ERRORS}, summary="A run")
@run_operation
def get_run(request, org: str, run_id: int, response: HttpResponse):
    """With the steps of the version it follows, each with whether it is done and its note."""
    return _answer(request, request.run.pk, response)


@router.patch(
    "/{org}/sop-runs/{run_id}",
    response={200: RunOut, **WRITE_ERRORS},
    summary="Record progress on a run",
    description="The routine's owner (or an admin): `steps_done` and `step_notes` (one entry "
    "per step), `note`, `minutes_spent` (null clears it). Ticking needs a due run; notes and "
    "time may be corrected after it is done; a missed run stays as it is.",
)
@run_operation
def update_run(request, org: str, run_id: int, payload: RunPatch, response: HttpResponse):
    fields = payload.dict(exclude_unset=True)
    run, version, from_header = _versioned(request, fields.pop("version", None))
    for name in ("steps_done", "step_notes", "note"):
        if name in fields and fields[name] is None:
            raise field_error(name, "This cannot be null.")
    with stale_check(WHAT, version, from_header):
        services.run_update(
            run=run,
            expected_version=version,
            steps_done=fields.get("steps_done"),
            step_notes=fields.get("step_notes"),
            note=fields.get("note"),
            minutes_spent=_minutes(fields),
        )
    return _answer(request, run.pk, response)


@router.post(
    "/{org}/sop-runs/{run_id}/complete",
    response={200: RunOut, **WRITE_ERRORS},
    summary="Complete a run",
    description="A due run, with any last progress (`steps_done`, `step_notes`, `note`, "
    "`minutes_spent`) and `completed_on` (default today; within the run's window, not in "
    "the future). A ticked step that asks for evidence needs its note.",
)
@run_operation
def complete_run(
    request, org: str, run_id: int, response: HttpResponse, payload: RunComplete | None = None
):
    payload = payload or RunComplete()
    fields = payload.dict(exclude_unset=True)
    run, version, from_header = _versioned(request, fields.pop("version", None))
    with stale_check(WHAT, version, from_header):
        services.run_complete(
            run=run,
            expected_version=version,
            completed_on=fields.get("completed_on"),
            steps_done=fields.get("steps_done"),
            step_notes=fields.get("step_notes"),
            note=fields.get("note"),
            minutes_spent=_minutes(fields),
        )
    return _answer(request, run.pk, response)


@router.post(
    "/{org}/sop-runs/{run_id}/skip",
    response={200: RunOut, **WRITE_ERRORS},
    summary="Skip a run",
    description="A due run, with a `reason` (it counts as due and not done).",
)
@run_operation
def skip_run(
    request, org: str, run_id: int, response: HttpResponse, payload: ReasonIn | None = None
):
    payload = payload or ReasonIn()
    run, version, from_header = _versioned(request, payload.version)
    with stale_check(WHAT, version, from_header):
        services.run_skip(run=run, expected_version=version, reason=payload.reason)
    return _answer(request, run.pk, response)


@router.post(
    "/{org}/sop-runs/{run_id}/reopen",
    response={200: RunOut, **WRITE_ERRORS},
    summary="Reopen a run",
    description="Undo a completion or a skip while the run's window is open.",
)
@run_operation
def reopen_run(
    request, org: str, run_id: int, response: HttpResponse, payload: VersionOnly | None = None
):
    run, version, from_header = _versioned(request, payload.version if payload else None)
    with stale_check(WHAT, version, from_header):
        services.run_reopen(run=run, expected_version=version)
    return _answer(request, run.pk, response)
