"""Import and export of people and units over the API (mounted under /api/v1/orgs).

The API is stateless: ``preview`` answers what a file would change, ``apply`` takes the
same file, validates it again and applies it completely or answers 422 with row errors.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import HttpResponse
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from leados.api.common import ERRORS, WRITE_ERRORS, Id, org_operation, reference
from leados.api.errors import error_body
from leados.core import policy
from leados.core.transfer import (
    MAX_BYTES,
    ImportFileError,
    ImportRejected,
    Plan,
    build_plan,
    export_filename,
    export_rows,
    import_apply,
    read_upload,
    write_csv,
    write_xlsx,
)
from leados.core.transfer.goals import (
    build_goal_plan,
    export_goal_rows,
    goals_export_filename,
    goals_import_apply,
)
from leados.core.transfer.measurable_values import (
    SUBJECT as VALUES,
)
from leados.core.transfer.measurable_values import (
    build_values_plan,
    export_value_rows,
    values_export_filename,
    values_import_apply,
)

MAX_LISTED = 1000
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class CountsOut(Schema):
    rows: int
    people_created: int
    people_updated: int
    people_reactivated: int
    people_unchanged: int
    users_created: int
    units_created: int
    roles_added: int
    roles_unchanged: int
    errors: int


class UnitPlanOut(Schema):
    unit_path: str
    level: str


class ImportOut(Schema):
    filename: str
    ignored_columns: list[str]
    counts: CountsOut
    errors: list[RowErrorOut]
    units_created: list[UnitPlanOut]


class GoalCountsOut(Schema):
    rows: int
    goals_created: int
    goals_updated: int
    goals_unchanged: int
    errors: int


class GoalChangeOut(Schema):
    row: int
    key: str
    title: str
    where: str
    changes: list[str]


class GoalImportOut(Schema):
    filename: str
    ignored_columns: list[str]
    counts: GoalCountsOut
    errors: list[RowErrorOut]
    created: list[GoalChangeOut]
    updated: list[GoalChangeOut]


class ValueExportParams(Schema):
    measurable: Id | None = Field(None, description="Only this measurable's values.")
    scorecard: Id | None = Field(None, description="Only the values of this scorecard's rows.")
    from_: datetime.date | None = Field(None, alias="from", description="First period start.")
    to: datetime.date | None = Field(None, description="Last period start.")


class ValueCountsOut(Schema):
    rows: int
    values_created: int
    values_updated: int
    values_unchanged: int
    errors: int


class ValueChangeOut(Schema):
    row: int
    measurable: int
    name: str
    period_start: datetime.date
    value: float
    previous: float | None


class ValueImportOut(Schema):
    filename: str
    ignored_columns: list[str]
    counts: ValueCountsOut
    errors: list[RowErrorOut]
    created: list[ValueChangeOut]
    updated: list[ValueChangeOut]


def _read(file: UploadedFile, subject: str = "people"):
    if file.size is not None and file.size > MAX_BYTES:
        raise ImportFileError(
            f"The file is {file.size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB."
        )
    return read_upload(file.read(MAX_BYTES + 1), file.name or "", subject)


def _out(parsed, plan: Plan) -> dict:
    return {
        "filename": parsed.filename,
        "ignored_columns": parsed.ignored_columns,
        "counts": plan.counts,
        "errors": [e.as_dict() for e in plan.errors[:MAX_LISTED]],
        "units_created": [
            {"unit_path": u.path, "level": u.level} for u in plan.units_create[:MAX_LISTED]
        ],
    }


def _goals_out(parsed, plan) -> dict:
    return {
        "filename": parsed.filename,
        "ignored_columns": parsed.ignored_columns,
        "counts": plan.counts,
        "errors": [e.as_dict() for e in plan.errors[:MAX_LISTED]],
        "created": [vars(c) for c in plan.create[:MAX_LISTED]],
        "updated": [vars(c) for c in plan.update[:MAX_LISTED]],
    }


def _values_out(parsed, plan) -> dict:
    return {
        "filename": parsed.filename,
        "ignored_columns": parsed.ignored_columns,
        "counts": plan.counts,
        "errors": [e.as_dict() for e in plan.errors[:MAX_LISTED]],
        "created": [c.as_dict() for c in plan.create[:MAX_LISTED]],
        "updated": [c.as_dict() for c in plan.update[:MAX_LISTED]],
    }


def _require_values_import(viewer) -> None:
    """Anyone who keeps scorecards may import values; each row is then checked against
    its measurable (the right to enter its values)."""
    policy.require(viewer, policy.SCORECARD_CREATE, None)


def _rejected(plan):
    errors = [
        {"field": f"rows.{e.row}.{e.column}", "message": e.message}
        for e in plan.errors[:MAX_LISTED]
    ]
    return Status(
        422,
        error_body(f"The file has {len(plan.errors)} error(s); nothing was changed.", errors),
    )


def _file_error(exc: ImportFileError):
    return Status(422, error_body(exc.message, [{"field": "file", "message": exc.message}]))


def build_router() -> Router:
    router = Router(tags=["import and export"])

    @router.get(
        "/{org}/transfer/export",
        response={200: None, **ERRORS},
        summary="Export people and units (CSV or XLSX)",
    )
    @org_operation
    def export(request, org: str, format: Literal["csv", "xlsx"] = "csv"):  # noqa: A002
        """Every active person with each role they hold, and units nobody holds a role on, in
        the import's columns. Cells that a spreadsheet would run as a formula get a leading
        quote. The file imports back unchanged."""
        policy.require(request.viewer, policy.READ)
        rows = export_rows(organization=request.org)
        body = write_csv(rows) if format == "csv" else write_xlsx(rows)
        response = HttpResponse(body, content_type=CONTENT_TYPES[format])
        filename = export_filename(request.org, format)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @router.post(
        "/{org}/transfer/preview",
        response={200: ImportOut, **ERRORS},
        summary="What importing a file would change",
    )
    @org_operation
    def preview(request, org: str, file: File[UploadedFile]):
        """Reads the file (CSV UTF-8 or XLSX, at most 5 MB and 20,000 rows) and answers the
        counts of what would change and every row error. Changes nothing."""
        policy.require(request.viewer, policy.PEOPLE_MANAGE)
        try:
            parsed = _read(file)
        except ImportFileError as exc:
            return _file_error(exc)
        plan = build_plan(organization=request.org, by=request.viewer, parsed=parsed)
        return _out(parsed, plan)

    @router.post(
        "/{org}/transfer/apply",
        response={200: ImportOut, **WRITE_ERRORS},
        summary="Import a file: all of it, or nothing",
    )
    @org_operation
    def apply(request, org: str, file: File[UploadedFile]):
        """Validates the file again and applies it in one transaction; with any row error
        nothing changes and the answer is 422 with ``errors`` as ``rows.<n>.<column>``.
        Changes are recorded in the history with edge "import"."""
        policy.require(request.viewer, policy.PEOPLE_MANAGE)
        try:
            parsed = _read(file)
        except ImportFileError as exc:
            return _file_error(exc)
        try:
            plan = import_apply(organization=request.org, by=request.viewer, parsed=parsed)
        except ImportRejected as exc:
            errors = [
                {"field": f"rows.{e.row}.{e.column}", "message": e.message}
                for e in exc.plan.errors[:MAX_LISTED]
            ]
            return Status(
                422,
                error_body(
                    f"The file has {len(exc.plan.errors)} error(s); nothing was changed.", errors
                ),
            )
        return _out(parsed, plan)

    @router.get(
        "/{org}/transfer/goals/export",
        response={200: None, **ERRORS},
        summary="Export goals (CSV or XLSX)",
    )
    @org_operation
    def export_goals(request, org: str, format: Literal["csv", "xlsx"] = "csv"):  # noqa: A002
        """Every live goal, parents before children, in the goals import's columns; each
        goal's key is ``#<id>``. The file imports back unchanged."""
        policy.require(request.viewer, policy.READ)
        rows = export_goal_rows(organization=request.org)
        body = write_csv(rows) if format == "csv" else write_xlsx(rows, sheet_title="Goals")
        response = HttpResponse(body, content_type=CONTENT_TYPES[format])
        filename = goals_export_filename(request.org, format)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @router.post(
        "/{org}/transfer/goals/preview",
        response={200: GoalImportOut, **ERRORS},
        summary="What importing a goals file would change",
    )
    @org_operation
    def preview_goals(request, org: str, file: File[UploadedFile]):
        """Every row is checked by the same rules as the goal services; nothing changes."""
        policy.require(request.viewer, policy.ORG_CHANGE)
        try:
            parsed = _read(file, "goals")
        except ImportFileError as exc:
            return _file_error(exc)
        plan = build_goal_plan(organization=request.org, by=request.viewer, parsed=parsed)
        return _goals_out(parsed, plan)

    @router.post(
        "/{org}/transfer/goals/apply",
        response={200: GoalImportOut, **WRITE_ERRORS},
        summary="Import a goals file: all of it, or nothing",
    )
    @org_operation
    def apply_goals(request, org: str, file: File[UploadedFile]):
        """With any row error nothing changes and the answer is 422 with ``errors`` as
        ``rows.<n>.<column>``. Changes are recorded in the history with edge "import"."""
        policy.require(request.viewer, policy.ORG_CHANGE)
        try:
            parsed = _read(file, "goals")
        except ImportFileError as exc:
            return _file_error(exc)
        try:
            plan = goals_import_apply(organization=request.org, by=request.viewer, parsed=parsed)
        except ImportRejected as exc:
            return _rejected(exc.plan)
        return _goals_out(parsed, plan)

    @router.get(
        "/{org}/transfer/measurable-values/export",
        response={200: None, **ERRORS},
        summary="Export measurables' values (CSV or XLSX)",
    )
    @org_operation
    def export_values(
        request,
        org: str,
        params: Query[ValueExportParams],
        format: Literal["csv", "xlsx"] = "csv",  # noqa: A002
    ):
        """The entered values of one measurable (`measurable`), of a scorecard's rows
        (`scorecard`), or of every live measurable, in the import's columns: measurable
        (`#<id>`), name, unit, period_start, value, note. The file imports back unchanged."""
        from leados.operate.selectors.scorecards import (
            get_measurable_for,
            get_scorecard_for,
            scorecard_measurables,
        )

        viewer = request.viewer
        policy.require(viewer, policy.READ)
        chosen = None
        if params.measurable is not None:
            chosen = [reference(get_measurable_for, viewer, params.measurable, "measurable")]
        elif params.scorecard is not None:
            card = reference(get_scorecard_for, viewer, params.scorecard, "scorecard")
            chosen = scorecard_measurables(card, live_only=False)
        rows = export_value_rows(measurables=chosen, first=params.from_, last=params.to)
        body = write_csv(rows) if format == "csv" else write_xlsx(rows, sheet_title="Values")
        response = HttpResponse(body, content_type=CONTENT_TYPES[format])
        filename = values_export_filename(request.org, format)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @router.post(
        "/{org}/transfer/measurable-values/preview",
        response={200: ValueImportOut, **ERRORS},
        summary="What importing a file of values would change",
    )
    @org_operation
    def preview_values(request, org: str, file: File[UploadedFile]):
        """Every row is checked by the same rules as values entered by hand; nothing
        changes."""
        _require_values_import(request.viewer)
        try:
            parsed = _read(file, VALUES)
        except ImportFileError as exc:
            return _file_error(exc)
        plan = build_values_plan(organization=request.org, by=request.viewer, parsed=parsed)
        return _values_out(parsed, plan)

    @router.post(
        "/{org}/transfer/measurable-values/apply",
        response={200: ValueImportOut, **WRITE_ERRORS},
        summary="Import a file of values: all of it, or nothing",
    )
    @org_operation
    def apply_values(request, org: str, file: File[UploadedFile]):
        """With any row error nothing changes and the answer is 422 with ``errors`` as
        ``rows.<n>.<column>``. A value already there is replaced; the history keeps the
        earlier one, with edge "import"."""
        _require_values_import(request.viewer)
        try:
            parsed = _read(file, VALUES)
        except ImportFileError as exc:
            return _file_error(exc)
        try:
            plan = values_import_apply(organization=request.org, by=request.viewer, parsed=parsed)
        except ImportRejected as exc:
            return _rejected(exc.plan)
        return _values_out(parsed, plan)

    return router


router = build_router()
