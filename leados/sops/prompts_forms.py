"""Forms of the prompts page. They parse input only; the services validate and write."""

from __future__ import annotations

from django import forms

from leados.sops.models import DigestFrequency, DriftShare
from leados.sops.services.prompts import REMIND_MAX
from leados.web.forms import Form

FEED_ACTIONS = [
    ("create", "Create my calendar address"),
    ("regenerate", "Make a new address"),
    ("revoke", "Turn the address off"),
]


class PreferencesForm(Form):
    digest = forms.ChoiceField(
        label="Email digest",
        choices=[
            (DigestFrequency.OFF, "No digest"),
            (DigestFrequency.DAILY, "Every morning: today's routines"),
            (DigestFrequency.WEEKLY, "On the first day of the week: the week's routines"),
        ],
    )
    remind_minutes_before = forms.IntegerField(
        label="Remind me this many minutes before a routine is due",
        required=False,
        min_value=0,
        max_value=REMIND_MAX,
        help_text="Empty: no reminders. A routine without a time of day counts as due at "
        "08:00. 60 is an hour, 1440 a day.",
    )
    drift_share = forms.ChoiceField(
        label="When my leading share stays below target three weeks running, tell",
        choices=DriftShare.choices,
    )
    coach = forms.ModelChoiceField(
        label="Coach",
        queryset=None,
        required=False,
        empty_label="(no coach)",
        help_text="The coach who hears of a drift when you share it with your coach.",
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, coaches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = coaches
        self.fields["coach"].error_messages["invalid_choice"] = (
            "Choose one of this organization's coaches."
        )


class FeedForm(Form):
    feed = forms.ChoiceField(
        choices=FEED_ACTIONS,
        error_messages={"required": "Choose to create, renew or turn off the address."},
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
