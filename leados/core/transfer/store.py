"""The uploaded file between preview and apply: parsed, kept server-side per user and
organization in the default file storage (the data directory unless configured)."""

from __future__ import annotations

import datetime
import hashlib
import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from leados.core.transfer.reader import ParsedFile

PENDING_FOR = datetime.timedelta(hours=24)


def _path(organization_id: int, user_id: int) -> str:
    return f"imports/{int(organization_id)}/{int(user_id)}.json"


def pending_save(*, organization_id: int, user_id: int, parsed: ParsedFile) -> str:
    """Keep ``parsed`` for this user in this organization (replacing an earlier upload);
    returns the digest that names this upload."""
    body = json.dumps(parsed.as_dict(), ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(body.encode()).hexdigest()
    record = {"saved_at": timezone.now().isoformat(), "digest": digest, "file": parsed.as_dict()}
    path = _path(organization_id, user_id)
    default_storage.delete(path)
    default_storage.save(path, ContentFile(json.dumps(record, ensure_ascii=False).encode()))
    return digest


def pending_load(*, organization_id: int, user_id: int) -> tuple[ParsedFile, str] | None:
    """The upload kept for this user in this organization and its digest, or None."""
    path = _path(organization_id, user_id)
    if not default_storage.exists(path):
        return None
    try:
        with default_storage.open(path, "rb") as handle:
            record = json.loads(handle.read().decode())
        saved_at = datetime.datetime.fromisoformat(record["saved_at"])
        parsed = ParsedFile.from_dict(record["file"])
    except (OSError, ValueError, KeyError, TypeError):
        default_storage.delete(path)
        return None
    if timezone.now() - saved_at > PENDING_FOR:
        default_storage.delete(path)
        return None
    return parsed, record["digest"]


def pending_discard(*, organization_id: int, user_id: int) -> None:
    default_storage.delete(_path(organization_id, user_id))
