from __future__ import annotations

from django.conf import settings
from django.db import models

from leados.core.models.base import TenantModel, tenant_manager
from leados.core.models.organizations import OrgRole


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(TenantModel):
    """An invitation by email to join an organization; only the key's digest is stored."""

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=OrgRole.choices, default=OrgRole.MEMBER)
    title = models.CharField(max_length=120, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The link's key is an HMAC of the nonce under the secret key: the database alone
    # cannot produce a working link. ``digest`` finds the invitation from a link.
    nonce = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager(InvitationQuerySet)

    # Secrets of the link stay out of the history that every member can read.
    HISTORY_EXCLUDE = ("nonce", "digest")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"
