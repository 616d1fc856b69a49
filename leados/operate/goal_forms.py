"""Forms of the goal pages and the agreements inbox. They parse input only; the services
validate and write, and their ``ValidationError`` lands on the matching field."""

from __future__ import annotations

from django import forms

from leados.core.models import Level
from leados.operate.models import Direction, GoalKind, GoalStatus
from leados.operate.models.commitments import NOTE_MAX
from leados.operate.models.goals import (
    COMMENT_MAX,
    CONFIDENCE_MAX,
    DESCRIPTION_MAX,
    METRIC_UNIT_MAX,
    REASON_MAX,
    TITLE_MAX,
    WEIGHT_MAX,
)
from leados.web.forms import Form, PersonField, VersionForm

DATE = forms.DateInput(attrs={"type": "date"})
ONGOING = "ongoing"


def goal_label(goal) -> str:
    where = goal.unit.name if goal.unit_id else f"Self of {goal.person.name}"
    return f"{goal.title} ({Level(goal.level).label.lower()}, {where})"


def period_choices(periods, *, current=None) -> list[tuple[str, str]]:
    choices = [(ONGOING, "Ongoing (process goals only)")]
    seen = set()
    for period in [*([current] if current is not None else []), *periods]:
        if period.pk not in seen:
            seen.add(period.pk)
            choices.append((str(period.pk), period.label))
    return choices


class GoalFieldsForm(Form):
    """What a goal says and how it is measured: shared by create and edit."""

    title = forms.CharField(max_length=TITLE_MAX)
    description = forms.CharField(
        required=False, max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    period = forms.ChoiceField(help_text="Only process goals may be ongoing.")
    start_date = forms.DateField(required=False, widget=DATE, help_text="Inside the period.")
    due_date = forms.DateField(required=False, widget=DATE, help_text="Inside the period.")
    weight = forms.IntegerField(
        min_value=0,
        max_value=WEIGHT_MAX,
        initial=1,
        help_text="How much this goal counts in its parent's progress.",
    )
    kind = forms.ChoiceField(choices=GoalKind.choices, label="Measured by", initial="metric")
    start_value = forms.FloatField(required=False, label="Start value", help_text="Metric goals.")
    target_value = forms.FloatField(required=False, label="Target value", help_text="Metric goals.")
    metric_unit = forms.CharField(
        required=False, max_length=METRIC_UNIT_MAX, label="Unit of measure", help_text="e.g. €k, %"
    )
    direction = forms.ChoiceField(
        required=False,
        choices=[("", "From start and target"), *Direction.choices],
        help_text="Metric goals.",
    )

    def __init__(self, *args, periods, current_period=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(periods, current=current_period)

    def clean_period(self):
        value = self.cleaned_data["period"]
        return None if value == ONGOING else int(value)


class GoalCreateForm(GoalFieldsForm):
    unit = forms.ChoiceField(
        required=False,
        label="For",
        help_text="A unit's goal, or leave this on Self for a person's own goal.",
    )
    person = PersonField(
        required=False, label="Whose Self (email)", help_text="For a Self goal only."
    )
    parent = forms.ChoiceField(required=False, label="Aligns to")
    owner = PersonField(
        required=False,
        label="Owner (email)",
        help_text="Empty: the person whose Self it is, or the unit's lead.",
    )
    milestones = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Milestones goals: one milestone per line, in order.",
    )

    field_order = ["title", "unit", "person", "parent", "owner", "description", "period"]

    def __init__(self, *args, units, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "Self (a person's own goal)")] + [
            (str(u.pk), f"{u.name} ({Level(u.level).label.lower()})") for u in units
        ]
        self.fields["parent"].choices = [("", "Nothing yet")] + [
            (str(g.pk), goal_label(g)) for g in parents
        ]

    def clean_unit(self):
        value = self.cleaned_data["unit"]
        return int(value) if value else None

    def clean_parent(self):
        value = self.cleaned_data["parent"]
        return int(value) if value else None

    def milestone_titles(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["milestones"].splitlines()]


class GoalEditForm(VersionForm, GoalFieldsForm):
    measurable = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Fed by measurable",
        help_text="A metric goal can take its current value from a scorecard's numbers.",
    )

    def __init__(self, *args, measurables=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measurable"].choices = [("", "Nothing: check in by hand")] + [
            (m.pk, f"{m.name} ({m.unit.name if m.unit_id else m.owner.name})") for m in measurables
        ]


class CheckInForm(VersionForm):
    value = forms.FloatField(required=False, label="Current value")
    milestones_done = forms.TypedMultipleChoiceField(
        required=False, coerce=int, widget=forms.CheckboxSelectMultiple, label="Milestones done"
    )
    is_done = forms.BooleanField(required=False, label="Done")
    confidence = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=CONFIDENCE_MAX,
        label="Confidence (0–10)",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="How sure are you that the goal will be met?",
    )
    comment = forms.CharField(
        required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, goal, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = goal.kind
        if goal.kind != GoalKind.METRIC:
            del self.fields["value"]
        elif goal.metric_unit:
            self.fields["value"].label = f"Current value ({goal.metric_unit})"
        if goal.kind != GoalKind.MILESTONES:
            del self.fields["milestones_done"]
        else:
            self.fields["milestones_done"].choices = [(m.pk, m.title) for m in milestones]
        if goal.kind != GoalKind.BINARY:
            del self.fields["is_done"]

    @staticmethod
    def initial_for(goal, milestones) -> dict:
        return {
            "version": goal.version,
            "value": goal.current_value,
            "milestones_done": [m.pk for m in milestones if m.done],
            "is_done": goal.is_done,
            "confidence": goal.confidence,
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {"confidence": data.get("confidence"), "comment": data.get("comment", "")}
        if self.kind == GoalKind.METRIC:
            arguments["value"] = data.get("value")
        elif self.kind == GoalKind.MILESTONES:
            arguments["milestones_done"] = list(data.get("milestones_done") or [])
        else:
            arguments["is_done"] = bool(data.get("is_done"))
        return arguments


class GoalMoveForm(VersionForm):
    parent = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_parent(self):
        value = (self.cleaned_data["parent"] or "").strip()
        if not value:
            return None
        if not value.isdigit():
            raise forms.ValidationError("Choose a goal from the list.")
        return int(value)


class GoalReassignForm(VersionForm):
    owner = PersonField(label="New owner (email)")

    def clean_owner(self):
        owner = self.cleaned_data["owner"]
        if owner is None:
            raise forms.ValidationError("Enter the email of the new owner.")
        return owner


class StatusOverrideForm(VersionForm):
    status_override = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "As the numbers say"), *GoalStatus.choices],
    )
    status_override_reason = forms.CharField(
        required=False,
        max_length=REASON_MAX,
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you set the status yourself.",
    )


class LinkAddForm(Form):
    target = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ReasonForm(VersionForm):
    reason = forms.CharField(
        required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProposeChangeForm(VersionForm):
    """What the responder would agree to instead; only the fields filled in are proposed."""

    title = forms.CharField(required=False, max_length=TITLE_MAX, label="Title")
    description = forms.CharField(
        required=False, max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    definition_of_done = forms.CharField(
        required=False, max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    target_value = forms.FloatField(required=False, label="Target value")
    due_date = forms.DateField(required=False, widget=DATE, label="Due date")
    weight = forms.IntegerField(required=False, min_value=0, max_value=WEIGHT_MAX)
    reason = forms.CharField(
        required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    FIELDS = {
        "goal": ("title", "description", "target_value", "due_date", "weight"),
        "commitment": ("title", "definition_of_done", "due_date"),
        "link": (),
    }

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {*self.FIELDS.get(kind, ()), "version", "reason"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def change(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("version", "reason") and value not in (None, "")
        }
