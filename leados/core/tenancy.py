"""Activating an organization's scope. Every tenant query runs inside one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django_scopes import scope, scopes_disabled

__all__ = ["org_scope", "scopes_disabled"]


@contextmanager
def org_scope(organization) -> Iterator[None]:
    """Scope tenant queries in the block to one organization (an Organization or its id)."""
    org_id = getattr(organization, "pk", organization)
    if not isinstance(org_id, int):
        raise ValueError("org_scope needs a saved organization.")
    with scope(organization=org_id):
        yield
