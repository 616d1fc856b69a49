"""Forms of the scorecard and measurable pages. They parse input only; the services check
numbers, thresholds, formulas and roll-ups and say what is wrong."""

from __future__ import annotations

from django import forms

from leados.operate.models import (
    Better,
    Category,
    Frequency,
    MeasurableKind,
    ThresholdMode,
    TimeAggregation,
    UnitAggregation,
)
from leados.operate.models.scorecards import MAX_DECIMALS
from leados.web.forms import Form

NUMBER = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def _number(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=NUMBER, help_text=help_text)


class MeasurableFilterForm(Form):
    unit = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(required=False, choices=[("", "Any"), *Category.choices])
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    archived = forms.BooleanField(required=False, label="Archived")

    def __init__(self, *args, units, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "Any")] + [(u.pk, "— " * d + u.name) for u, d in units]
        self.fields["owner"].choices = [("", "Anyone")] + [(p.pk, p.name) for p in people]


class MeasurableForm(Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None,
        help_text="Leave empty for a personal measurable of its owner.",
    )  # fmt: skip
    owner = forms.TypedChoiceField(coerce=int)
    category = forms.ChoiceField(choices=Category.choices)
    kind = forms.ChoiceField(choices=MeasurableKind.choices)
    currency = forms.CharField(
        required=False, max_length=3, help_text="For currency: a code such as EUR."
    )
    unit_label = forms.CharField(
        required=False, max_length=20, label="Unit label", help_text="Shown after numbers."
    )
    decimals = forms.IntegerField(min_value=0, max_value=MAX_DECIMALS, initial=0)
    better = forms.ChoiceField(choices=Better.choices, label="Which way is better")
    frequency = forms.ChoiceField(choices=Frequency.choices)
    target = _number("Target", "For a range: its low end.")
    target_max = _number("High end of the range", "Only for “within a range”.")
    threshold_mode = forms.ChoiceField(choices=ThresholdMode.choices, label="Thresholds as")
    green_bound = _number(
        "Green from", "A value, or a share of the target (1 = 100 %). Empty: the target."
    )
    red_bound = _number(
        "Red beyond", "A value, or a share of the target (0.9 = 90 %). Empty: the default."
    )
    time_aggregation = forms.ChoiceField(choices=TimeAggregation.choices, label="Over time")
    unit_aggregation = forms.ChoiceField(choices=UnitAggregation.choices, label="Across units")
    parent = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Rolls up into",
        help_text="The same number for the whole organization, combined across units.",
    )  # fmt: skip
    weight = _number("Weight", "Its weight in a weighted roll-up.")
    key = forms.CharField(
        required=False, max_length=40, help_text="The name formulas use, e.g. won_deals."
    )
    formula = forms.CharField(
        required=False, max_length=500,
        help_text="Computed from other measurables' keys, e.g. won_deals / leads * 100.",
    )  # fmt: skip
    require_red_note = forms.BooleanField(
        required=False, label="A red value needs a note saying why"
    )

    def __init__(self, *args, units, people, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "None (personal)")] + [
            (u.pk, "— " * d + u.name) for u, d in units
        ]
        self.fields["owner"].choices = [(p.pk, p.name) for p in people]
        self.fields["parent"].choices = [("", "Nothing")] + [(m.pk, m.name) for m in parents]

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["weight"] = data.get("weight") or "1"
        return data


class TargetForm(Form):
    period_start = forms.DateField(label="Period starting", widget=forms.DateInput(
        attrs={"type": "date"}))  # fmt: skip
    target = _number("Target")
    target_max = _number("High end (range)")


class ScorecardForm(Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ScorecardCreateForm(ScorecardForm):
    kind = forms.ChoiceField(
        choices=[("unit", "A unit's"), ("personal", "My own"), ("custom", "Custom selection")]
    )
    unit = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(u.pk, "— " * d + u.name) for u, d in units]


class RowsForm(Form):
    """The scorecard's rows: a position for each chosen measurable (empty: not on it)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, measurables, chosen: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        position = {pk: n + 1 for n, pk in enumerate(chosen)}
        ordered = sorted(measurables, key=lambda m: (position.get(m.pk, 10_000), m.name))
        self.measurables = ordered
        for m in ordered:
            self.fields[f"m{m.pk}"] = forms.IntegerField(
                required=False, min_value=1, max_value=1000, label=m.name,
                initial=position.get(m.pk),
                help_text=f"{m.unit.name if m.unit_id else 'Personal'} · "
                f"{m.get_frequency_display()}",
                widget=forms.NumberInput(attrs={"class": "sc-position"}),
            )  # fmt: skip

    def chosen(self) -> list[int]:
        picked = [
            (self.cleaned_data[f"m{m.pk}"], n, m.pk)
            for n, m in enumerate(self.measurables)
            if self.cleaned_data.get(f"m{m.pk}") is not None
        ]
        return [pk for _, _, pk in sorted(picked)]
