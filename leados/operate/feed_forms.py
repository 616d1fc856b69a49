"""The form of the feed page. It parses input only; ``feed_configure`` validates and writes."""

from __future__ import annotations

from django import forms

from leados.operate.models import FeedFormat, FeedKind
from leados.web.forms import Form


class FeedForm(Form):
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="Kind", choices=FeedKind.choices, widget=forms.RadioSelect)
    interval_minutes = forms.IntegerField(
        label="Run every (minutes)",
        initial=60,
        help_text="Pull and SQL feeds: how often the worker runs it (5 minutes to a week).",
    )
    enabled = forms.BooleanField(label="Switched on", required=False, initial=True)
    url = forms.CharField(
        label="URL",
        required=False,
        max_length=2000,
        help_text="Pull: an http:// or https:// address, or file:///… inside the feed folder.",
    )
    format = forms.ChoiceField(
        label="Format", required=False, choices=[("", "—"), *FeedFormat.choices]
    )
    json_path = forms.CharField(
        label="JSON path",
        required=False,
        max_length=500,
        help_text="JSON: where the number is, e.g. $.data.total; or a list of "
        "{period_start, value}.",
    )
    csv_column = forms.CharField(
        label="CSV column",
        required=False,
        max_length=200,
        help_text="CSV: the header of the value column (empty: the second column).",
    )
    database_url = forms.CharField(
        label="Database URL",
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="SQL: postgres://user:password@host:5432/database, for a read-only user.",
    )
    query = forms.CharField(
        label="Query",
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono", "spellcheck": "false"}),
        help_text="SQL: one SELECT returning one value, or rows of (period start, value).",
    )

    def __init__(self, *args, stored_database: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if stored_database:
            self.fields[
                "database_url"
            ].help_text = (
                f"Stored: {stored_database} (user and password hidden). Leave empty to keep it."
            )
