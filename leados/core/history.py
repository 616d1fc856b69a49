"""Recording and reading the history of tenant-owned objects."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable

from django.db import connections, models, router
from django.utils import timezone

from leados.core import context
from leados.core.models.history import HistoryEntry

# Fields that describe bookkeeping, not content: left out of "what changed".
_BOOKKEEPING = {"version", "created_at", "updated_at", "organization"}
BATCH = 500  # history entries a statement


def object_type_of(obj: models.Model) -> str:
    return obj._meta.model_name


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(obj: models.Model) -> dict:
    """The stored field values of ``obj`` as JSON-ready data (foreign keys as ids)."""
    hidden = _BOOKKEEPING | set(getattr(obj, "HISTORY_EXCLUDE", ()))
    return {
        field.attname: _jsonable(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if field.name not in hidden
    }


def diff(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if key != "id" and before.get(key) != value
    }


def _entry(obj: models.Model, action: str, changes: dict, ctx, now) -> HistoryEntry:
    org_id = obj.pk if obj._meta.label == "core.Organization" else obj.organization_id
    return HistoryEntry(
        organization_id=org_id,
        object_type=object_type_of(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        object_version=getattr(obj, "version", 1),
        action=action,
        actor_id=ctx.actor_id,
        actor_label=ctx.actor_label[:254],
        edge=ctx.edge,
        changes=changes,
        snapshot=snapshot(obj),
        created_at=now,
    )


def history_record(obj: models.Model, *, action: str, changes: dict | None = None) -> HistoryEntry:
    """Record one change to ``obj``; call inside the transaction that made it."""
    entry = _entry(obj, action, changes or {}, context.current(), timezone.now())
    entry.save()
    return entry


def history_record_each(changes: Iterable[tuple[models.Model, str, dict]]) -> int:
    """Record several changes, each ``(obj, action, changes)``, in one insert; call inside
    the transaction that made them."""
    ctx, now = context.current(), timezone.now()
    entries = [_entry(obj, action, change, ctx, now) for obj, action, change in changes]
    return _insert(entries)


def history_record_many(
    objs: Iterable[models.Model], *, action: str, changes: Iterable[dict] | None = None
) -> int:
    """Record a bulk change in one insert; ``changes`` pairs up with ``objs`` when given."""
    ctx, now = context.current(), timezone.now()
    objs = list(objs)
    change_list = list(changes) if changes is not None else [{} for _ in objs]
    entries = [_entry(o, action, c, ctx, now) for o, c in zip(objs, change_list, strict=True)]
    return _insert(entries)


def _insert(entries: list[HistoryEntry]) -> int:
    """Insert ``entries`` as ``bulk_create`` would, less the per-object work it does for
    features history has no use for (ids handed back, signals-free defaults, field
    checks): one multi-row INSERT per batch of values prepared by each field itself.
    History is written on every change, so this is on the path of every save."""
    if not entries:
        return 0
    connection = connections[router.db_for_write(HistoryEntry)]
    fields = [field for field in HistoryEntry._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    size = max(1, min(BATCH, connection.ops.bulk_batch_size(fields, entries)))
    with connection.cursor() as cursor:
        for start in range(0, len(entries), size):
            batch = entries[start : start + size]
            params = [
                field.get_db_prep_save(getattr(entry, field.attname), connection)
                for entry in batch
                for field in fields
            ]
            cursor.execute(
                f"INSERT INTO {quote(HistoryEntry._meta.db_table)} ({columns})"  # noqa: S608
                f" VALUES {', '.join([row] * len(batch))}",
                params,
            )
    return len(entries)
