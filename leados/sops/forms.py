"""Forms of the SOP pages. They parse input (and turn a cadence chosen in words into an
RRULE); the services validate and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory

from leados.core.models import Level
from leados.sops.cadence import MONTH_NAMES, ORDINALS, WEEKDAY_KEYS, WEEKDAY_NAMES, Cadence, Kind
from leados.sops.library import DIMENSIONS, DOMAINS
from leados.sops.links import LINKS
from leados.sops.models import (
    DOMAIN_OF,
    DURATION_MAX,
    MAX_STEPS,
    MINUTES_SPENT_MAX,
    NOTE_MAX,
    PURPOSE_MAX,
    STEP_EVIDENCE_MAX,
    STEP_TEXT_MAX,
    TITLE_MAX,
    Visibility,
)
from leados.web.forms import Form

LEVEL_CHOICES = [(level.value, level.label) for level in Level]
DOMAIN_CHOICES = list(DOMAINS.items())
DIMENSION_CHOICES = [
    (label, [(key, spec[1]) for key, spec in DIMENSIONS.items() if spec[0] == domain])
    for domain, label in DOMAINS.items()
]
LINK_CHOICES = [("", "No link")] + [(key, link.label) for key, link in LINKS.items()]
WEEKDAY_CHOICES = list(zip(WEEKDAY_KEYS, WEEKDAY_NAMES, strict=True))
MONTH_DAY_CHOICES = [(day, str(day)) for day in range(1, 29)] + [(-1, "Last day")]
NTH_CHOICES = [(n, ORDINALS[n].capitalize()) for n in (1, 2, 3, 4, -1)]
MONTH_CHOICES = [(number, name) for number, name in enumerate(MONTH_NAMES, start=1)]

CADENCE_FIELDS = ("kind", "interval", "weekdays", "month_day", "nth", "weekday", "month", "rule")


def _date(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs})


class CadenceFields(forms.Form):
    """A cadence chosen in words: the kind, then the parts that kind uses."""

    kind = forms.ChoiceField(label="Repeats", choices=Kind.CHOICES, initial=Kind.WEEKLY)
    interval = forms.IntegerField(
        label="Every how many weeks", min_value=1, max_value=52, initial=1, required=False
    )
    weekdays = forms.MultipleChoiceField(
        label="On", choices=WEEKDAY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    month_day = forms.TypedChoiceField(
        label="Day of the month", choices=MONTH_DAY_CHOICES, coerce=int, initial=1, required=False
    )
    nth = forms.TypedChoiceField(
        label="Which", choices=NTH_CHOICES, coerce=int, initial=1, required=False
    )
    weekday = forms.ChoiceField(
        label="Weekday", choices=WEEKDAY_CHOICES, initial="MO", required=False
    )
    month = forms.TypedChoiceField(
        label="Month", choices=MONTH_CHOICES, coerce=int, initial=1, required=False
    )
    rule = forms.CharField(
        label="RRULE",
        required=False,
        max_length=300,
        help_text="For a custom cadence, e.g. FREQ=MONTHLY;INTERVAL=2;BYDAY=2WE.",
    )

    def clean(self):
        data = super().clean()
        if any(name in self._errors for name in CADENCE_FIELDS):
            return data
        cadence = Cadence(
            kind=data.get("kind") or "",
            interval=data.get("interval") or 1,
            weekdays=list(data.get("weekdays") or []),
            month_day=data.get("month_day") or 1,
            nth=data.get("nth") or 1,
            weekday=data.get("weekday") or "MO",
            month=data.get("month") or 1,
            rule=data.get("rule") or "",
        )
        try:
            data["rrule"] = cadence.to_rrule()
        except ValidationError as error:
            field = {
                Kind.WEEKLY: "weekdays",
                Kind.CUSTOM: "rule",
                Kind.MONTHLY_WEEKDAY: "nth",
                Kind.YEARLY: "month",
            }.get(cadence.kind, "month_day" if cadence.kind != Kind.DAILY else "kind")
            self.add_error(field, error.messages)
        return data


def cadence_initial(rrule: str) -> dict:
    cadence = Cadence.from_rrule(rrule)
    return {
        "kind": cadence.kind,
        "interval": cadence.interval,
        "weekdays": list(cadence.weekdays),
        "month_day": cadence.month_day,
        "nth": cadence.nth,
        "weekday": cadence.weekday,
        "month": cadence.month,
        "rule": cadence.rule,
    }


class SopForm(CadenceFields, Form):
    """Create or edit a routine. ``owners`` and ``units`` are the choices the page offers;
    ``editing`` adds the version the change is based on and a "what changed" note."""

    owner = forms.TypedChoiceField(
        coerce=int,
        label="Owner",
        required=False,
        empty_value=None,
        help_text="You, or one of your reports (who then keeps the routine).",
    )
    title = forms.CharField(max_length=TITLE_MAX)
    purpose = forms.CharField(
        required=False,
        max_length=PURPOSE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this routine exists: what goes wrong when it is not done.",
    )
    domain = forms.ChoiceField(choices=DOMAIN_CHOICES)
    dimension = forms.ChoiceField(choices=DIMENSION_CHOICES)
    levels = forms.MultipleChoiceField(
        choices=LEVEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="The levels at which you lead with it.",
        error_messages={"required": "Choose at least one level."},
    )
    starts_on = forms.DateField(label="Starts on", widget=_date())
    time_of_day = forms.TimeField(
        label="Time of day",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="Leave empty for any time of the day.",
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=1, max_value=DURATION_MAX, initial=30
    )
    unit = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.PRIVATE, label="Who sees it"
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput, required=False)
    change_note = forms.CharField(
        label="What changed",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the new version when the title, purpose, steps or duration change.",
    )

    field_order = [
        "owner", "title", "purpose", "domain", "dimension", "levels", *CADENCE_FIELDS,
        "starts_on", "time_of_day", "duration_minutes", "unit", "visibility", "change_note",
    ]  # fmt: skip

    def __init__(self, *args, owners, units, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(p.pk, p.name) for p in owners]
        if len(owners) == 1:
            self.fields["owner"].widget = forms.HiddenInput()
        self.fields["unit"].choices = [("", "No unit")] + [
            (unit.pk, f"{'— ' * depth}{unit.name}") for unit, depth in units
        ]
        if editing:
            self.fields["version"].required = True
        else:
            del self.fields["version"]
            del self.fields["change_note"]

    def clean(self):
        data = super().clean()
        domain, dimension = data.get("domain"), data.get("dimension")
        if domain and dimension and DOMAIN_OF.get(dimension) != domain:
            self.add_error(
                "dimension",
                f"{DIMENSIONS[dimension][1]} is a dimension of "
                f"{DOMAINS[DOMAIN_OF[dimension]]}, not of {DOMAINS[domain]}.",
            )
        return data

    def cadence_fields(self):
        return [self[name] for name in CADENCE_FIELDS]

    def settings_fields(self):
        skip = {*CADENCE_FIELDS, "version", "change_note", "owner"}
        return [field for field in self.visible_fields() if field.name not in skip]


class StepForm(forms.Form):
    text = forms.CharField(
        max_length=STEP_TEXT_MAX, required=False, widget=forms.TextInput(attrs={"size": 50})
    )
    link = forms.ChoiceField(choices=LINK_CHOICES, required=False, label="Done in")
    evidence = forms.CharField(
        max_length=STEP_EVIDENCE_MAX,
        required=False,
        label="Evidence asked",
        help_text="Leave empty when the step needs no evidence.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class BaseStepFormSet(forms.BaseFormSet):
    def steps(self) -> list[dict]:
        """The steps in the chosen order, without deleted or empty rows."""
        rows = []
        for position, form in enumerate(self.forms):
            if not form.has_changed() and not form.cleaned_data.get("text"):
                continue
            data = form.cleaned_data
            if data.get("DELETE"):
                continue
            order = data.get("ORDER")
            rows.append((order if order is not None else 10_000 + position, position, data))
        rows.sort(key=lambda row: (row[0], row[1]))
        steps = []
        for _order, _position, data in rows:
            text = (data.get("text") or "").strip()
            if not text and not data.get("link") and not (data.get("evidence") or "").strip():
                continue
            steps.append(
                {"text": text, "link": data.get("link") or "", "evidence": data.get("evidence")}
            )
        return steps


StepFormSet = formset_factory(
    StepForm,
    formset=BaseStepFormSet,
    extra=3,
    can_delete=True,
    can_order=True,
    max_num=MAX_STEPS,
    validate_max=True,
    absolute_max=MAX_STEPS + 10,
)


def step_formset(data=None, *, steps=(), extra: int = 3):
    """The steps' rows: one per step, then ``extra`` empty ones to add more without JS."""
    initial = [
        {"text": s.get("text", ""), "link": s.get("link", ""), "evidence": s.get("evidence", "")}
        for s in steps
    ]
    formset = StepFormSet(data, initial=initial, prefix="steps")
    formset.extra = extra
    return formset


class SopFilterForm(Form):
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    domain = forms.ChoiceField(required=False, choices=[("", "Any domain"), *DOMAIN_CHOICES])
    dimension = forms.ChoiceField(
        required=False, choices=[("", "Any dimension"), *DIMENSION_CHOICES]
    )
    unit = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    archived = forms.BooleanField(required=False, label="Show my archived routines")

    def __init__(self, *args, owners, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Anyone")] + [(p.pk, p.name) for p in owners]
        self.fields["unit"].choices = [("", "Any unit")] + [
            (unit.pk, f"{'— ' * depth}{unit.name}") for unit, depth in units
        ]


class LibraryFilterForm(Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    domain = forms.ChoiceField(required=False, choices=[("", "Any domain"), *DOMAIN_CHOICES])
    dimension = forms.ChoiceField(
        required=False, choices=[("", "Any dimension"), *DIMENSION_CHOICES]
    )
    level = forms.ChoiceField(required=False, choices=[("", "Any level"), *LEVEL_CHOICES])


class AdoptForm(CadenceFields, Form):
    """Adopt a template: when it starts, at what time, for which unit; the cadence may be
    adjusted (it starts as the template's)."""

    starts_on = forms.DateField(label="Starts on", widget=_date())
    time_of_day = forms.TimeField(
        label="Time of day", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    unit = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.PRIVATE, label="Who sees it"
    )

    field_order = ["starts_on", "time_of_day", "unit", "visibility", *CADENCE_FIELDS]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "No unit")] + [
            (unit.pk, f"{'— ' * depth}{unit.name}") for unit, depth in units
        ]

    def full_clean(self):
        # The one-click adopt from the library sends no cadence: keep the template's.
        if self.is_bound and "kind" not in self.data:
            for name in CADENCE_FIELDS:
                self.fields[name].required = False
            self._keep_template_cadence = True
        super().full_clean()

    def clean(self):
        if getattr(self, "_keep_template_cadence", False):
            data = forms.Form.clean(self)
            data["rrule"] = None
            return data
        return super().clean()


class ShareForm(Form):
    organization = forms.TypedChoiceField(coerce=int, label="Share into")

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [
            (m.organization_id, m.organization.name) for m in memberships
        ]


class IdeaForm(Form):
    summary = forms.CharField(
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What to change, and why",
        error_messages={"required": "Say what to change and why."},
    )
    title = forms.CharField(max_length=TITLE_MAX)
    purpose = forms.CharField(
        required=False, max_length=PURPOSE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=1, max_value=DURATION_MAX
    )
    run = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DecisionForm(Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput, required=False)
    note = forms.CharField(required=False, max_length=NOTE_MAX, widget=forms.Textarea)


class RunForm(Form):
    """Progress on a run: ticked steps, their notes, a note and the time spent."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes_spent = forms.IntegerField(
        required=False, min_value=0, max_value=MINUTES_SPENT_MAX, label="Time spent (minutes)"
    )


class SkipForm(Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why is it skipped?",
        error_messages={"required": "Say why it is skipped."},
    )
