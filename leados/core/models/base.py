"""The base of every tenant-owned model: an organization and a scoped manager.

Queries on a tenant model fail with ``ScopeError`` unless an organization scope is
active (``leados.core.tenancy.org_scope``): an unscoped query is an error, not a leak.
"""

from __future__ import annotations

from django.db import models
from django_scopes import ScopedManager


def tenant_manager(queryset_class: type[models.QuerySet] = models.QuerySet):
    return ScopedManager(
        _manager_class=models.Manager.from_queryset(queryset_class), organization="organization"
    )


class TenantModel(models.Model):
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = tenant_manager()

    class Meta:
        abstract = True

    @property
    def etag(self) -> str:
        return f'W/"{self.version}"'
