"""The weekly leading-vs-doing check-in form."""

from __future__ import annotations

import datetime

from django import forms

from leados.sops.models import NOTE_MAX
from leados.web.forms import Form

SHARES = [
    ("structure", "Structure", "Strategy, culture, objectives, purpose, ecosystem, ways of work"),
    ("operate", "Operate", "Planning, accountability, stakeholder engagement"),
    ("perfect", "Perfect", "Coaching, feedback, developing people, the team and change"),
    ("doing", "The team's own work", "Doing what the team is there to do yourself"),
    ("other", "Other", "Everything else: admin, travel, time off"),
]
LEADING = ("structure", "operate", "perfect")


class TimeCheckinForm(Form):
    """Five whole per cents adding up to 100, for one of the weeks offered."""

    week = forms.TypedChoiceField(
        label="Week", coerce=datetime.date.fromisoformat, widget=forms.HiddenInput
    )
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        label="Note",
        help_text="Optional: what pulled your week one way or the other.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, weeks: list[tuple[datetime.date, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["week"].choices = [(w.isoformat(), label) for w, label in weeks]
        self.fields["week"].error_messages["invalid_choice"] = (
            "Choose one of the weeks offered: this week or one of the last few."
        )
        for key, label, help_text in SHARES:
            self.fields[key] = forms.IntegerField(
                min_value=0,
                max_value=100,
                required=False,
                label=label,
                help_text=help_text,
                error_messages={
                    "invalid": "Give a whole per cent from 0 to 100.",
                    "min_value": "Give a whole per cent from 0 to 100.",
                    "max_value": "Give a whole per cent from 0 to 100.",
                },
                widget=forms.NumberInput(
                    attrs={
                        "inputmode": "numeric",
                        "min": 0,
                        "max": 100,
                        "step": 1,
                        "data-share": "leading" if key in LEADING else "other",
                        "class": "share-input",
                    }
                ),
            )

    def share_fields(self):
        return [(self[key], key in LEADING) for key, _label, _help in SHARES]

    def shares(self) -> dict[str, int]:
        return {key: self.cleaned_data.get(key) or 0 for key, _l, _h in SHARES}

    def clean(self):
        data = super().clean()
        if not any(key in self.errors for key, _l, _h in SHARES):
            total = sum(data.get(key) or 0 for key, _l, _h in SHARES)
            if total != 100:
                self.add_error(None, f"The shares add up to {total} %, not 100 %.")
        return data
