"""Recording and reading the history of tenant-owned objects."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable

from django.db import connections, models, router
from django.utils import timezone

from leados.core import context
from leados.core.db import db_value, insert_rows
from leados.core.models.history import HistoryEntry

# Fields that describe bookkeeping, not content: left out of "what changed".
_BOOKKEEPING = {"version", "created_at", "updated_at", "organization"}


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


def _entry(
    obj: models.Model, action: str, changes: dict, ctx, now, shot: dict | None = None
) -> dict:
    """The field values (by attribute name) of the history entry of one change."""
    org_id = obj.pk if obj._meta.label == "core.Organization" else obj.organization_id
    return {
        "organization_id": org_id,
        "object_type": object_type_of(obj),
        "object_id": obj.pk,
        "object_repr": str(obj)[:200],
        "object_version": getattr(obj, "version", 1),
        "action": action,
        "actor_id": ctx.actor_id,
        "actor_label": ctx.actor_label[:254],
        "edge": ctx.edge,
        "changes": changes,
        "snapshot": snapshot(obj) if shot is None else shot,
        "created_at": now,
    }


def history_record(obj: models.Model, *, action: str, changes: dict | None = None) -> HistoryEntry:
    """Record one change to ``obj``; call inside the transaction that made it."""
    entry = HistoryEntry(**_entry(obj, action, changes or {}, context.current(), timezone.now()))
    entry.save()
    return entry


def history_record_each(changes: Iterable[tuple[models.Model, str, dict]]) -> int:
    """Record several changes, each ``(obj, action, changes)``, in one insert; call inside
    the transaction that made them."""
    ctx, now = context.current(), timezone.now()
    entries = [_entry(obj, action, change, ctx, now) for obj, action, change in changes]
    return _insert(entries)


def history_record_many(
    objs: Iterable[models.Model],
    *,
    action: str,
    changes: Iterable[dict] | None = None,
    snapshots: Iterable[dict] | None = None,
) -> int:
    """Record a bulk change in one insert; ``changes`` pairs up with ``objs`` when given,
    and so do ``snapshots`` (each object's ``snapshot`` as it now is, when the caller has
    just taken it)."""
    ctx, now = context.current(), timezone.now()
    objs = list(objs)
    change_list = list(changes) if changes is not None else [{} for _ in objs]
    shots = list(snapshots) if snapshots is not None else [None] * len(objs)
    entries = [
        _entry(o, action, c, ctx, now, shot)
        for o, c, shot in zip(objs, change_list, shots, strict=True)
    ]
    return _insert(entries)


def _insert(entries: list[dict]) -> int:
    """Insert ``entries`` (field values by attribute name) as ``bulk_create`` would, less
    the per-object work it does that history has no use for (model instances, ids handed
    back): ``db.insert_rows``. History is written on every change, so this is on the path
    of every save."""
    if not entries:
        return 0
    using = router.db_for_write(HistoryEntry)
    connection = connections[using]
    fields = [field for field in HistoryEntry._meta.concrete_fields if not field.primary_key]
    preparers = [(field.attname, db_value(connection, field)) for field in fields]
    rows = [[prepare(entry[name]) for name, prepare in preparers] for entry in entries]
    insert_rows(HistoryEntry._meta.db_table, [f.column for f in fields], rows, using=using)
    return len(entries)
