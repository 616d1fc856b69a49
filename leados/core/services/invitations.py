from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_scopes import scopes_disabled

from leados.core.errors import NotFound
from leados.core.history import history_record
from leados.core.models import HistoryAction, Invitation, Organization, OrgRole, Person, User
from leados.core.services._common import apply_changes, bulk_set, field_error
from leados.core.services.people import person_add
from leados.core.services.users import normalize_email

INVITATION_LIFETIME = datetime.timedelta(days=14)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invitation_key(invitation: Invitation) -> str:
    """The secret key in the invitation's link."""
    return salted_hmac("leados.invitation", invitation.nonce, algorithm="sha256").hexdigest()


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    email: str,
    role: str = OrgRole.MEMBER,
    name: str = "",
    title: str = "",
    invited_by: User | None = None,
) -> tuple[Invitation, str]:
    """Invite ``email`` to the organization and queue the email; returns the secret key.

    Inviting the same address again replaces the pending invitation with a fresh one.
    """
    email = normalize_email(email)
    if role not in OrgRole.values:
        raise field_error("role", f"{role!r} is not a role.")
    if role == OrgRole.OWNER:
        raise field_error("role", "Invite as admin, then transfer ownership once they have joined.")
    if Person.objects.filter(user__email__iexact=email, is_active=True).exists():
        raise field_error("email", f"{email} is already a member of {organization.name}.")
    now = timezone.now()
    bulk_set(
        Invitation.objects.pending().filter(email__iexact=email),
        {"revoked_at": now},
        action=HistoryAction.UPDATE,
    )
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        name=(name or "").strip(),
        title=(title or "").strip(),
        invited_by=invited_by,
        nonce=secrets.token_hex(32),
        expires_at=now + INVITATION_LIFETIME,
    )
    raw = invitation_key(invitation)
    invitation.digest = _digest(raw)
    invitation.full_clean()
    invitation.save()
    history_record(invitation, action=HistoryAction.CREATE)
    from leados.core.tasks import send_invitation_email

    # robust: a queue that is down must not turn a saved invitation into an error page;
    # the pending list offers "Resend".
    transaction.on_commit(
        lambda: send_invitation_email.enqueue(invitation.organization_id, invitation.pk),
        robust=True,
    )
    return invitation, raw


def invitation_lookup(raw_key: str) -> Invitation:
    """The pending, unexpired invitation for ``raw_key``, across organizations."""
    if not raw_key or len(raw_key) > 100:
        raise NotFound("This invitation link is not valid.")
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("organization")
            .filter(digest=_digest(raw_key))
            .first()
        )
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        raise NotFound("This invitation has already been used. Sign in instead.")
    if invitation.expires_at < timezone.now():
        raise NotFound("This invitation has expired. Ask for a new one.")
    return invitation


@transaction.atomic
def invitation_accept(*, raw_key: str, user: User) -> Person:
    """Accept an invitation as ``user`` (whose email must match) and join the organization."""
    invitation = invitation_lookup(raw_key)
    if user.email.lower() != invitation.email.lower():
        raise field_error(
            "email",
            f"This invitation is for {invitation.email}; you are signed in as {user.email}.",
        )
    from leados.core.tenancy import org_scope

    with org_scope(invitation.organization):
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        person = person_add(
            organization=invitation.organization,
            user=user,
            role=invitation.role,
            name=invitation.name or user.name,
            title=invitation.title,
        )
        apply_changes(invitation, {"accepted_at": timezone.now()}, expected_version=None)
    return person


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        apply_changes(invitation, {"revoked_at": timezone.now()}, expected_version=None)
    return invitation
