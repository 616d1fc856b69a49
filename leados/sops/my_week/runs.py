"""My week: today's routines (due today, or overdue while still open) and the rest of the
week's, with how many of the week's runs are done. Both read ``person_runs`` once per page
(two queries, whatever the number of routines)."""

from __future__ import annotations

from leados.core.models import Person
from leados.sops.models import SopRun
from leados.sops.selectors.prompts import PersonRuns, day_label, person_runs, run_path
from leados.web.my_week import LIST_LIMIT, Item, Section, once, section


def _runs(person: Person) -> PersonRuns:
    # Both sections show the same read: made once per page.
    return once(person, "sop_person_runs", lambda: person_runs(person))


def _when(run: SopRun, runs: PersonRuns) -> str:
    time = f" at {run.sop.time_of_day:%H:%M}" if run.sop.time_of_day else ""
    if run.due_on < runs.today:
        until = day_label(run.window_ends_on)
        return f"overdue since {day_label(run.due_on)}{time} · open until {until}"
    if run.due_on == runs.today:
        return f"today{time} · about {run.sop.duration_minutes} min"
    return f"{run.due_on:%A}{time} · about {run.sop.duration_minutes} min"


def today_items(person: Person, runs: PersonRuns) -> list[tuple[SopRun, str]]:
    """The first ``LIST_LIMIT`` of today's runs with what to say of their timing."""
    return [(run, _when(run, runs)) for run in runs.due_today[:LIST_LIMIT]]


def week_items(person: Person, runs: PersonRuns) -> list[tuple[SopRun, str]]:
    """The first ``LIST_LIMIT`` runs due later this week with their day."""
    return [(run, _when(run, runs)) for run in runs.later[:LIST_LIMIT]]


def _item(person: Person, run: SopRun, detail: str) -> Item:
    return Item(text=run.sop.title, url=run_path(person.organization.slug, run.pk), detail=detail)


@section(order=44)
def todays_routines(person: Person) -> Section | None:
    runs = _runs(person)
    if not runs.due_today and not runs.later and not runs.due_this_week:
        return None
    return Section(
        key="todays_routines",
        title="Today's routines",
        items=[_item(person, run, detail) for run, detail in today_items(person, runs)],
        total=len(runs.due_today),
        empty="Nothing due today.",
        attention=bool(runs.overdue),
    )


@section(order=45)
def this_weeks_routines(person: Person) -> Section | None:
    runs = _runs(person)
    if not runs.later and not runs.due_this_week:
        return None
    return Section(
        key="this_weeks_routines",
        title=f"This week's routines · {runs.done_this_week} of {runs.due_this_week} done",
        items=[_item(person, run, detail) for run, detail in week_items(person, runs)],
        total=len(runs.later),
        empty="Nothing else due this week.",
    )
