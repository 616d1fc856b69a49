"""The API's ``sops`` collection under /api/v1/orgs/{org}/: leadership routines, their
versions (each with what changed from the one before) and their improvement ideas."""

from __future__ import annotations

import dataclasses
import datetime
import difflib

from django.db.models import Count
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    Id,
    PageParams,
    Text,
    expected_version,
    org_operation,
    paginate,
    reference,
    set_etag,
    stale_check,
)
from leados.api.schemas import json_response
from leados.core import policy
from leados.core.access import get_person_for, get_unit_for
from leados.core.errors import NotFound
from leados.core.models import Level, Person
from leados.core.periods import organization_today
from leados.core.services._common import field_error
from leados.sops import links
from leados.sops.api import path_operation
from leados.sops.api.schemas import (
    IdeaAccept,
    IdeaCreate,
    IdeaList,
    IdeaOut,
    Owner,
    ReasonIn,
    SopCreate,
    SopList,
    SopOut,
    SopPatch,
    VersionDetail,
    VersionList,
    VersionOnly,
    rrule_of,
)
from leados.sops.cadence import Cadence, describe, next_occurrence
from leados.sops.models import (
    DOMAIN_OF,
    Dimension,
    Domain,
    IdeaState,
    ImprovementIdea,
    RunState,
    Sop,
    SopRun,
    SopVersion,
)
from leados.sops.selectors.access import (
    get_idea_for,
    get_run_for,
    get_sop_for,
    get_version_for,
    sops_visible_to,
)
from leados.sops.services import ideas as idea_services
from leados.sops.services import sops as services
from leados.sops.services.runs import runs_generate_for_new_sop
from leados.sops.services.templates import template_adopt

router = Router(tags=["sops"])

WHAT = "routine"
CONTENT_FIELDS = ("title", "purpose", "duration_minutes", "steps")
# Settings a PATCH may clear with null; the others need a value.
NULLABLE = {"time_of_day", "unit"}

SOP_IN_PATH = ("sop", "sop_id", get_sop_for)
sop_operation = path_operation(SOP_IN_PATH)


idea_operation = path_operation(SOP_IN_PATH, ("idea", "idea_id", get_idea_for))


class SopFilters(Schema):
    owner: Owner | None = Field(None, description='Whose routines: a person id or "me".')
    unit: Id | None = None
    domain: Domain | None = None
    dimension: Dimension | None = None
    level: Level | None = Field(None, description="Routines meant for this level.")
    archived: bool = Field(False, description="Archived routines instead of live ones.")
    q: Text(200) | None = Field(None, description="Part of the title.")


class IdeaFilters(Schema):
    state: IdeaState | None = None


# --- rows ------------------------------------------------------------------------------


def step_out(step: dict, *, org_slug: str, unit=None, urls: dict | None = None) -> dict:
    """A stored step with the URL of the page where it is done. ``urls`` caches the URLs
    of organization-wide links (a unit's own page may cost a query: pass ``unit`` only
    for one object)."""
    key = step.get("link", "")
    if not key:
        url = None
    elif unit is not None:
        url = links.resolve(key, org_slug=org_slug, unit=unit)
    else:
        if urls is None:
            urls = {}
        if key not in urls:
            urls[key] = links.resolve(key, org_slug=org_slug)
        url = urls[key]
    return {
        "text": step.get("text", ""),
        "link": key,
        "evidence": step.get("evidence", ""),
        "url": url,
    }


def cadence_out(rrule: str) -> dict:
    return dataclasses.asdict(Cadence.from_rrule(rrule))


def _person(person: Person | None) -> dict | None:
    return None if person is None else {"id": person.pk, "name": person.name}


def _sop_row(sop: Sop, extras: dict, today: datetime.date, steps: list[dict]) -> dict:
    unit = sop.unit
    counts = extras["counts"].get(sop.pk, {})
    next_run = extras["next_runs"].get(sop.pk)
    return {
        "id": sop.pk,
        "title": sop.title,
        "purpose": sop.purpose,
        "domain": sop.domain,
        "dimension": sop.dimension,
        "levels": sop.levels,
        "rrule": sop.rrule,
        "cadence": cadence_out(sop.rrule),
        "cadence_text": describe(sop.rrule),
        "starts_on": sop.starts_on,
        "time_of_day": sop.time_of_day,
        "duration_minutes": sop.duration_minutes,
        "steps": steps,
        "owner": _person(sop.owner),
        "unit": None if unit is None else {"id": unit.pk, "name": unit.name, "level": unit.level},
        "visibility": sop.visibility,
        "template_slug": sop.template_slug,
        "version_number": sop.version_number,
        "is_archived": sop.is_archived,
        "archived_at": sop.archived_at,
        "next_run": next_run,
        "next_due_on": None
        if sop.is_archived
        else next_occurrence(sop.rrule, sop.starts_on, today - datetime.timedelta(days=1)),
        "counts": {
            **{state: counts.get(state, 0) for state in RunState.values},
            "ideas_open": extras["ideas"].get(sop.pk, 0),
        },
        "version": sop.version,
        "created_at": sop.created_at,
        "updated_at": sop.updated_at,
    }


def _extras(ids: list[int]) -> dict:
    """Run counts, the next open run and open ideas of the SOPs ``ids``: three queries."""
    counts: dict[int, dict[str, int]] = {}
    next_runs: dict[int, dict] = {}
    ideas: dict[int, int] = {}
    if ids:
        for sop_id, state, number in (
            SopRun.objects.filter(sop_id__in=ids)
            .order_by()
            .values_list("sop_id", "state")
            .annotate(number=Count("id"))
        ):
            counts.setdefault(sop_id, {})[state] = number
        for pk, sop_id, due_on, window_ends_on in (
            SopRun.objects.filter(sop_id__in=ids, state=RunState.DUE)
            .order_by("sop_id", "due_on", "id")
            .values_list("id", "sop_id", "due_on", "window_ends_on")
        ):
            next_runs.setdefault(
                sop_id,
                {"id": pk, "due_on": due_on, "window_ends_on": window_ends_on, "state": "due"},
            )
        ideas = dict(
            ImprovementIdea.objects.filter(sop_id__in=ids, state=IdeaState.PROPOSED)
            .order_by()
            .values_list("sop_id")
            .annotate(number=Count("id"))
        )
    return {"counts": counts, "next_runs": next_runs, "ideas": ideas}


def _rows(org_slug: str, today: datetime.date):
    def rows(queryset) -> list[dict]:
        sops = list(queryset.select_related("owner", "unit"))
        extras = _extras([sop.pk for sop in sops])
        urls: dict[str, str | None] = {}
        return [
            _sop_row(
                sop,
                extras,
                today,
                [step_out(s, org_slug=org_slug, urls=urls) for s in sop.steps],
            )
            for sop in sops
        ]

    return rows


def sop_answer(request, sop_id: int, response: HttpResponse) -> dict:
    """The SOP as the API answers it, read afresh, with its ETag set on ``response``."""
    sop = get_sop_for(request.viewer, sop_id)
    set_etag(response, sop)
    org = request.org
    steps = [step_out(s, org_slug=org.slug, unit=sop.unit) for s in sop.steps]
    return _sop_row(sop, _extras([sop.pk]), organization_today(org), steps)


def _version_row(version: SopVersion, current: int, org_slug: str, urls: dict) -> dict:
    return {
        "number": version.number,
        "title": version.title,
        "purpose": version.purpose,
        "steps": [step_out(s, org_slug=org_slug, urls=urls) for s in version.steps],
        "duration_minutes": version.duration_minutes,
        "change_note": version.change_note,
        "made_by": _person(version.made_by),
        "idea": version.idea_id,
        "current": version.number == current,
        "created_at": version.created_at,
    }


def version_diff(before: SopVersion | None, after: SopVersion, org_slug: str) -> dict:
    """What changed from ``before`` to ``after``: the fields, and the steps added, removed
    and changed (a step is matched by its text; a changed text pairs the steps in place)."""
    urls: dict = {}
    empty = {"added": [], "removed": [], "changed": []}
    if before is None:
        return {"previous": None, "fields": [], "steps": empty}
    fields = [
        {"field": name, "before": getattr(before, name), "after": getattr(after, name)}
        for name in ("title", "purpose", "duration_minutes")
        if getattr(before, name) != getattr(after, name)
    ]
    old, new = list(before.steps), list(after.steps)

    def out(step):
        return step_out(step, org_slug=org_slug, urls=urls)

    steps = {"added": [], "removed": [], "changed": []}
    matcher = difflib.SequenceMatcher(
        a=[s["text"] for s in old], b=[s["text"] for s in new], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        paired = (i2 - i1) if tag == "equal" else min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            if old[i1 + k] != new[j1 + k]:
                steps["changed"].append(
                    {"position": j1 + k + 1, "before": out(old[i1 + k]), "after": out(new[j1 + k])}
                )
        for i in range(i1 + paired, i2):
            steps["removed"].append({"position": i + 1, "step": out(old[i])})
        for j in range(j1 + paired, j2):
            steps["added"].append({"position": j + 1, "step": out(new[j])})
    return {"previous": before.number, "fields": fields, "steps": steps}


def _idea_row(idea: ImprovementIdea) -> dict:
    resulting = getattr(idea, "resulting_version", None)
    return {
        "id": idea.pk,
        "sop": {"id": idea.sop.pk, "title": idea.sop.title},
        "run": idea.run_id,
        "proposed_by": _person(idea.proposed_by),
        "summary": idea.summary,
        "proposal": idea.proposal,
        "base_version": idea.base_version,
        "state": idea.state,
        "decided_by": _person(idea.decided_by),
        "decided_at": idea.decided_at,
        "decision_note": idea.decision_note,
        "resulting_version": None if resulting is None else resulting.number,
        "version": idea.version,
        "created_at": idea.created_at,
    }


def _ideas():
    return ImprovementIdea.objects.select_related(
        "sop", "proposed_by", "decided_by", "resulting_version"
    )


def _idea_answer(request, idea_id: int, response: HttpResponse) -> dict:
    idea = _ideas().get(pk=idea_id)
    set_etag(response, idea)
    return _idea_row(idea)


# --- helpers shared with the templates collection ------------------------------------------


def owner_of(viewer: Person, value) -> Person:
    """The person a body names as owner: ``"me"`` or nothing is the caller."""
    if value is None or value == "me":
        return viewer
    return reference(get_person_for, viewer, value, "owner")


# --- routes: sops ------------------------------------------------------------------------------


@router.get("/{org}/sops", response={200: SopList, **ERRORS}, summary="List routines")
@org_operation
def list_sops(request, org: str, page: Query[PageParams], filters: Query[SopFilters]):
    """The routines you may read (yours, your units', the organization's, your reports';
    all of them for admins and coaches), live ones unless `archived=true`, by title."""
    viewer = request.viewer
    sops = sops_visible_to(viewer).filter(is_archived=filters.archived)
    if filters.owner is not None:
        sops = sops.filter(owner_id=viewer.pk if filters.owner == "me" else filters.owner)
    if filters.unit is not None:
        sops = sops.filter(unit_id=filters.unit)
    if filters.domain is not None:
        sops = sops.filter(domain=filters.domain)
    if filters.dimension is not None:
        sops = sops.filter(dimension=filters.dimension)
    if filters.level is not None:
        # Levels are a JSON list of keys; a quoted key matches only itself.
        sops = sops.filter(levels__icontains=f'"{filters.level}"')
    if filters.q:
        sops = sops.filter(title__icontains=filters.q)
    rows = _rows(request.org.slug, organization_today(request.org))
    return paginate(sops.order_by("title", "id"), page, rows, SopList)


@router.post(
    "/{org}/sops",
    response={201: SopOut, **WRITE_ERRORS},
    summary="Create a routine",
    description="From fields (title, dimension and a cadence are required), or adopt a "
    "template with `template` (its slug; schedule fields apply, content comes from the "
    "template). The owner is you unless `owner` names someone you may set routines up for "
    "(your reports; anyone for admins). Its runs are made at once.",
)
@org_operation
def create_sop(request, org: str, payload: SopCreate, response: HttpResponse):
    viewer = request.viewer
    owner = owner_of(viewer, payload.owner)
    policy.require(viewer, policy.SOP_CREATE, owner)
    unit = reference(get_unit_for, viewer, payload.unit, "unit")
    rrule = rrule_of(payload.rrule, payload.cadence)
    given = payload.model_fields_set
    if payload.template is not None:
        content = sorted(given & {"title", "purpose", "domain", "dimension", "levels", "steps"})
        if content or "duration_minutes" in given:
            raise field_error(
                (content or ["duration_minutes"])[0],
                "A template brings its own content; change it after adopting.",
            )
        try:
            sop = template_adopt(
                organization=request.org,
                slug=payload.template,
                owner=owner,
                made_by=viewer,
                starts_on=payload.starts_on,
                time_of_day=payload.time_of_day,
                unit=unit,
                rrule=rrule,
                visibility=payload.visibility,
            )
        except NotFound:
            raise field_error("template", "No such template.") from None
    else:
        if not payload.title:
            raise field_error("title", "Give the routine a title.")
        if payload.dimension is None:
            raise field_error("dimension", "Choose the dimension the routine is aimed at.")
        if rrule is None:
            raise field_error("rrule", "Say how often it repeats: `rrule` or `cadence`.")
        sop = services.sop_create(
            organization=request.org,
            owner=owner,
            made_by=viewer,
            title=payload.title,
            purpose=payload.purpose,
            domain=payload.domain or DOMAIN_OF[payload.dimension],
            dimension=payload.dimension,
            levels=payload.levels,
            rrule=rrule,
            starts_on=payload.starts_on,
            time_of_day=payload.time_of_day,
            duration_minutes=payload.duration_minutes,
            steps=[step.dict() for step in payload.steps],
            unit=unit,
            visibility=payload.visibility,
        )
        runs_generate_for_new_sop(sop)
    response["Location"] = f"/api/v1/orgs/{org}/sops/{sop.pk}"
    return Status(201, sop_answer(request, sop.pk, response))


@router.get("/{org}/sops/{sop_id}", response={200: SopOut, **ERRORS}, summary="A routine")
@sop_operation
def get_sop(request, org: str, sop_id: int, response: HttpResponse):
    """With its cadence in words, its next open run and its runs counted by state."""
    return sop_answer(request, request.sop.pk, response)


@router.patch(
    "/{org}/sops/{sop_id}",
    response={200: SopOut, **WRITE_ERRORS},
    summary="Change a routine",
    description="Its owner (or an admin). A change to the content (title, purpose, steps, "
    "duration) makes a new version, kept with `change_note`; runs not yet started follow "
    "it, a run under way keeps its version. A new cadence applies from today. Changing "
    "only `dimension` moves the routine to that dimension's domain.",
)
@sop_operation
def update_sop(request, org: str, sop_id: int, payload: SopPatch, response: HttpResponse):
    viewer, sop = request.viewer, request.sop
    policy.require(viewer, policy.SOP_CHANGE, sop)
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    change_note = fields.pop("change_note", "")
    for name, value in fields.items():
        if value is None and name not in NULLABLE:
            raise field_error(name, "This cannot be null.")
    if "cadence" in fields:
        fields.pop("cadence")
        fields["rrule"] = rrule_of(fields.get("rrule"), payload.cadence)
    if "dimension" in fields and "domain" not in fields:
        fields["domain"] = DOMAIN_OF[fields["dimension"]]
    if "unit" in fields:
        fields["unit"] = reference(get_unit_for, viewer, fields["unit"], "unit")
    if "owner" in fields:
        fields["owner"] = reference(get_person_for, viewer, fields["owner"], "owner")
        if fields["owner"].pk != sop.owner_id:
            policy.require(viewer, policy.SOP_CREATE, fields["owner"])
    with stale_check(WHAT, version, from_header):
        services.sop_update(
            sop=sop, made_by=viewer, expected_version=version, change_note=change_note, **fields
        )
    return sop_answer(request, sop.pk, response)


def _archiving(request, payload, *, archived: bool):
    sop = request.sop
    policy.require(request.viewer, policy.SOP_CHANGE, sop)
    version, from_header = expected_version(request, payload.version if payload else None)
    if sop.is_archived == archived:
        raise field_error(
            "sop", "This routine is already archived." if archived else "It is not archived."
        )
    return sop, version, from_header


@router.post(
    "/{org}/sops/{sop_id}/archive",
    response={200: SopOut, **WRITE_ERRORS},
    summary="Archive a routine",
    description="No new runs; open runs nobody started go, started ones are skipped. Its "
    "runs, versions and history stay.",
)
@sop_operation
def archive_sop(
    request, org: str, sop_id: int, response: HttpResponse, payload: VersionOnly | None = None
):
    sop, version, from_header = _archiving(request, payload, archived=True)
    with stale_check(WHAT, version, from_header):
        services.sop_archive(sop=sop, expected_version=version)
    return sop_answer(request, sop.pk, response)


@router.post(
    "/{org}/sops/{sop_id}/unarchive",
    response={200: SopOut, **WRITE_ERRORS},
    summary="Bring an archived routine back",
    description="Runs restart from today (the archived stretch is not counted as missed).",
)
@sop_operation
def unarchive_sop(
    request, org: str, sop_id: int, response: HttpResponse, payload: VersionOnly | None = None
):
    sop, version, from_header = _archiving(request, payload, archived=False)
    with stale_check(WHAT, version, from_header):
        sop = services.sop_unarchive(sop=sop, expected_version=version)
    runs_generate_for_new_sop(sop)
    return sop_answer(request, sop.pk, response)


# --- routes: versions --------------------------------------------------------------------


@router.get(
    "/{org}/sops/{sop_id}/versions",
    response={200: VersionList, **ERRORS},
    summary="A routine's versions",
    description="Newest first.",
)
@sop_operation
def list_versions(request, org: str, sop_id: int, page: Query[PageParams]):
    sop = request.sop
    urls: dict = {}

    def rows(queryset):
        return [_version_row(v, sop.version_number, request.org.slug, urls) for v in queryset]

    versions = SopVersion.objects.filter(sop=sop).select_related("made_by").order_by("-number")
    return paginate(versions, page, rows, VersionList)


@router.get(
    "/{org}/sops/{sop_id}/versions/{number}",
    response={200: VersionDetail, **ERRORS},
    summary="One version, with what changed",
    description="The version's content and `diff`: the fields changed since the version "
    "before, and the steps added, removed and changed.",
)
@sop_operation
def get_version(request, org: str, sop_id: int, number: int):
    sop = request.sop
    version = get_version_for(request.viewer, sop, number)
    previous = SopVersion.objects.filter(sop=sop, number__lt=version.number).order_by("-number")
    slug = request.org.slug
    row = _version_row(version, sop.version_number, slug, {})
    row["diff"] = version_diff(previous.first(), version, slug)
    return json_response(VersionDetail, row)


# --- routes: improvement ideas -------------------------------------------------------------


@router.get(
    "/{org}/sops/{sop_id}/ideas",
    response={200: IdeaList, **ERRORS},
    summary="A routine's improvement ideas",
    description="Newest first; `state` filters.",
)
@sop_operation
def list_ideas(
    request, org: str, sop_id: int, page: Query[PageParams], filters: Query[IdeaFilters]
):
    ideas = _ideas().filter(sop=request.sop).order_by("-created_at", "-id")
    if filters.state is not None:
        ideas = ideas.filter(state=filters.state)
    return paginate(ideas, page, lambda qs: [_idea_row(i) for i in qs], IdeaList)


@router.post(
    "/{org}/sops/{sop_id}/ideas",
    response={201: IdeaOut, **WRITE_ERRORS},
    summary="Propose an improvement",
    description="Anyone who may read the routine (not viewers): a `summary` (what and why), "
    "optionally the changed content in `proposal` (title, purpose, steps, duration_minutes) "
    "and the `run` it came from. The owner accepts or declines it.",
)
@sop_operation
def propose_idea(request, org: str, sop_id: int, payload: IdeaCreate, response: HttpResponse):
    viewer, sop = request.viewer, request.sop
    policy.require(viewer, policy.SOP_IDEA, sop)
    run = reference(get_run_for, viewer, payload.run, "run")
    proposal = None
    if payload.proposal is not None:
        proposal = payload.proposal.dict(exclude_unset=True)
        for name, value in proposal.items():
            if value is None:
                raise field_error(f"proposal.{name}", "This cannot be null.")
    idea = idea_services.idea_propose(
        sop=sop, proposed_by=viewer, summary=payload.summary, proposal=proposal, run=run
    )
    return Status(201, _idea_answer(request, idea.pk, response))


def _deciding(request, payload):
    viewer, sop, idea = request.viewer, request.sop, request.idea
    if idea.sop_id != sop.pk:
        raise NotFound()
    policy.require(viewer, policy.SOP_CHANGE, sop)
    version, from_header = expected_version(request, payload.version if payload else None)
    return idea, version, from_header


@router.post(
    "/{org}/sops/{sop_id}/ideas/{idea_id}/accept",
    response={200: IdeaOut, **WRITE_ERRORS},
    summary="Accept an improvement idea",
    description="The routine's owner (or an admin), with the idea's version: the routine "
    "gets a new version with the proposed content (adjust it with `proposal`), noted with "
    "the idea's summary. `resulting_version` is that version's number.",
)
@idea_operation
def accept_idea(
    request,
    org: str,
    sop_id: int,
    idea_id: int,
    response: HttpResponse,
    payload: IdeaAccept | None = None,
):
    idea, version, from_header = _deciding(request, payload)
    proposal = None
    if payload is not None and payload.proposal is not None:
        proposal = {**idea.proposal, **payload.proposal.dict(exclude_unset=True)}
        for name, value in proposal.items():
            if value is None:
                raise field_error(f"proposal.{name}", "This cannot be null.")
    with stale_check("idea", version, from_header):
        idea_services.idea_accept(
            idea=idea,
            decided_by=request.viewer,
            expected_version=version,
            note=payload.note if payload else "",
            proposal=proposal,
        )
    return _idea_answer(request, idea.pk, response)


@router.post(
    "/{org}/sops/{sop_id}/ideas/{idea_id}/decline",
    response={200: IdeaOut, **WRITE_ERRORS},
    summary="Decline an improvement idea",
    description="The routine's owner (or an admin), with a `reason`.",
)
@idea_operation
def decline_idea(
    request,
    org: str,
    sop_id: int,
    idea_id: int,
    response: HttpResponse,
    payload: ReasonIn | None = None,
):
    idea, version, from_header = _deciding(request, payload)
    with stale_check("idea", version, from_header):
        idea_services.idea_decline(
            idea=idea,
            decided_by=request.viewer,
            reason=payload.reason if payload else "",
            expected_version=version,
        )
    return _idea_answer(request, idea.pk, response)
