"""Shared steps of update services: version check, validation, save, history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from leados.core.errors import Conflict
from leados.core.history import diff, history_record, snapshot
from leados.core.models import HistoryAction


def lock(obj: models.Model, *related: str) -> models.Model:
    """Re-read ``obj`` under a row lock (SQLite: the IMMEDIATE transaction already serializes),
    with the ``related`` objects it points to read in the same query (and not locked)."""
    manager = type(obj)._base_manager
    if related:
        return manager.select_for_update(of=("self",)).select_related(*related).get(pk=obj.pk)
    return manager.select_for_update().get(pk=obj.pk)


def check_version(obj: models.Model, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != obj.version:
        raise Conflict(current_version=obj.version)


def apply_changes(
    obj: models.Model,
    fields: dict,
    *,
    expected_version: int | None,
    action: str = HistoryAction.UPDATE,
    exclude: list[str] | None = None,
) -> dict:
    """Set ``fields`` on the locked ``obj``, validate, save with a new version, record history.

    Returns the changes (field: [old, new]); nothing is saved when nothing changed.
    Call inside a transaction with ``obj`` freshly locked.
    """
    check_version(obj, expected_version)
    before = snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean(exclude=exclude)
    changes = diff(before, snapshot(obj))
    if not changes and action == HistoryAction.UPDATE:
        return {}
    obj.version += 1
    obj.save()
    history_record(obj, action=action, changes=changes)
    return changes


def field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def bulk_set(queryset: models.QuerySet, fields: dict, *, action: str = HistoryAction.UPDATE) -> int:
    """Set ``fields`` on every object of ``queryset``, each with a new version and history."""
    from django.db.models import F

    from leados.core.history import history_record_many

    objs = list(queryset.select_for_update())
    if not objs:
        return 0
    befores = [snapshot(o) for o in objs]
    type(objs[0])._base_manager.filter(pk__in=[o.pk for o in objs]).update(
        version=F("version") + 1, **fields
    )
    for obj in objs:
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.version += 1
    history_record_many(
        objs,
        action=action,
        changes=[diff(b, snapshot(o)) for b, o in zip(befores, objs, strict=True)],
    )
    return len(objs)
