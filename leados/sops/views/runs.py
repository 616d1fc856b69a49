"""The run page: the version's steps as a checklist saved as they are ticked (with the run's
version, so that two tabs never overwrite each other), step notes and evidence, a note, the
time spent; complete, skip with a reason, reopen while the window is open."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from leados.core import policy
from leados.core.errors import Conflict
from leados.core.periods import organization_today
from leados.sops.forms import RunForm, SkipForm
from leados.sops.models import RunState
from leados.sops.selectors.access import get_run_for
from leados.sops.services import runs as services
from leados.sops.views._common import NAV, cadence_words, linked_steps, run_url
from leados.web.orgs import org_view
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, require

STALE = (
    "This run was changed elsewhere (another tab or device) since you opened it, so this "
    "change was not saved. Reload the page to see the run as it is now."
)
ACTIONS = ("save", "tick", "complete", "skip", "reopen")


def _rows(request, run, *, ticked=None, notes=None) -> list[dict]:
    steps = run.sop_version.steps
    ticked = ticked if ticked is not None else (run.steps_done or [False] * len(steps))
    notes = notes if notes is not None else (run.step_notes or [""] * len(steps))
    return [
        {**step, "index": index, "done": ticked[index], "note": notes[index]}
        for index, step in enumerate(linked_steps(request, steps, run.sop.unit))
    ]


def _context(request, run, **extra) -> dict:
    today = organization_today(request.org)
    can_run = policy.can(request.person, policy.SOP_RUN, run.sop)
    editable = can_run and run.state in (RunState.DUE, RunState.DONE, RunState.SKIPPED)
    window_open = run.window_ends_on >= today
    return {
        "nav": NAV,
        "run": run,
        "sop": run.sop,
        "cadence": cadence_words(run.sop.rrule),
        "rows": _rows(request, run),
        "can_run": can_run,
        "editable": editable and run.state != RunState.SKIPPED,
        "can_tick": can_run and run.state == RunState.DUE,
        "can_reopen": can_run and run.state in (RunState.DONE, RunState.SKIPPED) and window_open,
        "window_open": window_open,
        "today": today,
        "late": run.state == RunState.DUE and run.due_on < today,
        "form": extra.pop("form", None)
        or RunForm(
            initial={
                "version": run.version,
                "note": run.note,
                "minutes_spent": run.minutes_spent,
            }
        ),
        "skip_form": extra.pop("skip_form", None) or SkipForm(initial={"version": run.version}),
        "newer_version": run.sop.version_number != run.sop_version.number,
        "can_idea": policy.can(request.person, policy.SOP_IDEA, run.sop)
        and not run.sop.is_archived,
        "error": "",
        **extra,
    }


def _render(request, run, *, status=200, **extra):
    return render(request, "sops/run.html", _context(request, run, **extra), status=status)


def _progress(request, run) -> dict:
    """The checklist as posted: one tick and one note per step of the run's version."""
    count = len(run.sop_version.steps)
    ticked = set(request.POST.getlist("done"))
    progress = {
        "step_notes": [request.POST.get(f"step_note_{i}", "") for i in range(count)],
    }
    if run.state == RunState.DUE:
        progress["steps_done"] = [str(i) in ticked for i in range(count)]
    return progress


def _step_index(request) -> int:
    try:
        return int(request.POST.get("step", ""))
    except ValueError:
        raise ValidationError({"step": ["Say which step was ticked."]}) from None


@org_view
def run_page(request, run_id):
    run = get_run_for(request.person, run_id)
    if request.method in ("GET", "HEAD"):
        return _render(request, run)
    if request.method != "POST":
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["GET", "POST"])
    require(request, policy.SOP_RUN, run.sop)
    action = request.POST.get("action", "save")
    if action not in ACTIONS:
        action = "save"
    if action == "skip":
        return _skip(request, run)
    if action == "reopen":
        return _reopen(request, run)
    if action == "tick":
        return _tick(request, run)
    form = RunForm(request.POST)
    if not form.is_valid():
        return _answer(request, run, form=form, status=UNPROCESSABLE)
    data = form.cleaned_data
    progress = _progress(request, run)
    minutes = data["minutes_spent"]
    try:
        if action == "complete":
            run = services.run_complete(
                run=run, expected_version=data["version"], note=data["note"],
                minutes_spent=minutes, **progress,
            )  # fmt: skip
        else:
            run = services.run_update(
                run=run, expected_version=data["version"], note=data["note"],
                minutes_spent=minutes, **progress,
            )  # fmt: skip
    except Conflict:
        form.add_error(None, STALE)
        return _answer(request, get_run_for(request.person, run.pk), form=form, status=CONFLICT,
                       posted=progress)  # fmt: skip
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _answer(request, run, form=form, status=UNPROCESSABLE, posted=progress)
    if request.htmx:
        return render(request, "sops/_run_saved.html", {"run": run, "saved": True})
    if action == "complete":
        done(request, "Run completed." + (" It was late." if not run.on_time else ""))
    else:
        done(request, "Progress saved.")
    return redirect(run_url(request, run))


def _answer(request, run, *, form, status, posted=None):
    if request.htmx:
        return render(
            request,
            "sops/_run_saved.html",
            {"run": run, "saved": False, "errors": form.non_field_errors() or form.errors},
            status=status,
        )
    extra = {"form": form}
    if posted is not None:
        steps = run.sop_version.steps
        extra["rows"] = _rows(
            request,
            run,
            ticked=posted.get("steps_done", run.steps_done or [False] * len(steps)),
            notes=posted["step_notes"],
        )
    return _render(request, run, status=status, **extra)


def _tick(request, run):
    """One step ticked or unticked in place (HTMX); only that step changes."""
    try:
        step = _step_index(request)
        run = services.run_tick(run=run, step=step, done=str(step) in request.POST.getlist("done"))
    except ValidationError as exc:
        if not request.htmx:
            return _render(request, run, error=" ".join(exc.messages), status=UNPROCESSABLE)
        return render(
            request,
            "sops/_run_saved.html",
            {"run": run, "saved": False, "errors": exc.messages},
            status=UNPROCESSABLE,
        )
    if request.htmx:
        return render(request, "sops/_run_saved.html", {"run": run, "saved": True})
    done(request, "Progress saved.")
    return redirect(run_url(request, run))


def _skip(request, run):
    form = SkipForm(request.POST)
    if form.is_valid():
        try:
            run = services.run_skip(
                run=run,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except Conflict:
            form.add_error(None, STALE)
            return _render(
                request, get_run_for(request.person, run.pk), skip_form=form, status=CONFLICT
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            done(request, "Run skipped.")
            return redirect(run_url(request, run))
    return _render(request, run, skip_form=form, status=UNPROCESSABLE)


def _reopen(request, run):
    try:
        version = int(request.POST.get("version", ""))
        run = services.run_reopen(run=run, expected_version=version)
    except ValueError:
        return _render(request, run, error="Reload the page and try again.", status=UNPROCESSABLE)
    except Conflict:
        return _render(request, get_run_for(request.person, run.pk), error=STALE, status=CONFLICT)
    except ValidationError as exc:
        return _render(request, run, error=" ".join(exc.messages), status=UNPROCESSABLE)
    done(request, "Run reopened.")
    return redirect(run_url(request, run))
