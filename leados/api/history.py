"""History: every recorded change, and restoring a person or unit to a recorded version."""

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    AwareDateTime,
    Id,
    Input,
    PageParams,
    Text,
    expected_version,
    org_operation,
    paginate,
    set_etag,
    stale_check,
)
from leados.api.rows import history_rows, one, person_rows, unit_rows
from leados.api.schemas import HistoryList, HistoryOut, PersonOut, UnitOut
from leados.core import policy
from leados.core.access import get_history_entry_for, get_person_for, get_unit_for
from leados.core.errors import NotFound
from leados.core.models import HistoryAction, HistoryEntry, Person, Unit
from leados.core.models.history import Edge
from leados.core.services import history_restore

router = Router(tags=["history"])


class HistoryFilters(Schema):
    object_type: Text(40) | None = Field(None, description="person, unit, roleassignment, …")
    object_id: Id | None = None
    edge: Edge | None = None
    action: HistoryAction | None = None
    actor: Id | None = Field(None, description="The user id of who made the change.")
    since: AwareDateTime | None = Field(None, description="Only changes at or after this time.")


class RestoreInput(Input):
    version: int | None = Field(
        None, description="The current version of the person or unit (instead of If-Match)."
    )


@router.get(
    "/{org}/history",
    response={200: HistoryList, **ERRORS},
    summary="List recorded changes",
    description="Newest first.",
)
@org_operation
def list_history(request, org: str, page: Query[PageParams], filters: Query[HistoryFilters]):
    entries = HistoryEntry.objects.order_by("-id")
    for name in ("object_type", "object_id", "edge", "action"):
        value = getattr(filters, name)
        if value is not None:
            entries = entries.filter(**{name: value})
    if filters.actor is not None:
        entries = entries.filter(actor_id=filters.actor)
    if filters.since is not None:
        entries = entries.filter(created_at__gte=filters.since)
    return paginate(entries, page, history_rows, HistoryList)


@router.get(
    "/{org}/history/{entry_id}", response={200: HistoryOut, **ERRORS}, summary="A recorded change"
)
@org_operation
def get_history_entry(request, org: str, entry_id: int):
    entry = get_history_entry_for(request.viewer, entry_id)
    return one(history_rows, HistoryEntry.objects.filter(pk=entry.pk))


@router.post(
    "/{org}/history/{entry_id}/restore",
    response={200: PersonOut | UnitOut, **WRITE_ERRORS},
    summary="Restore a person or unit to this recorded version",
    description="Applies the recorded version as a new change (history keeps both). Send the "
    "person's or unit's current ETag in If-Match (or its version in the body).",
)
@org_operation
def restore_history_entry(
    request,
    org: str,
    entry_id: int,
    response: HttpResponse,
    payload: RestoreInput | None = None,
):
    viewer = request.viewer
    entry = get_history_entry_for(viewer, entry_id)
    version, from_header = expected_version(request, payload.version if payload else None)
    if entry.object_type == "person":
        target = _target(get_person_for, viewer, entry.object_id)
    elif entry.object_type == "unit":
        target = _target(get_unit_for, viewer, entry.object_id)
    else:
        target = None
    policy.require(viewer, policy.HISTORY_RESTORE, target)
    with stale_check(entry.object_type, version, from_header):
        restored = history_restore(entry=entry, expected_version=version, by=viewer)
    set_etag(response, restored)
    if entry.object_type == "person":
        return one(person_rows, Person.objects.filter(pk=restored.pk))
    return one(unit_rows, Unit.objects.filter(pk=restored.pk))


def _target(access, viewer, object_id):
    try:
        return access(viewer, object_id)
    except NotFound:
        raise NotFound("The object of this change no longer exists.") from None
