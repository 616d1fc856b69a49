from __future__ import annotations

import re

from django.conf import settings
from django.db import models

from leados.core.models.base import tenant_manager


class Edge(models.TextChoices):
    """Through which door a change came in."""

    WEB = "web", "Web"
    API = "api", "API"
    CLI = "cli", "Command line"
    IMPORT = "import", "Import"
    SYSTEM = "system", "System"


class HistoryAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    ARCHIVE = "archive", "Archived"
    UNARCHIVE = "unarchive", "Unarchived"
    DELETE = "delete", "Deleted"
    RESTORE = "restore", "Restored"


class SnapshotKey(models.Func):
    """The text of one top-level key of a history entry's snapshot (``None`` when absent).

    The key is written into the SQL rather than passed as a parameter, so that a query
    reads exactly like the index on it and both databases can use that index.
    """

    output_field = models.TextField()

    def __init__(self, key: str, **extra):
        if not re.fullmatch(r"[a-z_]+", key):
            raise ValueError(f"{key!r} is not a snapshot key.")
        self.key = key
        super().__init__(models.F("snapshot"), **extra)

    def as_sql(self, compiler, connection, **extra):
        snapshot, params = compiler.compile(self.source_expressions[0])
        return f"CAST(JSON_EXTRACT({snapshot}, '$.{self.key}') AS TEXT)", params

    def as_postgresql(self, compiler, connection, **extra):
        snapshot, params = compiler.compile(self.source_expressions[0])
        return f"({snapshot} ->> '{self.key}')", params


class HistoryEntry(models.Model):
    """One recorded change to a tenant-owned object, with a snapshot of it afterwards.

    Written by services in the same transaction as the change, bulk changes included.
    """

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="+"
    )
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200)
    object_version = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=HistoryAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    edge = models.CharField(max_length=10, choices=Edge.choices)
    changes = models.JSONField(default=dict)
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["organization", "object_type", "object_id", "-id"]),
            models.Index(fields=["organization", "-id"]),
            # Role changes on one person or unit (their pages' history).
            models.Index(
                models.F("organization"),
                SnapshotKey("person_id"),
                condition=models.Q(object_type="roleassignment"),
                name="history_snapshot_person",
            ),
            models.Index(
                models.F("organization"),
                SnapshotKey("unit_id"),
                condition=models.Q(object_type="roleassignment"),
                name="history_snapshot_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.object_repr}"
