"""Small helpers for the web page tests."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from leados.core.models import HistoryEntry


def history_count() -> int:
    with scopes_disabled():
        return HistoryEntry.objects.count()


def queries_for(client, url: str, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def text(response) -> str:
    return response.content.decode()
