"""django-allauth adapters: sign-up happens only through an invitation."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from leados.core.errors import NotFound

SESSION_INVITATION_KEY = "leados_invitation_key"


def pending_invitation(request):
    from leados.core.services import invitation_lookup

    raw = request.session.get(SESSION_INVITATION_KEY)
    if not raw:
        return None
    try:
        return invitation_lookup(raw)
    except NotFound:
        return None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return (
            getattr(settings, "LEADOS_OPEN_SIGNUP", False)
            or pending_invitation(request) is not None
        )

    def get_login_redirect_url(self, request):
        from leados.core.services import invitation_accept

        raw = request.session.pop(SESSION_INVITATION_KEY, None)
        if raw:
            try:
                person = invitation_accept(raw_key=raw, user=request.user)
            except Exception:  # noqa: BLE001 - a wrong or used invitation must not block sign-in
                person = None
            if person is not None:
                from django.urls import reverse

                return reverse("web:my_week", args=[person.organization.slug])
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return self.get_login_redirect_url(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return getattr(settings, "LEADOS_OIDC_AUTO_SIGNUP", False) or (
            pending_invitation(request) is not None
        )
