"""Schemas shared by the SOP collections (``sops``, ``sop-runs``, ``sop-templates``).

Inputs are ninja ``Input`` schemas (unknown fields refused). Outputs are plain pydantic
models validated from dicts, written with ``json_response`` like the other collections.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from ninja import Field
from pydantic import BaseModel, PlainValidator, WithJsonSchema

from leados.api.common import MAX_ID, Id, Input, Text
from leados.api.schemas import DateTime, PersonRef, UnitRef
from leados.core.models import Level
from leados.core.services._common import field_error
from leados.sops.cadence import Cadence
from leados.sops.models import (
    DURATION_MAX,
    MAX_STEPS,
    MINUTES_SPENT_MAX,
    NOTE_MAX,
    PURPOSE_MAX,
    RRULE_MAX,
    SLUG_MAX,
    STEP_EVIDENCE_MAX,
    STEP_LINK_MAX,
    STEP_TEXT_MAX,
    TITLE_MAX,
    Dimension,
    Domain,
    IdeaState,
    RunState,
    Visibility,
)

Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
CadenceKind = Literal[
    "daily",
    "weekdays",
    "weekly",
    "monthly_day",
    "monthly_weekday",
    "quarterly",
    "yearly",
    "custom",
]
Minutes = Annotated[int, Field(ge=1, le=DURATION_MAX)]
MinutesSpent = Annotated[int, Field(ge=0, le=MINUTES_SPENT_MAX)]


def person_key(*words: str):
    """A person id, or one of ``words`` (like "me"): one type, so that a bad value gets one
    clear error on its own field rather than one per alternative."""

    def check(value):
        if isinstance(value, str) and value in words:
            return value
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID:
            return value
        raise ValueError("Give a person id or " + " or ".join(f'"{w}"' for w in words) + ".")

    schema = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": list(words)}]}
    return Annotated[int | str, PlainValidator(check), WithJsonSchema(schema)]


Owner = Annotated[person_key("me"), Field(description='A person id, or "me" (you).')]
VERSION_FIELD = Field(None, description="Instead of If-Match.")


# --- input -----------------------------------------------------------------------------


class StepIn(Input):
    text: Text(STEP_TEXT_MAX)
    link: Text(STEP_LINK_MAX) = Field(
        "", description="Where in LeadOS the step is done: a link key such as `scorecards`."
    )
    evidence: Text(STEP_EVIDENCE_MAX) = Field(
        "", description="What shows the step was done; completing the run then needs a note."
    )


Steps = Annotated[list[StepIn], Field(max_length=MAX_STEPS)]


class CadenceIn(Input):
    """A cadence in words; turned into an RRULE. Which fields count depends on `kind`."""

    kind: CadenceKind
    interval: Annotated[int, Field(ge=1, le=52)] = Field(1, description="weekly: every N weeks.")
    weekdays: Annotated[list[Weekday], Field(max_length=7)] = Field(
        default_factory=list, description='weekly: the days, e.g. ["MO", "TH"].'
    )
    month_day: Annotated[int, Field(ge=-1, le=28)] = Field(
        1, description="monthly_day, quarterly, yearly: 1 to 28, or -1 for the last day."
    )
    nth: Annotated[int, Field(ge=-1, le=4)] = Field(
        1, description="monthly_weekday: 1 to 4, or -1 for the last."
    )
    weekday: Weekday = Field("MO", description="monthly_weekday: the day of the week.")
    month: Annotated[int, Field(ge=1, le=12)] = Field(1, description="yearly: the month.")
    rule: Text(RRULE_MAX) = Field("", description="custom: an RFC 5545 RRULE.")

    def to_rrule(self) -> str:
        try:
            return Cadence(
                kind=self.kind,
                interval=self.interval,
                weekdays=list(self.weekdays),
                month_day=self.month_day,
                nth=self.nth,
                weekday=self.weekday,
                month=self.month,
                rule=self.rule,
            ).to_rrule()
        except ValidationError as error:
            raise field_error("cadence", error.messages[0]) from None


def rrule_of(rrule: str | None, cadence: CadenceIn | None) -> str | None:
    """The RRULE a body asks for: ``rrule`` or ``cadence`` (not both), or None."""
    if rrule is not None and cadence is not None:
        raise field_error("cadence", "Give the cadence as `rrule` or as `cadence`, not both.")
    if cadence is not None:
        return cadence.to_rrule()
    return rrule


class _Schedule(Input):
    rrule: Text(RRULE_MAX) | None = Field(
        None, description="An RFC 5545 RRULE without DTSTART, e.g. `FREQ=WEEKLY;BYDAY=MO`."
    )
    cadence: CadenceIn | None = Field(None, description="The cadence in words, instead of rrule.")
    starts_on: datetime.date | None = Field(None, description="Counted from; default today.")
    time_of_day: datetime.time | None = Field(None, description="When in the day; empty: any.")
    unit: Id | None = None
    visibility: Visibility = Visibility.PRIVATE


class AdoptIn(_Schedule):
    owner: Owner | None = None


class SopCreate(_Schedule):
    """A new routine from fields, or from a template (`template`: its slug)."""

    template: Text(SLUG_MAX) | None = Field(
        None, description="Adopt this template (built-in or the organization's)."
    )
    owner: Owner | None = None
    title: Text(TITLE_MAX) | None = None
    purpose: Text(PURPOSE_MAX) = ""
    domain: Domain | None = Field(None, description="Defaults to the dimension's domain.")
    dimension: Dimension | None = None
    levels: Annotated[list[Level], Field(min_length=1, max_length=5)] | None = None
    duration_minutes: Minutes = 30
    steps: Steps = Field(default_factory=list)


class SopPatch(Input):
    title: Text(TITLE_MAX) = None
    purpose: Text(PURPOSE_MAX) = None
    domain: Domain = None
    dimension: Dimension = None
    levels: Annotated[list[Level], Field(min_length=1, max_length=5)] = None
    rrule: Text(RRULE_MAX) = None
    cadence: CadenceIn = None
    starts_on: datetime.date = None
    time_of_day: datetime.time | None = None
    duration_minutes: Minutes = None
    steps: Steps = None
    unit: Id | None = None
    visibility: Visibility = None
    owner: Id = None
    change_note: Text(NOTE_MAX) = Field("", description="Kept with the new version.")
    version: int | None = VERSION_FIELD


class VersionOnly(Input):
    version: int | None = VERSION_FIELD


class ProposalIn(Input):
    title: Text(TITLE_MAX) = None
    purpose: Text(PURPOSE_MAX) = None
    steps: Steps = None
    duration_minutes: Minutes = None


class IdeaCreate(Input):
    summary: Text(NOTE_MAX) = Field("", description="What to change and why (required).")
    proposal: ProposalIn | None = Field(None, description="The changed content, if any.")
    run: Id | None = Field(None, description="The run it came from.")


class IdeaAccept(Input):
    note: Text(NOTE_MAX) = ""
    proposal: ProposalIn | None = Field(None, description="Adjust the proposal before accepting.")
    version: int | None = VERSION_FIELD


class ReasonIn(Input):
    reason: Text(NOTE_MAX) = ""
    version: int | None = VERSION_FIELD


StepNotes = Annotated[list[Text(NOTE_MAX) | None], Field(max_length=MAX_STEPS)]
StepsDone = Annotated[list[bool], Field(max_length=MAX_STEPS)]


class RunPatch(Input):
    steps_done: StepsDone = Field(None, description="One true/false per step.")
    step_notes: StepNotes = Field(None, description="One note (or evidence) per step.")
    note: Text(NOTE_MAX) = None
    minutes_spent: MinutesSpent | None = None
    version: int | None = VERSION_FIELD


class RunComplete(Input):
    completed_on: datetime.date | None = Field(None, description="Default today.")
    steps_done: StepsDone = None
    step_notes: StepNotes = None
    note: Text(NOTE_MAX) = None
    minutes_spent: MinutesSpent | None = None
    version: int | None = VERSION_FIELD


class TemplatePublish(Input):
    """Publish from fields, or an SOP's current version with `sop`."""

    sop: Id | None = Field(None, description="Publish this routine's current version.")
    title: Text(TITLE_MAX) | None = None
    purpose: Text(PURPOSE_MAX) = ""
    domain: Domain | None = None
    dimension: Dimension | None = None
    levels: Annotated[list[Level], Field(min_length=1, max_length=5)] | None = None
    rrule: Text(RRULE_MAX) | None = None
    cadence: CadenceIn | None = None
    duration_minutes: Minutes = 30
    steps: Steps = Field(default_factory=list)


# --- output ----------------------------------------------------------------------------


class StepOut(BaseModel):
    text: str
    link: str
    evidence: str
    url: str | None = Field(description="The page where the step is done, when there is one.")


class CadenceOut(BaseModel):
    kind: CadenceKind
    interval: int
    weekdays: list[str]
    month_day: int
    nth: int
    weekday: str
    month: int
    rule: str


class SopRef(BaseModel):
    id: int
    title: str


class RunRef(BaseModel):
    id: int
    due_on: datetime.date
    window_ends_on: datetime.date
    state: RunState


class SopCounts(BaseModel):
    due: int
    done: int
    skipped: int
    missed: int
    ideas_open: int = Field(description="Improvement ideas awaiting a decision.")


class SopOut(BaseModel):
    id: int
    title: str
    purpose: str
    domain: Domain
    dimension: Dimension
    levels: list[Level]
    rrule: str
    cadence: CadenceOut
    cadence_text: str
    starts_on: datetime.date
    time_of_day: datetime.time | None
    duration_minutes: int
    steps: list[StepOut]
    owner: PersonRef
    unit: UnitRef | None
    visibility: Visibility
    template_slug: str
    version_number: int = Field(description="The current version of its content.")
    is_archived: bool
    archived_at: DateTime | None
    next_run: RunRef | None = Field(description="The open run due first.")
    next_due_on: datetime.date | None = Field(description="The next occurrence after today.")
    counts: SopCounts
    version: int
    created_at: DateTime
    updated_at: DateTime


class SopList(BaseModel):
    items: list[SopOut]
    count: int


class FieldChange(BaseModel):
    field: str
    before: str | int | None
    after: str | int | None


class StepAt(BaseModel):
    position: int = Field(description="1-based, in the version the step is in.")
    step: StepOut


class StepChange(BaseModel):
    position: int = Field(description="1-based, in the newer version.")
    before: StepOut
    after: StepOut


class StepsDiff(BaseModel):
    added: list[StepAt]
    removed: list[StepAt]
    changed: list[StepChange]


class VersionDiff(BaseModel):
    previous: int | None = Field(description="The version compared with; none for version 1.")
    fields: list[FieldChange]
    steps: StepsDiff


class VersionOut(BaseModel):
    number: int
    title: str
    purpose: str
    steps: list[StepOut]
    duration_minutes: int
    change_note: str
    made_by: PersonRef | None
    idea: int | None
    current: bool
    created_at: DateTime


class VersionDetail(VersionOut):
    diff: VersionDiff


class VersionList(BaseModel):
    items: list[VersionOut]
    count: int


class IdeaOut(BaseModel):
    id: int
    sop: SopRef
    run: int | None
    proposed_by: PersonRef
    summary: str
    proposal: dict
    base_version: int
    state: IdeaState
    decided_by: PersonRef | None
    decided_at: DateTime | None
    decision_note: str
    resulting_version: int | None = Field(description="The version an accepted idea made.")
    version: int
    created_at: DateTime


class IdeaList(BaseModel):
    items: list[IdeaOut]
    count: int


class RunStepOut(StepOut):
    position: int
    done: bool
    note: str


class RunSop(BaseModel):
    id: int
    title: str
    domain: Domain
    dimension: Dimension


class RunOut(BaseModel):
    id: int
    sop: RunSop
    sop_version: int = Field(description="The version of the routine this run follows.")
    owner: PersonRef
    due_on: datetime.date
    window_ends_on: datetime.date
    state: RunState
    on_time: bool
    steps: list[RunStepOut] = Field(description="The version's steps with what was done.")
    steps_done: list[bool]
    step_notes: list[str]
    note: str
    minutes_spent: int | None
    skip_reason: str
    completed_on: datetime.date | None
    closed_at: DateTime | None
    version: int
    created_at: DateTime
    updated_at: DateTime


class RunList(BaseModel):
    items: list[RunOut]
    count: int


class TemplateOut(BaseModel):
    slug: str
    source: Literal["builtin", "organization", "coach"]
    source_label: str
    title: str
    purpose: str
    domain: Domain
    dimension: Dimension
    levels: list[Level]
    rrule: str
    cadence: CadenceOut
    cadence_text: str
    duration_minutes: int
    steps: list[StepOut]
    published_by: PersonRef | None
    version: int | None = Field(description="An organization template's version; none built in.")
    created_at: DateTime | None


class TemplateList(BaseModel):
    items: list[TemplateOut]
    count: int
