"""Forms of the plan pages. They parse input only; the services validate and write, and
their ``ValidationError`` lands on the matching field."""

from __future__ import annotations

from django import forms

from leados.operate.models import PlanKind, PlanStatus
from leados.operate.models.plans import CATEGORY_MAX, NOTE_MAX, SUMMARY_MAX, TITLE_MAX
from leados.web.forms import Form, PersonField, VersionForm, unit_choices

AMOUNT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def period_choices(periods, *, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [("", blank)] if blank is not None else []
    seen = set()
    for period in periods:
        if period.pk not in seen:
            seen.add(period.pk)
            choices.append((str(period.pk), period.label))
    return choices


class PlanFilterForm(Form):
    unit = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    period = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *PlanKind.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *PlanStatus.choices])

    def __init__(self, *args, units, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "Every unit"), *unit_choices(units)[1:]]
        self.fields["period"].choices = period_choices(periods, blank="Any period")


class PlanFieldsForm(Form):
    """What a plan says: shared by create and edit."""

    title = forms.CharField(max_length=TITLE_MAX)
    kind = forms.ChoiceField(choices=PlanKind.choices, initial=PlanKind.OPERATIONAL)
    period = forms.TypedChoiceField(coerce=int)
    summary = forms.CharField(
        required=False,
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the plan sets out to do and how, in a few lines.",
    )
    currency = forms.CharField(
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
        help_text="Financial plans: a three-letter code such as EUR or USD.",
    )
    owner = PersonField(required=False, help_text="Email address; empty: the unit's lead.")

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(periods, blank="Choose…")


class PlanCreateForm(PlanFieldsForm):
    unit = forms.TypedChoiceField(coerce=int)
    field_order = ["unit", "title", "kind", "period", "summary", "currency", "owner"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(units)


class PlanEditForm(VersionForm, PlanFieldsForm):
    owner = PersonField(help_text="Email address of the person who owns the plan.")


class TransitionForm(VersionForm):
    to = forms.ChoiceField(choices=PlanStatus.choices)


class LineForm(Form):
    category = forms.CharField(max_length=CATEGORY_MAX)
    period = forms.TypedChoiceField(coerce=int)
    planned = forms.CharField(max_length=40, widget=AMOUNT)
    actual = forms.CharField(
        required=False, max_length=40, widget=AMOUNT, help_text="Empty until it is known."
    )
    note = forms.CharField(required=False, max_length=NOTE_MAX)

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(periods)


class LineEditForm(VersionForm, LineForm):
    pass


class GoalAddForm(Form):
    goal = forms.TypedChoiceField(coerce=int, label="Add a goal")

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", "Choose…")] + [(str(g.pk), g.title) for g in goals]
