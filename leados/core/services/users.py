from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from leados.core.models import User


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": [f"{email or 'An empty value'!r} is not a valid email address."]}
        ) from None
    return email


@transaction.atomic
def user_create(*, email: str, password: str | None = None, name: str = "") -> User:
    """Create a user who signs in with ``email``; without a password they cannot sign in yet."""
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [f"A user with the email {email} already exists."]})
    user = User(email=email, name=(name or "").strip())
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str) -> None:
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
