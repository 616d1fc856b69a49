"""django-allauth adapters: sign-up happens only through an invitation."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from leados.core.errors import NotFound

# The invitation a visitor opened (its raw key): signing up or in afterwards accepts it.
SESSION_INVITATION_KEY = "leados_invitation_key"


def pending_invitation(request):
    from leados.core.services import invitation_lookup

    raw = request.session.get(SESSION_INVITATION_KEY) if request is not None else None
    if not raw:
        return None
    try:
        return invitation_lookup(raw)
    except NotFound:
        return None


def accept_pending_invitation(request) -> str | None:
    """Accept the invitation in the session as the signed-in user; its My week, or None."""
    from leados.core.services import invitation_accept

    raw = request.session.pop(SESSION_INVITATION_KEY, None)
    if not raw or not request.user.is_authenticated:
        return None
    try:
        person = invitation_accept(raw_key=raw, user=request.user)
    except (ValidationError, NotFound) as exc:
        # A wrong or used invitation must not block signing in; say why it was not used.
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else exc.message
        messages.warning(request, f"The invitation was not accepted: {text}")
        return None
    messages.success(request, f"Welcome to {person.organization.name}.")
    return reverse("web:my_week", args=[person.organization.slug])


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many failed sign-in attempts. For your safety, signing in is paused for a "
            "few minutes; try again later or reset your password."
        ),
        "email_password_mismatch": "The email address or the password is not right.",
    }

    def is_open_for_signup(self, request):
        return (
            getattr(settings, "LEADOS_OPEN_SIGNUP", False)
            or pending_invitation(request) is not None
        )

    def clean_email(self, email):
        email = super().clean_email(email)
        request = context.request
        if getattr(settings, "LEADOS_OPEN_SIGNUP", False) or request is None:
            return email
        if request.user.is_authenticated:
            return email
        invitation = pending_invitation(request)
        if invitation is not None and invitation.email.lower() != email.lower():
            raise ValidationError(f"This invitation is for {invitation.email}; sign up with it.")
        return email

    def get_login_redirect_url(self, request):
        return accept_pending_invitation(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return self.get_login_redirect_url(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        if getattr(settings, "LEADOS_OIDC_AUTO_SIGNUP", False):
            return True
        invitation = pending_invitation(request)
        email = (sociallogin.user.email or "").lower()
        return invitation is not None and invitation.email.lower() == email
