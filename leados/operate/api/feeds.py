"""Feeds in the API: a measurable's feed under /api/v1/orgs/{org}/measurables/{id}/feed,
and the push endpoint /api/v1/ingest/measurables, where an ingest token (not an API
token) says which measurable the values are for."""

from __future__ import annotations

import datetime
from functools import wraps
from types import SimpleNamespace
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from ninja import Field, Router, Status
from ninja.decorators import decorate_view
from pydantic import BaseModel

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    Input,
    Text,
    expected_version,
    org_operation,
    set_etag,
    stale_check,
)
from leados.api.errors import error_body
from leados.api.schemas import DateTime, json_response
from leados.core import policy
from leados.core.context import change_context
from leados.core.errors import NotFound
from leados.core.models.history import Edge
from leados.core.periods import organization_today
from leados.core.tenancy import org_scope
from leados.operate import measures
from leados.operate.models import (
    Feed,
    FeedFormat,
    FeedKind,
    FeedStatus,
    Measurable,
    ValueSource,
)
from leados.operate.models.scorecards import NOTE_MAX
from leados.operate.selectors.scorecards import get_feed_for, get_measurable_for
from leados.operate.services import feeds as services
from leados.operate.services.measurables import MAX_BATCH, ValueInput, values_set

router = Router(tags=["feeds"])
ingest_router = Router(tags=["feeds"], auth=None)

Kind = Literal[tuple(FeedKind.values)]  # type: ignore[valid-type]
Format = Literal[tuple(FeedFormat.values)]  # type: ignore[valid-type]
Value = float | bool | str


# --- schemas ---------------------------------------------------------------------------


class FeedIn(Input):
    kind: Kind = Field(description="push, pull (CSV or JSON from a URL) or sql.")
    url: Text(2000) = Field("", description="pull: an http(s) URL, or file: in the feed folder.")
    format: Format | Literal[""] = Field("", description="pull: json or csv.")
    json_path: Text(500) = Field("", description="pull, json: e.g. $.data.total.")
    csv_column: Text(200) = Field("", description="pull, csv: the header of the value column.")
    database_url: Text(2000) | None = Field(
        None,
        description="sql: postgres://user:password@host:5432/database. Write-only: leave it "
        "out to keep the one stored.",
    )
    query: Text(8000) = Field("", description="sql: one SELECT statement.")
    interval_minutes: int = Field(60, description="pull and sql: minutes between runs (5 …).")
    enabled: bool = True
    version: int | None = Field(None, description="Instead of If-Match (0: no feed yet).")


class VersionOnly(Input):
    version: int | None = None


class FeedOut(BaseModel):
    measurable: int
    kind: Kind
    url: str
    format: str
    json_path: str
    csv_column: str
    database: str
    query: str
    interval_minutes: int
    enabled: bool
    token_hint: str
    status: Literal[tuple(FeedStatus.values)]  # type: ignore[valid-type]
    last_run_at: DateTime | None
    last_success_at: DateTime | None
    last_error: str
    failures: int
    next_run_at: DateTime | None
    version: int


class TokenOut(FeedOut):
    token: str = Field(description="Shown this once; only its hash is kept.")


class RunOut(BaseModel):
    ok: bool
    message: str
    feed: FeedOut


class IngestItem(Input):
    value: Value
    period_start: datetime.date | None = Field(
        None, description="The period's first day; the current period when left out."
    )
    note: Text(NOTE_MAX) | None = None


class IngestIn(Input):
    value: Value | None = None
    period_start: datetime.date | None = None
    note: Text(NOTE_MAX) | None = None
    items: list[IngestItem] | None = Field(None, max_length=MAX_BATCH)


class IngestOut(BaseModel):
    measurable: int
    created: int
    updated: int
    unchanged: int


# --- rows ------------------------------------------------------------------------------


def _row(feed: Feed) -> dict:
    return {
        "measurable": feed.measurable_id,
        "kind": feed.kind,
        "url": feed.url,
        "format": feed.format,
        "json_path": feed.json_path,
        "csv_column": feed.csv_column,
        "database": services.database_label(feed.database_url),
        "query": feed.query,
        "interval_minutes": feed.interval_minutes,
        "enabled": feed.enabled,
        "token_hint": feed.token_hint,
        "status": feed.status,
        "last_run_at": feed.last_run_at,
        "last_success_at": feed.last_success_at,
        "last_error": feed.last_error,
        "failures": feed.failures,
        "next_run_at": feed.next_run_at,
        "version": feed.version,
    }


def _out(model, feed: Feed, **extra) -> HttpResponse:
    feed = Feed.objects.get(pk=feed.pk)
    data = {**_row(feed), **extra} if model is not RunOut else {**extra, "feed": _row(feed)}
    response = json_response(model, data)
    set_etag(response, feed)
    return response


# --- the measurable in the path, read before the body ----------------------------------


def _measurable_in_path(run):
    @wraps(run)
    def wrapper(request, *args, **kwargs):
        viewer = getattr(request, "viewer", None)
        if viewer is not None:
            try:
                request.measurable = get_measurable_for(viewer, kwargs.get("measurable_id"))
            except NotFound as exc:
                return JsonResponse(error_body(exc.message), status=404)
        return run(request, *args, **kwargs)

    return wrapper


def measurable_operation(func):
    decorate_view(_measurable_in_path)(func)
    return org_operation(func)


def _feed(request) -> Feed:
    return get_feed_for(request.viewer, request.measurable)


# --- a measurable's feed ---------------------------------------------------------------

PATH = "/{org}/measurables/{measurable_id}/feed"


@router.get(PATH, response={200: FeedOut, **ERRORS}, summary="A measurable's feed")
@measurable_operation
def get_feed(request, org: str, measurable_id: int):
    """Its settings and its last run. A database URL shows as host and database only; a
    push token only as its first characters."""
    return _out(FeedOut, _feed(request))


@router.put(
    PATH, response={200: FeedOut, 201: FeedOut, **WRITE_ERRORS}, summary="Set up or change a feed"
)
@measurable_operation
def put_feed(request, org: str, measurable_id: int, payload: FeedIn):
    """Creates the feed (201) or replaces its settings (200, with If-Match). A scheduled
    feed runs at the worker's next look after a change."""
    viewer, measurable = request.viewer, request.measurable
    policy.require(viewer, policy.MEASURABLE_CHANGE, measurable)
    fields = payload.dict()
    body_version = fields.pop("version")
    exists = Feed.objects.filter(measurable=measurable).exists()
    if exists or request.headers.get("If-Match") is not None or body_version is not None:
        version, from_header = expected_version(request, body_version)
    else:
        version, from_header = None, False
    with stale_check("feed", version or 0, from_header):
        feed = services.feed_configure(measurable=measurable, expected_version=version, **fields)
    response = _out(FeedOut, feed)
    response.status_code = 200 if exists else 201
    return response


@router.delete(PATH, response={204: None, **WRITE_ERRORS}, summary="Remove a feed")
@measurable_operation
def delete_feed(request, org: str, measurable_id: int, payload: VersionOnly | None = None):
    """The values it brought stay."""
    viewer, measurable = request.viewer, request.measurable
    policy.require(viewer, policy.MEASURABLE_CHANGE, measurable)
    feed = _feed(request)
    version, from_header = expected_version(request, payload.version if payload else None)
    with stale_check("feed", version, from_header):
        services.feed_delete(feed=feed, expected_version=version)
    return Status(204, None)


@router.post(
    PATH + "/token",
    response={200: TokenOut, **WRITE_ERRORS},
    summary="Issue a new ingest token for a push feed",
)
@measurable_operation
def rotate_token(request, org: str, measurable_id: int, payload: VersionOnly | None = None):
    """Answers the token once; the one before stops working at once. If-Match is optional."""
    viewer, measurable = request.viewer, request.measurable
    policy.require(viewer, policy.MEASURABLE_CHANGE, measurable)
    feed = _feed(request)
    body_version = payload.version if payload else None
    if request.headers.get("If-Match") is not None or body_version is not None:
        version, from_header = expected_version(request, body_version)
    else:
        version, from_header = None, False
    with stale_check("feed", version or 0, from_header):
        feed, token = services.feed_token_rotate(feed=feed, expected_version=version)
    return _out(TokenOut, feed, token=token)


@router.post(
    PATH + "/run", response={200: RunOut, **WRITE_ERRORS}, summary="Run a pull or SQL feed now"
)
@measurable_operation
def run_feed(request, org: str, measurable_id: int):
    """Fetches and records now. A failed run still answers 200, with ``ok`` false and the
    message also kept on the feed; no value is recorded then."""
    viewer, measurable = request.viewer, request.measurable
    policy.require(viewer, policy.MEASURABLE_CHANGE, measurable)
    feed = _feed(request)
    if feed.kind == FeedKind.PUSH:
        raise ValidationError({"kind": ["A push feed is not run; send values with its token."]})
    outcome = services.feed_run(feed=feed)
    return _out(RunOut, feed, ok=outcome.ok, message=outcome.message)


# --- push ------------------------------------------------------------------------------


def _token(request) -> str:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("X-Ingest-Token", "").strip()


def _unauthorized(message: str) -> JsonResponse:
    response = JsonResponse(error_body(message), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="ingest"'
    return response


def _with_ingest_token(run):
    """Find the feed before the body is read: a wrong token is a 401 whatever is sent."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        raw = _token(request)
        if not raw:
            return _unauthorized(
                "Send the measurable's ingest token: Authorization: Bearer <token> or "
                "X-Ingest-Token: <token>."
            )
        feed = services.feed_for_token(raw)
        if feed is None:
            return _unauthorized("This ingest token is not valid (it may have been replaced).")
        if not feed.enabled:
            return JsonResponse(error_body("This feed is switched off."), status=403)
        request.feed = feed
        who = SimpleNamespace(pk=None, email=f"ingest token {feed.token_hint}…")
        with org_scope(feed.organization_id), change_context(actor=who, edge=Edge.API):
            return run(request, *args, **kwargs)

    return wrapper


@ingest_router.post(
    "/measurables",
    response={200: IngestOut, **WRITE_ERRORS},
    summary="Push values with a measurable's ingest token",
)
@decorate_view(_with_ingest_token)
def ingest(request, payload: IngestIn):
    """One value (``{value, period_start?, note?}``) or many (``{items: [...]}``), all or
    nothing. Authenticate with the push feed's ingest token, not an API token. A value
    without ``period_start`` is for the current period."""
    feed = request.feed
    single = payload.items is None
    alongside = {payload.value, payload.period_start, payload.note} != {None}
    if (single and payload.value is None) or (not single and alongside):
        raise ValidationError(
            {"__all__": ["Send either value (with period_start and note if you like) or items."]}
        )
    measurable = Measurable.objects.select_related("organization").get(pk=feed.measurable_id)
    organization = measurable.organization
    current = measures.period_of(
        measurable.frequency, organization_today(organization), organization.fiscal_year_start_month
    ).start
    raw = [payload] if single else payload.items
    items = [ValueInput(i.period_start or current, i.value, i.note) for i in raw]
    try:
        written = values_set(
            measurable=measurable, items=items, author=None, source=ValueSource.PUSH
        )
    except ValidationError as exc:
        if not single:
            raise
        raise ValidationError(
            {key.removeprefix("items.0."): msgs for key, msgs in exc.message_dict.items()}
        ) from None
    services.push_received(feed=feed)
    return {"measurable": measurable.pk, **written.as_dict()}
