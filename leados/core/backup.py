"""Backup and restore: an exact round trip of the database (or of one organization).

A backup is a zip archive:

- ``manifest.json``: format version, LeadOS version, when, scope, applied migrations and
  the row count of every table;
- ``tables/<app_label>.<model>.jsonl``: one JSON object per row, written with Django's
  ``python`` serializer and a JSON encoder that keeps full precision (microseconds).

Restore loads every table into an empty database in one transaction: either every row
comes back with the same ids, values and timestamps, or nothing changes.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from leados.core.db import statistics_refresh

FORMAT = 1
BATCH = 1000
# Rows that ``migrate`` creates on every database; a restore replaces them with the backup's.
MIGRATE_CREATED = {"contenttypes.contenttype", "auth.permission"}


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why."""


@dataclass
class BackupSummary:
    path: Path
    scope: str
    tables: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _encode(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        import base64

        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"{type(value).__name__} cannot be written to a backup.")


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _all_models() -> list[type[models.Model]]:
    """Every concrete table, auto-created many-to-many tables included, parents first."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    ordered: list[type[models.Model]] = []
    seen: set = set()

    def visit(model, stack=()):
        if model in seen or model in stack:
            return
        for f in model._meta.concrete_fields:
            target = f.related_model if f.is_relation and f.many_to_one else None
            if target is not None and target is not model and target in found:
                visit(target, (*stack, model))
        seen.add(model)
        ordered.append(model)

    for model in sorted(found, key=_label):
        visit(model)
    return ordered


def _field_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]


def _org_field(model: type[models.Model]):
    try:
        f = model._meta.get_field("organization")
    except FieldDoesNotExist:
        return None
    return f if f.is_relation and f.related_model._meta.label == "core.Organization" else None


def _org_querysets(organization) -> Iterator[tuple[type[models.Model], models.QuerySet]]:
    """Every row of ``organization``, then the users its rows refer to and their own rows."""
    from leados.core.models import Organization, User

    user_model_fields: dict[type, list] = {}
    org_models = []
    for model in _all_models():
        manager = model._base_manager
        if model is Organization:
            org_models.append((model, manager.filter(pk=organization.pk)))
        elif _org_field(model) is not None:
            org_models.append((model, manager.filter(organization_id=organization.pk)))
        else:
            via = next(
                (
                    f
                    for f in model._meta.concrete_fields
                    if f.is_relation
                    and f.many_to_one
                    and f.related_model is not None
                    and _org_field(f.related_model) is not None
                ),
                None,
            )
            if via is not None:
                org_models.append(
                    (model, manager.filter(**{f"{via.name}__organization_id": organization.pk}))
                )
        user_model_fields[model] = [
            f
            for f in model._meta.concrete_fields
            if f.is_relation and f.many_to_one and f.related_model is User
        ]
    user_ids: set[int] = set()
    for model, qs in org_models:
        for f in user_model_fields[model]:
            user_ids.update(
                v for v in qs.values_list(f.attname, flat=True).distinct() if v is not None
            )
    included = {m for m, _ in org_models}
    yield from ((m, qs) for m, qs in org_models)
    yield User, User._base_manager.filter(pk__in=user_ids)
    included.add(User)
    for model in _all_models():
        if model in included:
            continue
        fields = user_model_fields[model]
        others = [
            f.related_model
            for f in model._meta.concrete_fields
            if f.is_relation and f.many_to_one and f.related_model is not User
        ]
        if not fields or any(m not in included for m in others):
            continue
        # Per-user rows without an organization (email addresses, authenticators, …).
        included.add(model)
        yield model, model._base_manager.filter(**{f"{fields[0].attname}__in": user_ids})


def _whole_querysets() -> Iterator[tuple[type[models.Model], models.QuerySet]]:
    for model in _all_models():
        yield model, model._base_manager.all()


def _applied_migrations(using: str) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def backup_write(path: Path | str, *, organization=None, using: str = DEFAULT_DB_ALIAS):
    """Write a backup of the whole database, or of ``organization`` and the users it refers
    to, to ``path``. Reads in one transaction, so the backup is a consistent snapshot."""
    from leados import __version__

    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    counts: dict[str, int] = {}
    scope = "all" if organization is None else f"org:{organization.slug}"
    stamp = timezone.now().timetuple()[:6]
    with transaction.atomic(using=using):
        querysets = _whole_querysets() if organization is None else _org_querysets(organization)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for model, qs in querysets:
                label = _label(model)
                fields = _field_names(model)
                count = 0
                info = zipfile.ZipInfo(f"tables/{label}.jsonl", date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w") as handle:
                    rows = qs.using(using).order_by("pk").iterator(chunk_size=BATCH)
                    for row in serializers.serialize("python", rows, fields=fields):
                        line = json.dumps(
                            {"pk": row["pk"], "fields": row["fields"]},
                            default=_encode,
                            ensure_ascii=False,
                        )
                        handle.write(line.encode() + b"\n")
                        count += 1
                counts[label] = count
            manifest = {
                "format": FORMAT,
                "leados_version": __version__,
                "created_at": timezone.now().isoformat(),
                "scope": scope,
                "vendor": connections[using].vendor,
                "migrations": _applied_migrations(using),
                "tables": counts,
            }
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    tmp.replace(path)
    return BackupSummary(path=path, scope=scope, tables=counts)


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except KeyError:
        raise BackupError("This file is not a LeadOS backup (it has no manifest.json).") from None
    except ValueError:
        raise BackupError("The backup's manifest.json is damaged.") from None
    fmt = manifest.get("format")
    if not isinstance(fmt, int) or fmt < 1:
        raise BackupError("The backup's manifest.json has no valid format number.")
    if fmt > FORMAT:
        raise BackupError(
            f"This backup was written by a newer LeadOS (backup format {fmt}; this version "
            f"reads up to format {FORMAT}). Upgrade LeadOS, then restore."
        )
    return manifest


def _occupied_tables(using: str) -> list[str]:
    occupied = []
    for model in _all_models():
        if _label(model) in MIGRATE_CREATED:
            continue
        if model._base_manager.using(using).exists():
            occupied.append(model._meta.db_table)
    return occupied


def _rows(archive: zipfile.ZipFile, label: str) -> Iterator[dict]:
    with archive.open(f"tables/{label}.jsonl") as handle:
        for line in handle:
            if line.strip():
                data = json.loads(line)
                yield {"model": label, "pk": data["pk"], "fields": data["fields"]}


def _insert(model: type[models.Model], objs: list[models.Model], using: str) -> None:
    # ``raw`` keeps every stored value as it is (no auto_now, no defaults), as loaddata does.
    fields = model._meta.concrete_fields
    size = max(1, connections[using].ops.bulk_batch_size(fields, objs))
    for start in range(0, len(objs), size):
        model._base_manager.using(using)._insert(
            objs[start : start + size], fields=fields, using=using, raw=True
        )


def backup_restore(path: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    """Load the backup at ``path`` into an empty, migrated database, all or nothing.

    Refuses a database that already holds data, a backup from a newer LeadOS, and a
    backup whose tables this version does not have.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise BackupError(f"{path} is not a LeadOS backup (not a zip archive).") from None
    with archive:
        manifest = _read_manifest(archive)
        known = {_label(m): m for m in _all_models()}
        tables = manifest.get("tables") or {}
        unknown = sorted(set(tables) - set(known))
        if unknown:
            raise BackupError(
                "This backup has tables this version of LeadOS does not know ("
                + ", ".join(unknown)
                + "). Restore it with the LeadOS version that wrote it."
            )
        applied = {tuple(m) for m in _applied_migrations(using)}
        newer = sorted(f"{a}.{n}" for a, n in map(tuple, manifest.get("migrations", [])))
        newer = [m for m in newer if tuple(m.split(".", 1)) not in applied]
        if newer:
            raise BackupError(
                "This backup was made with a newer database schema (migrations "
                + ", ".join(newer[:5])
                + (" …" if len(newer) > 5 else "")
                + " are not applied here). Upgrade LeadOS, then restore."
            )
        counts: dict[str, int] = {}
        with transaction.atomic(using=using):
            occupied = _occupied_tables(using)
            if occupied:
                raise BackupError(
                    "The database is not empty ("
                    + ", ".join(occupied[:5])
                    + (" …" if len(occupied) > 5 else "")
                    + " hold rows). Restore into a new, empty database: point DATABASE_URL "
                    "or LEADOS_DATA_DIR at one."
                )
            ordered = [m for m in _all_models() if _label(m) in tables]
            for model in ordered:
                if _label(model) in MIGRATE_CREATED:
                    model._base_manager.using(using).all().delete()
            for model in ordered:
                label = _label(model)
                batch: list[models.Model] = []
                count = 0
                for item in serializers.deserialize(
                    "python", _rows(archive, label), using=using, ignorenonexistent=False
                ):
                    batch.append(item.object)
                    if len(batch) >= BATCH:
                        _insert(model, batch, using)
                        count += len(batch)
                        batch = []
                if batch:
                    _insert(model, batch, using)
                    count += len(batch)
                if count != tables[label]:
                    raise BackupError(
                        f"The backup is damaged: {label} should have {tables[label]} rows "
                        f"but has {count}."
                    )
                counts[label] = count
            connection = connections[using]
            sql = connection.ops.sequence_reset_sql(no_style(), ordered)
            if sql:
                with connection.cursor() as cursor:
                    for statement in sql:
                        cursor.execute(statement)
            connection.check_constraints()
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
    statistics_refresh(using=using)
    return BackupSummary(path=path, scope=manifest.get("scope", "all"), tables=counts)
