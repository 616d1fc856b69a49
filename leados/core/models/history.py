from __future__ import annotations

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
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.object_repr}"
