from __future__ import annotations

from django import forms

from leados.operate.models import (
    LONG_RANGE_MAX,
    VALUE_DESCRIPTION_MAX,
    VALUE_NAME_MAX,
    VISION_MAX,
)


class VisionForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    vision = forms.CharField(
        required=False,
        max_length=VISION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The future the organization works toward, in a sentence or two.",
    )
    mission = forms.CharField(
        required=False,
        max_length=VISION_MAX,
        label="Mission / purpose",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the organization exists and whom it serves.",
    )
    long_range = forms.CharField(
        required=False,
        max_length=LONG_RANGE_MAX,
        label="Long-range picture",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Where we will be in three years: concrete targets, one per line.",
    )
    horizon_year = forms.IntegerField(
        required=False, min_value=2000, max_value=2200, label="Horizon year"
    )


class CoreValueForm(forms.Form):
    name = forms.CharField(max_length=VALUE_NAME_MAX)
    description = forms.CharField(
        required=False,
        max_length=VALUE_DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What living this value looks like, in a sentence.",
    )


class CoreValueEditForm(CoreValueForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
