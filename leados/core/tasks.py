"""Background tasks: take ids, re-fetch, call a service or send; safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from leados.core.models import Invitation
from leados.core.tenancy import org_scope


def absolute_url(path: str) -> str:
    base = settings.LEADOS_BASE_URL.rstrip("/") or "http://localhost:8000"
    return base + path


@task()
def send_invitation_email(organization_id: int, invitation_id: int) -> bool:
    """Email the invitation's link; does nothing for one already used or revoked."""
    from leados.core.services.invitations import invitation_key

    with org_scope(organization_id):
        invitation = (
            Invitation.objects.pending()
            .select_related("organization", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            return False
        context = {
            "invitation": invitation,
            "organization": invitation.organization,
            "inviter": invitation.invited_by.display_name if invitation.invited_by else "LeadOS",
            "url": absolute_url(reverse("invitation_accept", args=[invitation_key(invitation)])),
        }
        subject = f"Join {invitation.organization.name} on LeadOS"
        body = render_to_string("core/email/invitation.txt", context)
        send_mail(subject, body, None, [invitation.email])
    return True
