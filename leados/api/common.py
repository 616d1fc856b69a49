"""Shared pieces of the organization routes: who is asking, paging, versions, input types."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Schema
from ninja.decorators import decorate_view
from pydantic import AfterValidator, ConfigDict

from leados.api.auth import TokenAuth
from leados.api.errors import error_body
from leados.api.schemas import json_response
from leados.core.errors import Conflict, LeadOSError, NotFound, PreconditionRequired
from leados.core.models import Person
from leados.core.tenancy import org_scope, scopes_disabled

ORG_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
MAX_ID = 2**63 - 1
MAX_LIMIT = 500
DEFAULT_LIMIT = 50
MAX_OFFSET = 10**9


class PreconditionFailed(LeadOSError):
    status = 412


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text cannot contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode.") from None
    return value


def Text(max_length: int):  # noqa: N802 - used like a type
    """A string of at most ``max_length`` characters that every database can store."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_clean_text)]


def _aware(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(value):
        return value.replace(tzinfo=datetime.UTC)
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
AwareDateTime = Annotated[datetime.datetime, AfterValidator(_aware)]


class Input(Schema):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem]


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut, 412: ErrorOut, 428: ErrorOut}


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="At most 500.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def paginate(
    queryset: QuerySet, page: PageParams, rows: Callable[[QuerySet], list], schema: type
) -> HttpResponse:
    """One page of ``queryset`` as ``rows`` builds it, with the total count, as ``schema``.

    The count is read only when the page does not tell it: a page shorter than the limit
    ends the list (unless it is empty past the end, where the total is unknown).
    """
    items = rows(queryset[page.offset : page.offset + page.limit])
    if len(items) < page.limit and (items or page.offset == 0):
        count = page.offset + len(items)
    else:
        count = queryset.count()
    return json_response(schema, {"items": items, "count": count})


# --- the organization in the path -------------------------------------------------------


def resolve_viewer(request, slug: str) -> Person:
    """The token user's active membership in the organization ``slug``, in one query.

    No such organization, not a member, or a token limited to another organization:
    all three answer the same 404. The token's user is already known to be active.
    """
    token = request.auth
    if not isinstance(slug, str) or not ORG_SLUG.match(slug):
        raise NotFound()
    with scopes_disabled():
        memberships = Person.objects.select_related("organization").filter(
            user_id=token.user_id, organization__slug=slug, is_active=True
        )
        if token.organization_id is not None:
            memberships = memberships.filter(organization_id=token.organization_id)
        person = next(iter(memberships.order_by()[:1]), None)
    if person is None:
        raise NotFound()
    person.user = token.user
    return person


def _in_org(run: Callable) -> Callable:
    """Resolve the organization before anything else is read from the request, and keep its
    scope open until the response is rendered.

    An outsider gets the same 404 whatever the body or query holds.
    """

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        token = TokenAuth()(request)
        if token is None:
            return run(request, *args, **kwargs)  # answers 401
        request.auth = token
        try:
            viewer = resolve_viewer(request, kwargs.get("org"))
        except NotFound as exc:
            return JsonResponse(error_body(exc.message), status=404)
        request.viewer = viewer
        request.org = viewer.organization
        with org_scope(viewer.organization_id):
            return run(request, *args, **kwargs)

    return wrapper


def org_operation(func: Callable) -> Callable:
    """Run the handler as ``request.viewer`` inside the scope of the organization in the path."""
    decorate_view(_in_org)(func)
    return func


# --- versions (ETag / If-Match) ---------------------------------------------------------

_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,18})"\s*$')


def set_etag(response, obj) -> None:
    response["ETag"] = obj.etag


def expected_version(request, body_version: int | None) -> tuple[int, bool]:
    """The version a change is based on, and whether it came from If-Match.

    If-Match wins when both are sent, but they must agree.
    """
    header = request.headers.get("If-Match")
    if header is not None:
        match = _ETAG.match(header)
        if match is None:
            raise PreconditionFailed(
                'If-Match must carry one ETag from this API, like W/"3"; got ' + repr(header[:40])
            )
        version = int(match.group(1))
        if body_version is not None and body_version != version:
            raise ValidationError(
                {"version": [f"The body says version {body_version}, If-Match says {version}."]}
            )
        return version, True
    if body_version is not None:
        return body_version, False
    raise PreconditionRequired(
        "Send the version this change is based on: an If-Match header with the ETag you "
        'received (W/"<version>"), or a "version" field in the body.'
    )


@contextmanager
def stale_check(what: str, version: int, from_header: bool) -> Iterator[None]:
    """Turn a stale-version refusal into 412 (If-Match) or 409 (body version), clearly worded."""
    try:
        yield
    except Conflict as exc:
        if exc.current_version is None:
            raise
        message = (
            f"This {what} has changed since version {version}; it is now at version "
            f"{exc.current_version}. Fetch it again and reapply your change."
        )
        if from_header:
            raise PreconditionFailed(message) from None
        raise Conflict(message, current_version=exc.current_version) from None


def check_version(obj: Any, version: int) -> None:
    if obj.version != version:
        raise Conflict(current_version=obj.version)


def reference(access: Callable, viewer: Person, value: int | None, field: str):
    """The object a body refers to by id; another organization's is "not found" (422)."""
    if value is None:
        return None
    try:
        return access(viewer, value)
    except NotFound:
        raise ValidationError({field: ["Not found."]}) from None
