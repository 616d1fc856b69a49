from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from leados.core.models.base import TenantModel, tenant_manager

SLUG_VALIDATOR = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1 to 50 lowercase letters, digits and hyphens, not starting or ending with a hyphen.",
)

# The main terms whose display words an organization may change.
TERMS = {
    "unit": ("Unit", "Units"),
    "goal": ("Goal", "Goals"),
    "commitment": ("Commitment", "Commitments"),
    "measurable": ("Measurable", "Measurables"),
    "sop": ("Leadership SOP", "Leadership SOPs"),
    "person": ("Person", "People"),
}

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
MONTHS = [
    (1, "January"),
    (2, "February"),
    (3, "March"),
    (4, "April"),
    (5, "May"),
    (6, "June"),
    (7, "July"),
    (8, "August"),
    (9, "September"),
    (10, "October"),
    (11, "November"),
    (12, "December"),
]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Berlin).")


def validate_terminology(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError("Display words must be an object of term to [singular, plural].")
    for key, words in value.items():
        if key not in TERMS:
            raise ValidationError(f"{key!r} is not a term that can be renamed.")
        if (
            not isinstance(words, list | tuple)
            or len(words) != 2
            or not all(isinstance(w, str) and 0 < len(w.strip()) <= 40 for w in words)
        ):
            raise ValidationError(f"Display words for {key!r} must be [singular, plural].")


# How often goals at each level expect a check-in, in days; an organization may change them.
CHECK_IN_DAYS = {
    "strategy": 30,
    "functional_team": 14,
    "process": 7,
    "project": 7,
    "self": 7,
}
CHECK_IN_DAYS_MAX = 92


def validate_check_in_days(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError("Check-in rhythm must be an object of level to a number of days.")
    for key, days in value.items():
        if key not in CHECK_IN_DAYS:
            raise ValidationError(f"{key!r} is not a level.")
        if (
            isinstance(days, bool)
            or not isinstance(days, int)
            or not 1 <= days <= CHECK_IN_DAYS_MAX
        ):
            raise ValidationError(
                f"The check-in rhythm for {key!r} must be 1 to {CHECK_IN_DAYS_MAX} days."
            )


# The share of a leader's week (per cent) meant for leading, by the highest level they
# lead at; below it three weeks running is a drift into doing.
LEADING_TARGETS = {
    "strategy": 80,
    "functional_team": 70,
    "process": 60,
    "project": 50,
}


def validate_leading_targets(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError("Leading targets must be an object of level to a percentage.")
    for key, share in value.items():
        if key not in LEADING_TARGETS:
            raise ValidationError(f"{key!r} is not a leader level.")
        if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100:
            raise ValidationError(f"The leading target for {key!r} must be 0 to 100 per cent.")


class Organization(models.Model):
    """A tenant. Everything else belongs to exactly one organization."""

    name = models.CharField(max_length=120)
    slug = models.CharField(max_length=50, unique=True, validators=[SLUG_VALIDATOR])
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1, choices=MONTHS, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    week_start_day = models.PositiveSmallIntegerField(
        default=0, choices=WEEKDAYS, validators=[MaxValueValidator(6)]
    )
    terminology = models.JSONField(default=dict, blank=True, validators=[validate_terminology])
    check_in_days = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_check_in_days],
        help_text="Days between expected goal check-ins, per level; missing levels use defaults.",
    )
    leading_targets = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_leading_targets],
        help_text="Per cent of a leader's week meant for leading, per level; missing levels "
        "use defaults.",
    )
    mfa_required = models.BooleanField(
        default=False,
        help_text="Everyone must set up an authenticator app to use this organization.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def etag(self) -> str:
        return f'W/"{self.version}"'

    def check_in_rhythm(self) -> dict[str, int]:
        """Days between expected check-ins for every level."""
        return {**CHECK_IN_DAYS, **(self.check_in_days or {})}

    def leading_target(self) -> dict[str, int]:
        """The share of the week meant for leading at every leader level."""
        return {**LEADING_TARGETS, **(self.leading_targets or {})}

    def word(self, term: str, plural: bool = False) -> str:
        words = self.terminology.get(term) or TERMS[term]
        return words[1] if plural else words[0]


class OrgRole(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    COACH = "coach", "Coach"
    VIEWER = "viewer", "Viewer"


# Search text this long or longer can use the trigram indexes on PostgreSQL.
INDEXED_SEARCH_MIN = 3


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def search(self, text: str):
        """People whose name, email or title contains ``text``, in any case.

        From three characters on, the name/title and the email matches are each a
        subquery of their own table, so that PostgreSQL can answer them from trigram
        indexes (migration 0003); shorter text matches row by row, which suits a broad
        match that a capped count or a page stops reading early."""
        text = (text or "").strip()
        if not text:
            return self
        if len(text) < INDEXED_SEARCH_MIN:
            return self.filter(
                models.Q(name__icontains=text)
                | models.Q(title__icontains=text)
                | models.Q(user__email__icontains=text)
            )
        from leados.core.models.users import User

        by_name_or_title = Person.objects.filter(
            models.Q(name__icontains=text) | models.Q(title__icontains=text)
        ).values("pk")
        by_email = User.objects.filter(email__icontains=text).values("pk")
        return self.filter(models.Q(pk__in=by_name_or_title) | models.Q(user_id__in=by_email))

    def with_user(self):
        return self.select_related("user", "manager__user")


class Person(TenantModel):
    """A user's membership in one organization."""

    user = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="memberships")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=10, choices=OrgRole.choices, default=OrgRole.MEMBER)
    title = models.CharField(max_length=120, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager(PersonQuerySet)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="person_unique_user"),
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("id")), name="person_not_own_manager"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "is_active"]),
            models.Index(fields=["organization", "name"]),
            models.Index(fields=["organization", "manager"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def email(self) -> str:
        return self.user.email
