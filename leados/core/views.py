"""Sign-in pages of our own: accepting an invitation and the account overview."""

from __future__ import annotations

from allauth.account.forms import LoginForm
from allauth.account.utils import perform_login
from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_scopes import scopes_disabled

from leados.core import services
from leados.core.adapters import SESSION_INVITATION_KEY
from leados.core.errors import NotFound
from leados.core.models import Person, User


class InvitationSignupForm(forms.Form):
    """Name and password for someone who joins through an invitation."""

    name = forms.CharField(
        label="Your name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=(
            "At least 10 characters; not a common password, not only digits, and not "
            "like your name or email address."
        ),
    )
    password2 = forms.CharField(
        label="Repeat the password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("Enter your name as your colleagues know it.")
        return name

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ. Type the same one twice.")
        elif password1:
            candidate = User(email=self.email, name=cleaned.get("name", ""))
            try:
                validate_password(password1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


def _invalid(request, message: str):
    request.session.pop(SESSION_INVITATION_KEY, None)
    return render(request, "core/invitation_invalid.html", {"message": message}, status=404)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, key: str):
    """The link in an invitation email: join the organization, with or without an account."""
    try:
        invitation = services.invitation_lookup(key)
    except NotFound as exc:
        return _invalid(request, exc.message)
    organization = invitation.organization
    context = {"invitation": invitation, "organization": organization}
    user = request.user

    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return render(request, "core/invitation.html", {**context, "state": "other_user"})
        if request.method == "POST":
            try:
                services.invitation_accept(raw_key=key, user=user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return render(request, "core/invitation.html", {**context, "state": "join"})
            except NotFound as exc:
                return _invalid(request, exc.message)
            request.session.pop(SESSION_INVITATION_KEY, None)
            messages.success(request, f"Welcome to {organization.name}.")
            return redirect("web:my_week", organization.slug)
        return render(request, "core/invitation.html", {**context, "state": "join"})

    # Signing in (with a password or single sign-on) from here accepts the invitation.
    request.session[SESSION_INVITATION_KEY] = key
    if User.objects.filter(email__iexact=invitation.email).exists():
        login_form = LoginForm(initial={"login": invitation.email}, request=request)
        return render(
            request,
            "core/invitation.html",
            {**context, "state": "sign_in", "form": login_form},
        )

    form = InvitationSignupForm(
        request.POST if request.method == "POST" else None,
        email=invitation.email,
        initial={"name": invitation.name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                new_user = services.user_create(
                    email=invitation.email,
                    password=form.cleaned_data["password1"],
                    name=form.cleaned_data["name"],
                )
                services.invitation_accept(raw_key=key, user=new_user)
        except ValidationError as exc:
            _add_errors(form, exc)
        except NotFound as exc:
            return _invalid(request, exc.message)
        else:
            request.session.pop(SESSION_INVITATION_KEY, None)
            messages.success(request, f"Welcome to {organization.name}.")
            return perform_login(
                request,
                new_user,
                redirect_url=reverse("web:my_week", args=[organization.slug]),
                signup=True,
                email=new_user.email,
            )
    return render(request, "core/invitation.html", {**context, "state": "sign_up", "form": form})


def _duration(seconds: int) -> str:
    minutes = seconds // 60
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"


@require_GET
@login_required
def account_overview(request):
    """What protects the account: password, two-factor, single sign-on, sessions."""
    user = request.user
    with scopes_disabled():
        memberships = list(
            Person.objects.filter(user=user, is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )
    has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return render(
        request,
        "core/account_overview.html",
        {
            "account_memberships": memberships,
            "mfa_required_by": [m.organization for m in memberships if m.organization.mfa_required],
            "has_totp": has_totp,
            "has_password": user.has_usable_password(),
            "idle_limit": _duration(settings.SESSION_IDLE_SECONDS),
            "absolute_limit": _duration(settings.SESSION_ABSOLUTE_SECONDS),
        },
    )
