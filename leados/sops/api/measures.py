"""Measures of routines and the coverage map under /api/v1/orgs/{org}/: the same figures
as the measures and coverage pages, with the same visibility."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator

from leados.api.common import ERRORS, Id, org_operation
from leados.sops.selectors.coverage import PER_PAGE, coverage_for_viewer
from leados.sops.selectors.measures import RANGES, measures_for_viewer

router = Router(tags=["sop-measures"])


def _weeks(value: int) -> int:
    if value not in RANGES:
        raise ValueError("Choose a range of 12, 26 or 52 weeks.")
    return value


Weeks = Annotated[int, AfterValidator(_weeks)]
DomainKey = Literal["structure", "operate", "perfect"]
UnitLevel = Literal["strategy", "functional_team", "process", "project"]


class MeasuresFilters(Schema):
    person: Id | None = Field(None, description="A person's routines (default: yours).")
    unit: Id | None = Field(None, description="The routines of a unit and every unit below it.")
    sop: Id | None = Field(None, description="One routine.")
    domain: DomainKey | None = None
    weeks: Weeks = Field(12, description="The range: 12 or 26 weeks (weekly), 52 (monthly).")


class FiguresOut(Schema):
    routines: int
    due: int = Field(description="Runs done, skipped or missed in the range.")
    done: int
    skipped: int
    missed: int
    adherence: float | None = Field(description="Per cent done of due; null: nothing due.")
    on_time: int
    on_time_rate: float | None = Field(description="Per cent of done runs done by the due date.")
    current_streak: int | None
    best_streak: int | None
    repetitions: int = Field(description="Runs done, all time.")
    predictability: float | None = Field(description="0 to 100; see docs/sops.md.")


class SeriesPointOut(Schema):
    start: datetime.date
    end: datetime.date
    label: str
    done: int
    due: int
    adherence: float | None


class SopFiguresOut(FiguresOut):
    sop: int
    title: str
    domain: str
    dimension: str
    owner: int
    is_archived: bool


class MeasuresOut(Schema):
    subject: Literal["person", "unit", "sop"]
    subject_id: int
    first: datetime.date
    today: datetime.date
    weeks: int
    interval: Literal["week", "month"]
    figures: FiguresOut
    domains: dict[str, FiguresOut]
    sops: list[SopFiguresOut]
    series: list[SeriesPointOut]


@router.get(
    "/{org}/sop-measures",
    response={200: MeasuresOut, **ERRORS},
    summary="Measures of routines",
)
@org_operation
def get_sop_measures(request, org: str, filters: Query[MeasuresFilters]):
    """Adherence, on-time rate, streaks, repetitions and predictability of your routines,
    a person's (yours, your reports', or anyone's for admins and coaches), a unit's subtree
    (the routines you may read) or one routine, with adherence per week or month. An id
    that is not there or not yours to see answers 404."""
    values = {
        "person": filters.person,
        "unit": filters.unit,
        "sop": filters.sop,
        "domain": filters.domain or "",
        "weeks": filters.weeks,
    }
    kind, subject, measures = measures_for_viewer(request.viewer, values)
    return {
        "subject": kind,
        "subject_id": subject.pk,
        "first": measures.first,
        "today": measures.today,
        "weeks": measures.weeks,
        "interval": "month" if measures.weeks >= 52 else "week",
        "figures": measures.figures.as_dict(),
        "domains": {key: f.as_dict() for key, f in measures.by_domain.items()},
        "sops": [
            {
                **row.figures.as_dict(),
                "sop": row.sop.pk,
                "title": row.sop.title,
                "domain": row.sop.domain,
                "dimension": row.sop.dimension,
                "owner": row.sop.owner_id,
                "is_archived": row.sop.is_archived,
            }
            for row in measures.sops
        ],
        "series": [
            {
                "start": p.start,
                "end": p.end,
                "label": p.label,
                "done": p.done,
                "due": p.due,
                "adherence": p.adherence,
            }
            for p in measures.series
        ],
    }


class CoverageFilters(Schema):
    unit: Id | None = Field(None, description="Leaders of this unit and every unit below it.")
    level: UnitLevel | None = Field(None, description="Leaders who lead or manage at a level.")
    gaps: bool = Field(False, description="Only leaders missing at least one dimension.")
    page: int = Field(1, ge=1, le=10**6, description=f"{PER_PAGE} leaders a page.")


class CellOut(Schema):
    dimension: str
    routines: int
    due: int
    done: int
    adherence: float | None
    gap: bool


class CoverageRowOut(Schema):
    person: int
    name: str
    covered: int = Field(description="Dimensions with at least one live routine, of 16.")
    cells: list[CellOut]


class CoverageColumnOut(Schema):
    dimension: str
    domain: str
    leaders: int = Field(description="Leaders (of every page) with a live routine in it.")


class CoverageOut(Schema):
    organization_wide: bool
    first: datetime.date
    today: datetime.date
    page: int
    pages: int
    count: int
    columns: list[CoverageColumnOut]
    items: list[CoverageRowOut]


@router.get(
    "/{org}/sop-coverage",
    response={200: CoverageOut, **ERRORS},
    summary="Coverage map of leaders × dimensions",
)
@org_operation
def get_sop_coverage(request, org: str, filters: Query[CoverageFilters]):
    """Each leader × the 16 dimensions: live routines and their adherence over the last
    12 weeks. Admins, owners and coaches see every leader; others themselves and their
    reports. A unit that is not there answers 404."""
    coverage = coverage_for_viewer(
        request.viewer,
        {"unit": filters.unit, "level": filters.level or "", "gaps": filters.gaps},
        page=filters.page,
    )
    return {
        "organization_wide": coverage.organization_wide,
        "first": coverage.first,
        "today": coverage.today,
        "page": coverage.page.number,
        "pages": coverage.page.paginator.num_pages,
        "count": coverage.leaders,
        "columns": [
            {"dimension": c.dimension, "domain": c.domain, "leaders": c.leaders}
            for c in coverage.columns
        ],
        "items": [
            {
                "person": row.person.pk,
                "name": row.person.name,
                "covered": row.covered,
                "cells": [cell.as_dict() for cell in row.cells],
            }
            for row in coverage.rows
        ],
    }
