"""The API's ``sop-templates`` collection under /api/v1/orgs/{org}/: the library of
routines to adopt, built in and the organization's own (published by it, or shared into
it by a coach), publishing to it, and adopting from it."""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    PageParams,
    Text,
    org_operation,
    reference,
)
from leados.api.schemas import json_response
from leados.core import policy
from leados.core.access import get_unit_for
from leados.core.errors import NotFound
from leados.core.models import Level, OrgRole, Person
from leados.core.services._common import field_error
from leados.sops.api import path_operation
from leados.sops.api.schemas import (
    AdoptIn,
    SopOut,
    TemplateList,
    TemplateOut,
    TemplatePublish,
    rrule_of,
)
from leados.sops.api.sops import cadence_out, owner_of, sop_answer, step_out
from leados.sops.cadence import describe
from leados.sops.library import LIBRARY, TemplateSpec, template_by_slug
from leados.sops.models import DOMAIN_OF, Dimension, Domain, SopTemplate
from leados.sops.selectors.access import get_org_template_for, get_sop_for
from leados.sops.services.templates import BUILT_IN_SOURCE, template_adopt, template_publish

router = Router(tags=["sop-templates"])

Source = Literal["builtin", "organization", "coach"]
_DOMAIN_ORDER = {domain: n for n, domain in enumerate(Domain.values)}
_DIMENSION_ORDER = {dimension: n for n, dimension in enumerate(Dimension.values)}


class TemplateFilters(Schema):
    domain: Domain | None = None
    dimension: Dimension | None = None
    level: Level | None = Field(None, description="Templates meant for this level.")
    source: Source | None = Field(None, description="`builtin`, `organization` or `coach`.")
    q: Text(200) | None = Field(None, description="Part of the title or purpose.")


# --- rows ------------------------------------------------------------------------------


def _builtin_row(spec: TemplateSpec, org_slug: str, urls: dict) -> dict:
    steps = [{"text": s.text, "link": s.link, "evidence": s.evidence} for s in spec.steps]
    return {
        "slug": spec.slug,
        "source": "builtin",
        "source_label": BUILT_IN_SOURCE,
        "title": spec.title,
        "purpose": spec.purpose,
        "domain": spec.domain,
        "dimension": spec.dimension,
        "levels": list(spec.levels),
        "rrule": spec.rrule,
        "cadence": cadence_out(spec.rrule),
        "cadence_text": describe(spec.rrule),
        "duration_minutes": spec.duration_minutes,
        "steps": [step_out(s, org_slug=org_slug, urls=urls) for s in steps],
        "published_by": None,
        "version": None,
        "created_at": None,
    }


def _org_row(template: SopTemplate, org_slug: str, urls: dict) -> dict:
    by: Person | None = template.published_by
    return {
        "slug": template.slug,
        "source": "coach" if template.shared_by_coach else "organization",
        "source_label": template.source_label,
        "title": template.title,
        "purpose": template.purpose,
        "domain": template.domain,
        "dimension": template.dimension,
        "levels": list(template.levels),
        "rrule": template.rrule,
        "cadence": cadence_out(template.rrule),
        "cadence_text": describe(template.rrule),
        "duration_minutes": template.duration_minutes,
        "steps": [step_out(s, org_slug=org_slug, urls=urls) for s in template.steps],
        "published_by": None if by is None else {"id": by.pk, "name": by.name},
        "version": template.version,
        "created_at": template.created_at,
    }


def template_for(viewer: Person, slug) -> SopTemplate | TemplateSpec:
    """The organization's live template with this slug, else the built-in one."""
    try:
        return get_org_template_for(viewer, slug)
    except NotFound:
        spec = template_by_slug(str(slug))
        if spec is None:
            raise
        return spec


def _row(template, org_slug: str) -> dict:
    if isinstance(template, SopTemplate):
        return _org_row(template, org_slug, {})
    return _builtin_row(template, org_slug, {})


def _matches(item, filters: TemplateFilters, source: str) -> bool:
    if filters.source is not None and filters.source != source:
        return False
    if filters.domain is not None and item.domain != filters.domain:
        return False
    if filters.dimension is not None and item.dimension != filters.dimension:
        return False
    if filters.level is not None and filters.level not in item.levels:
        return False
    if filters.q:
        needle = filters.q.casefold()
        return needle in item.title.casefold() or needle in item.purpose.casefold()
    return True


def _order(item) -> tuple:
    return (
        _DOMAIN_ORDER.get(item.domain, 9),
        _DIMENSION_ORDER.get(item.dimension, 99),
        item.title.casefold(),
        item.slug,
    )


template_operation = path_operation(("template", "template_slug", template_for))


# --- routes --------------------------------------------------------------------------------


@router.get(
    "/{org}/sop-templates",
    response={200: TemplateList, **ERRORS},
    summary="Browse the library",
)
@org_operation
def list_templates(request, org: str, page: Query[PageParams], filters: Query[TemplateFilters]):
    """The built-in routines (`source: builtin`) and the organization's own (`organization`,
    or `coach` when a coach shared it), by domain, dimension and title."""
    own = SopTemplate.objects.filter(is_archived=False).select_related("published_by")
    items: list[tuple[str, object]] = [
        ("coach" if t.shared_by_coach else "organization", t) for t in own
    ]
    items += [("builtin", spec) for spec in LIBRARY]
    chosen = sorted((item for source, item in items if _matches(item, filters, source)), key=_order)
    slug, urls = request.org.slug, {}
    rows = [
        _org_row(t, slug, urls) if isinstance(t, SopTemplate) else _builtin_row(t, slug, urls)
        for t in chosen[page.offset : page.offset + page.limit]
    ]
    return json_response(TemplateList, {"items": rows, "count": len(chosen)})


@router.get(
    "/{org}/sop-templates/{template_slug}",
    response={200: TemplateOut, **ERRORS},
    summary="A template",
)
@template_operation
def get_template(request, org: str, template_slug: str):
    return json_response(TemplateOut, _row(request.template, request.org.slug))


@router.post(
    "/{org}/sop-templates",
    response={201: TemplateOut, **WRITE_ERRORS},
    summary="Publish a template",
    description="Admins and coaches publish a routine to the organization's library: from "
    "fields (title, dimension and a cadence as `rrule` or `cadence`), or a routine's "
    "current version with `sop`. A coach's is listed with `source: coach`. The slug is "
    "made from the title.",
)
@org_operation
def publish_template(request, org: str, payload: TemplatePublish, response: HttpResponse):
    viewer = request.viewer
    policy.require(viewer, policy.SOP_TEMPLATE_PUBLISH)
    coach = viewer.role == OrgRole.COACH
    origin = {
        "shared_by_coach": coach,
        "source_label": f"Shared by {viewer.name}, coach" if coach else "",
    }
    given = payload.model_fields_set
    if payload.sop is not None:
        others = sorted(given - {"sop"})
        if others:
            raise field_error(others[0], "Publish a routine (`sop`) or fields, not both.")
        sop = reference(get_sop_for, viewer, payload.sop, "sop")
        content = sop.content()
        template = template_publish(
            organization=request.org,
            published_by=viewer,
            **content,
            domain=sop.domain,
            dimension=sop.dimension,
            levels=sop.levels,
            rrule=sop.rrule,
            **origin,
        )
    else:
        if not payload.title:
            raise field_error("title", "Give the template a title.")
        if payload.dimension is None:
            raise field_error("dimension", "Choose the dimension it is aimed at.")
        rrule = rrule_of(payload.rrule, payload.cadence)
        if rrule is None:
            raise field_error("rrule", "Say how often it repeats: `rrule` or `cadence`.")
        template = template_publish(
            organization=request.org,
            published_by=viewer,
            title=payload.title,
            purpose=payload.purpose,
            domain=payload.domain or DOMAIN_OF[payload.dimension],
            dimension=payload.dimension,
            levels=payload.levels,
            rrule=rrule,
            duration_minutes=payload.duration_minutes,
            steps=[step.dict() for step in payload.steps],
            **origin,
        )
    response["Location"] = f"/api/v1/orgs/{org}/sop-templates/{template.slug}"
    fresh = SopTemplate.objects.select_related("published_by").get(pk=template.pk)
    return Status(201, _org_row(fresh, request.org.slug, {}))


@router.post(
    "/{org}/sop-templates/{template_slug}/adopt",
    response={201: SopOut, **WRITE_ERRORS},
    summary="Adopt a template",
    description="It becomes a routine of yours (or of `owner`, someone you may set routines "
    "up for), version 1, scheduled from `starts_on` (default today) on the template's "
    "cadence unless `rrule` or `cadence` says otherwise, with its runs made at once.",
)
@template_operation
def adopt_template(
    request, org: str, template_slug: str, response: HttpResponse, payload: AdoptIn | None = None
):
    viewer = request.viewer
    payload = payload or AdoptIn()
    owner = owner_of(viewer, payload.owner)
    policy.require(viewer, policy.SOP_CREATE, owner)
    sop = template_adopt(
        organization=request.org,
        slug=request.template.slug,
        owner=owner,
        made_by=viewer,
        starts_on=payload.starts_on,
        time_of_day=payload.time_of_day,
        unit=reference(get_unit_for, viewer, payload.unit, "unit"),
        rrule=rrule_of(payload.rrule, payload.cadence),
        visibility=payload.visibility,
    )
    response["Location"] = f"/api/v1/orgs/{org}/sops/{sop.pk}"
    return Status(201, sop_answer(request, sop.pk, response))
