"""Forms of the web pages. They parse input only; the services validate and write."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe

from leados.core.models import Edge, Level, OrgRole, Person, UnitRole
from leados.core.models.organizations import (
    CHECK_IN_DAYS,
    CHECK_IN_DAYS_MAX,
    LEADING_TARGETS,
    MONTHS,
    TERMS,
    WEEKDAYS,
)

UNIT_LEVEL_CHOICES = [
    (Level.FUNCTIONAL_TEAM.value, Level.FUNCTIONAL_TEAM.label),
    (Level.PROCESS.value, Level.PROCESS.label),
    (Level.PROJECT.value, Level.PROJECT.label),
]
HISTORY_TYPES = [
    ("", "Everything"),
    ("person", "People"),
    ("unit", "Units"),
    ("roleassignment", "Roles"),
    ("organization", "Settings"),
]


class Form(forms.Form):
    """A form whose labels carry no trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on its field where the form has
    one, otherwise above the form."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            target = field if field in form.fields else None
            form.add_error(target, messages)
    else:
        form.add_error(None, exc.messages)


class VersionForm(Form):
    """The version a change is based on; a stale one is refused by the service."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class PersonField(forms.CharField):
    """A person of the organization, entered by email address (or left empty)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "widget",
            forms.EmailInput(attrs={"list": "people-options", "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            return None
        person = (
            Person.objects.select_related("user")
            .filter(user__email__iexact=value, is_active=True)
            .first()
        )
        if person is None:
            raise ValidationError(f"Nobody active in this organization has the email {value}.")
        return person


def unit_choices(units, *, exclude_ids=()) -> list[tuple[str, str]]:
    return [("", "Choose…")] + [
        (str(u.pk), f"{'— ' * depth}{u.name} ({Level(u.level).label.lower()})")
        for u, depth in units
        if u.pk not in exclude_ids
    ]


class UnitCreateForm(Form):
    parent = forms.TypedChoiceField(coerce=int, label="Belongs to")
    level = forms.ChoiceField(choices=UNIT_LEVEL_CHOICES)
    name = forms.CharField(max_length=120)
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    start_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Projects only."
    )
    end_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Projects only."
    )

    def __init__(self, *args, parent_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = parent_choices


class UnitEditForm(VersionForm):
    name = forms.CharField(max_length=120)
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, is_project: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_project:
            del self.fields["start_date"]
            del self.fields["end_date"]


class UnitRenameForm(VersionForm):
    name = forms.CharField(max_length=120)


class UnitMoveForm(VersionForm):
    parent = forms.TypedChoiceField(coerce=int, label="Move below")

    def __init__(self, *args, parent_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = parent_choices


class RoleAssignForm(Form):
    person = PersonField(label="Person (email)")
    role = forms.ChoiceField(choices=UnitRole.choices)
    replace = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_person(self):
        person = self.cleaned_data["person"]
        if person is None:
            raise ValidationError("Enter the email of the person.")
        return person


class PeopleFilterForm(Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    role = forms.ChoiceField(required=False, choices=[("", "Any role"), *OrgRole.choices])
    status = forms.ChoiceField(
        required=False,
        choices=[("active", "Active"), ("deactivated", "Deactivated"), ("all", "Everyone")],
    )
    manager = forms.ChoiceField(
        required=False, choices=[("", "Any manager"), ("none", "No manager")]
    )


class PersonEditForm(VersionForm):
    name = forms.CharField(max_length=150)
    title = forms.CharField(max_length=120, required=False)
    manager = PersonField(required=False, label="Manager (email)")

    def __init__(self, *args, can_manage: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_manage:
            del self.fields["manager"]


class PersonRoleForm(VersionForm):
    role = forms.ChoiceField(choices=OrgRole.choices, label="Organization role")


class InviteForm(Form):
    email = forms.EmailField(max_length=254)
    name = forms.CharField(max_length=150, required=False)
    title = forms.CharField(max_length=120, required=False)
    role = forms.ChoiceField(
        choices=[(v, label) for v, label in OrgRole.choices if v != OrgRole.OWNER],
        initial=OrgRole.MEMBER,
        label="Organization role",
    )


@cache
def _time_zone_options() -> tuple[tuple[str, str], ...]:
    """Every time zone name with its ``<option>``, escaped once per process."""
    return tuple(
        (tz, f'<option value="{escape(tz)}">{escape(tz)}</option>')
        for tz in sorted(zoneinfo.available_timezones())
    )


@cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(tz for tz, _html in _time_zone_options())


class TimeZoneSelect(forms.Select):
    """The ~600 time zones, written out from a list made once instead of rendering a
    template for each option."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        chosen = str(value or "")
        options = "".join(
            html.replace("<option ", "<option selected ", 1) if tz == chosen else html
            for tz, html in _time_zone_options()
        )
        return mark_safe(f"<select{flatatt(final_attrs)}>{options}</select>")  # noqa: S308


class TimeZoneField(forms.CharField):
    widget = TimeZoneSelect
    default_error_messages = {"invalid_choice": "Choose a time zone from the list."}

    def validate(self, value):
        super().validate(value)
        if value and value not in _time_zone_names():
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class OrganizationSettingsForm(VersionForm):
    name = forms.CharField(max_length=120)
    time_zone = TimeZoneField(max_length=64)
    fiscal_year_start_month = forms.TypedChoiceField(
        coerce=int, choices=MONTHS, label="Fiscal year starts in"
    )
    week_start_day = forms.TypedChoiceField(coerce=int, choices=WEEKDAYS, label="Weeks start on")
    mfa_required = forms.BooleanField(
        required=False,
        label="Require two-factor authentication",
        help_text="Everyone must set up an authenticator app to use this organization.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, (singular, plural) in TERMS.items():
            self.fields[f"term_{key}_singular"] = forms.CharField(
                required=False,
                max_length=40,
                label="Singular",
                widget=forms.TextInput(attrs={"placeholder": singular}),
            )
            self.fields[f"term_{key}_plural"] = forms.CharField(
                required=False,
                max_length=40,
                label="Plural",
                widget=forms.TextInput(attrs={"placeholder": plural}),
            )
        for level, days in CHECK_IN_DAYS.items():
            self.fields[f"check_in_{level}"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=CHECK_IN_DAYS_MAX,
                label=Level(level).label,
                help_text=f"Days; standard {days}.",
                widget=forms.NumberInput(attrs={"placeholder": days, "inputmode": "numeric"}),
            )
        for level, share in LEADING_TARGETS.items():
            self.fields[f"leading_{level}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=100,
                label=Level(level).label,
                help_text=f"Per cent; standard {share}.",
                widget=forms.NumberInput(attrs={"placeholder": share, "inputmode": "numeric"}),
            )

    @staticmethod
    def initial_for(org) -> dict:
        initial = {
            "version": org.version,
            "name": org.name,
            "time_zone": org.time_zone,
            "fiscal_year_start_month": org.fiscal_year_start_month,
            "week_start_day": org.week_start_day,
            "mfa_required": org.mfa_required,
        }
        for key, words in (org.terminology or {}).items():
            if key in TERMS:
                initial[f"term_{key}_singular"], initial[f"term_{key}_plural"] = words
        for level, days in org.check_in_rhythm().items():
            initial[f"check_in_{level}"] = days
        for level, share in org.leading_target().items():
            initial[f"leading_{level}"] = share
        return initial

    def check_in_fields(self):
        return [self[f"check_in_{level}"] for level in CHECK_IN_DAYS]

    def leading_fields(self):
        return [self[f"leading_{level}"] for level in LEADING_TARGETS]

    def term_rows(self):
        return [
            (key, TERMS[key], self[f"term_{key}_singular"], self[f"term_{key}_plural"])
            for key in TERMS
        ]

    def clean(self):
        data = super().clean()
        terminology = {}
        for key, (default_singular, default_plural) in TERMS.items():
            singular = (data.get(f"term_{key}_singular") or "").strip()
            plural = (data.get(f"term_{key}_plural") or "").strip()
            if not singular and not plural:
                continue
            if not singular or not plural:
                self.add_error(
                    f"term_{key}_plural" if singular else f"term_{key}_singular",
                    "Give both the singular and the plural, or leave both empty.",
                )
                continue
            if (singular, plural) != (default_singular, default_plural):
                terminology[key] = [singular, plural]
        data["terminology"] = terminology
        # An empty field or the standard number keeps the standard rhythm for the level.
        data["check_in_days"] = {
            level: data[f"check_in_{level}"]
            for level, standard in CHECK_IN_DAYS.items()
            if data.get(f"check_in_{level}") not in (None, standard)
        }
        data["leading_targets"] = {
            level: data[f"leading_{level}"]
            for level, standard in LEADING_TARGETS.items()
            if data.get(f"leading_{level}") not in (None, standard)
        }
        return data


class TokenCreateForm(Form):
    name = forms.CharField(max_length=80, help_text="Where the token is used, e.g. “BI export”.")
    organization = forms.ChoiceField(label="Works in", required=False)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "All my organizations")] + [
            (str(m.organization_id), f"{m.organization.name} only") for m in memberships
        ]


class HistoryFilterForm(Form):
    type = forms.ChoiceField(required=False, choices=HISTORY_TYPES, label="What")
    edge = forms.ChoiceField(required=False, choices=[("", "Any way"), *Edge.choices], label="Via")
    actor = forms.CharField(required=False, max_length=254, label="Who (email)")
