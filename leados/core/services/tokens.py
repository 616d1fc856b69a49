from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from leados.core.models import ApiToken, Organization, Person, User
from leados.core.services._common import field_error

TOKEN_PREFIX = "lds_"  # noqa: S105 - a public prefix, not a secret
# Writing last use at most this often keeps authenticated reads free of writes.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str, organization: Organization | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored or shown again."""
    name = (name or "").strip()
    if not name:
        raise field_error("name", "Give the token a name that says where it is used.")
    if len(name) > 80:
        raise field_error("name", "Use at most 80 characters.")
    if organization is not None:
        is_member = (
            Person.objects.with_scopes_disabled()
            .filter(user=user, organization=organization, is_active=True)
            .exists()
        )
        if not is_member:
            raise field_error("organization", "You are not a member of this organization.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        organization=organization,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        digest=token_digest(raw),
        session_epoch=user.session_epoch,
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token for the secret ``raw`` (its user active, not ended), or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    matches = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True)
        .order_by()[:1]
    )
    token = next(iter(matches), None)
    if token is None or not token.user.is_active:
        return None
    if token.session_epoch != token.user.session_epoch:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
