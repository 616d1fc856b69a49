"""Import and export of goals (CSV and XLSX), all or nothing, with a preview.

A row is one goal. ``key`` names it: ``#<id>`` is an existing goal (an export writes every
goal so), any other text is a label for a goal in this file, which other rows name as their
``parent`` (a parent may come later in the file). A row without ``#<id>`` updates the live
goal with the same title in the same unit (or Self) and period, or else creates one, so
importing the same file again changes nothing. On an existing goal an empty cell leaves the
value as it is; ``none`` clears the parent or the status override.

The file goes through the goal services row by row (parents first) inside one
transaction, each row in a savepoint so that every row's error is reported: the preview
rolls the transaction back, the apply step commits it only when no row failed. So the
preview and the import apply exactly the same rules.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from leados.core.context import edge_override
from leados.core.errors import Conflict, LeadOSError
from leados.core.models import Edge, Organization, Period, PeriodKind, Person, Unit
from leados.core.periods import MONTH_ABBREVIATIONS, add_months, period_for
from leados.core.transfer.columns import join_path, normalize_header, split_path
from leados.core.transfer.goal_columns import COLUMNS, join_milestones, split_milestones
from leados.core.transfer.reader import ParsedFile

ID_KEY = re.compile(r"^#(\d{1,18})$")
KEY_MAX = 100
ONGOING = {"ongoing", "none", "no_period", "-"}
CLEAR = {"none", "clear", "-"}
# "done" / "not done" in the current column of a done / not done goal.
DONE_WORDS = {
    "done": True, "yes": True, "true": True, "x": True,
    "not_done": False, "no": False, "false": False, "open": False,
}  # fmt: skip
KIND_WORDS = {
    "metric": "metric",
    "number": "metric",
    "milestones": "milestones",
    "milestone": "milestones",
    "binary": "binary",
    "done": "binary",
    "done_not_done": "binary",
    "yes_no": "binary",
}
DIRECTION_WORDS = {
    "up": "up",
    "higher": "up",
    "higher_is_better": "up",
    "down": "down",
    "lower": "down",
    "lower_is_better": "down",
}
# A service's field name → the file's column, for row errors.
FIELD_COLUMNS = {
    "start_value": "start",
    "target_value": "target",
    "current_value": "current",
    "metric_unit": "unit_of_measure",
    "archived_at": "key",
    "is_done": "current",
    "value": "current",
    "__all__": "key",
}
_PERIOD_LABEL = re.compile(r"^(fy)?\s*(\d{4})(?:\s*q([1-4]))?$", re.IGNORECASE)
_MONTH_LABEL = re.compile(r"^([a-z]{3})[a-z]*\s+(\d{4})$", re.IGNORECASE)


class _RollBack(Exception):
    """Leave the transaction without keeping anything (a preview, or a file with errors)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class GoalRow:
    row: int
    key: str
    values: dict = field(default_factory=dict)  # column → cleaned value; absent when empty


@dataclass
class GoalChange:
    row: int
    key: str
    title: str
    where: str
    changes: list[str] = field(default_factory=list)  # columns changed (updates)


@dataclass
class GoalPlan:
    errors: list[RowError] = field(default_factory=list)
    create: list[GoalChange] = field(default_factory=list)
    update: list[GoalChange] = field(default_factory=list)
    unchanged: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def is_noop(self) -> bool:
        return not (self.create or self.update)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "goals_created": len(self.create),
            "goals_updated": len(self.update),
            "goals_unchanged": self.unchanged,
            "errors": len(self.errors),
        }


def _number_text(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


# --------------------------------------------------------------------------- export


def export_goal_rows(*, organization: Organization):
    """The header and a row per live goal, parents before children, in a fixed number of
    queries. Call inside the organization's scope. Values are raw; writers neutralize them."""
    from leados.operate.models import Goal, Milestone

    yield list(COLUMNS)
    units = {u.pk: u for u in Unit.objects.only("id", "parent_id", "name")}
    paths: dict[int, str] = {}

    def path_of(unit_id: int) -> str:
        if unit_id not in paths:
            names, current = [], units.get(unit_id)
            while current is not None:
                names.append(current.name)
                current = units.get(current.parent_id)
            paths[unit_id] = join_path(names[::-1])
        return paths[unit_id]

    emails = dict(Person.objects.values_list("id", "user__email"))
    milestones: dict[int, list[tuple[str, bool]]] = {}
    for goal_id, title, done in Milestone.objects.filter(
        goal__archived_at__isnull=True
    ).values_list("goal_id", "title", "done"):
        milestones.setdefault(goal_id, []).append((title, done))
    goals = Goal.objects.live().select_related("period").order_by("path")
    for goal in goals:
        yield [
            f"#{goal.pk}",
            goal.title,
            goal.description,
            path_of(goal.unit_id) if goal.unit_id else "",
            emails.get(goal.person_id, "") if goal.person_id else "",
            emails.get(goal.owner_id, ""),
            goal.period.label if goal.period_id else "ongoing",
            f"#{goal.parent_id}" if goal.parent_id else "",
            goal.kind,
            str(goal.weight),
            _number_text(goal.start_value),
            _number_text(goal.target_value),
            _current_text(goal),
            goal.metric_unit,
            goal.direction,
            goal.start_date.isoformat() if goal.start_date else "",
            goal.due_date.isoformat() if goal.due_date else "",
            join_milestones(milestones.get(goal.pk, [])),
            goal.status_override,
            goal.status_override_reason,
        ]


def goals_export_filename(organization: Organization, extension: str) -> str:
    return f"{organization.slug}-goals-{timezone.localdate().isoformat()}.{extension}"


# --------------------------------------------------------------------------- planning


class _GoalImport:
    def __init__(self, organization: Organization, by: Person | None):
        from leados.operate.models import GoalStatus

        self.org = organization
        self.by = by
        self.plan = GoalPlan()
        self.statuses = GoalStatus
        self.periods_by_label: dict[str, Period] = {}

    def error(self, row: int, column: str, message: str) -> None:
        self.plan.errors.append(RowError(row, column, message))

    # --- loading ----------------------------------------------------------------------
    def load(self) -> None:
        from leados.operate.models import Goal

        self.people = {
            p.user.email.lower(): p for p in Person.objects.active().select_related("user")
        }
        self.units = {u.pk: u for u in Unit.objects.live()}
        self.root = next((u for u in self.units.values() if u.parent_id is None), None)
        self.unit_children: dict[int, dict[str, list[Unit]]] = {}
        self.units_by_name: dict[str, list[Unit]] = {}
        for unit in self.units.values():
            self.units_by_name.setdefault(unit.name.casefold(), []).append(unit)
            if unit.parent_id is not None:
                self.unit_children.setdefault(unit.parent_id, {}).setdefault(
                    unit.name.casefold(), []
                ).append(unit)
        for period in Period.objects.all():
            self.periods_by_label.setdefault(period.label.casefold(), period)
        self.goals = {
            g.pk: g for g in Goal.objects.select_related("period", "unit", "person", "owner")
        }
        self.natural: dict[tuple, list] = {}
        for goal in self.goals.values():
            if goal.archived_at is None:
                self.natural.setdefault(self._natural(goal), []).append(goal)

    @staticmethod
    def _natural(goal) -> tuple:
        return (goal.unit_id, goal.person_id, goal.period_id, goal.title.strip().casefold())

    # --- cells --------------------------------------------------------------------------
    def clean(self, raw: dict) -> GoalRow:
        number = raw["row"]
        get = lambda column: (raw.get(column) or "").strip()  # noqa: E731
        row = GoalRow(row=number, key=get("key")[:KEY_MAX] or f"row {number}")
        values = row.values
        if len(get("key")) > KEY_MAX:
            self.error(number, "key", f"Keep a key to {KEY_MAX} characters.")
        for column in ("title", "description", "unit_of_measure", "status_override_reason"):
            if get(column):
                values[column] = get(column)
        if get("unit"):
            unit = self.unit(number, get("unit"))
            if unit is not None:
                values["unit"] = unit
        for column in ("person", "owner"):
            if get(column):
                person = self.person(number, column, get(column))
                if person is not None:
                    values[column] = person
        if get("period"):
            if normalize_header(get("period")) in ONGOING:
                values["period"] = None
            else:
                period = self.period(number, get("period"))
                if period is not None:
                    values["period"] = period
        if get("parent"):
            values["parent"] = None if get("parent").lower() in CLEAR else get("parent")
        if get("kind"):
            kind = KIND_WORDS.get(normalize_header(get("kind")))
            if kind is None:
                self.error(
                    number,
                    "kind",
                    f'"{get("kind")}" is not a kind; use metric, milestones or binary '
                    "(done / not done).",
                )
            else:
                values["kind"] = kind
        if get("weight"):
            text = get("weight")
            if not text.isdigit() or not 0 <= int(text) <= 100:
                self.error(number, "weight", f'"{text}" is not a weight; use 0 to 100.')
            else:
                values["weight"] = int(text)
        for column in ("start", "target", "current"):
            if column == "current" and normalize_header(get(column)) in DONE_WORDS:
                values["done"] = DONE_WORDS[normalize_header(get(column))]
                continue
            if get(column):
                try:
                    value = float(get(column).replace(",", "")) if get(column) else None
                    if not math.isfinite(value) or abs(value) > 1e15:
                        raise ValueError
                    values[column] = value
                except ValueError:
                    self.error(number, column, f'"{get(column)}" is not a number.')
        if get("direction"):
            direction = DIRECTION_WORDS.get(normalize_header(get("direction")))
            if direction is None:
                self.error(
                    number, "direction", f'"{get("direction")}" is not a direction; use up or down.'
                )
            else:
                values["direction"] = direction
        for column in ("start_date", "due_date"):
            if get(column):
                try:
                    values[column] = datetime.date.fromisoformat(get(column)[:10])
                except ValueError:
                    self.error(number, column, f'"{get(column)}" is not a date; write YYYY-MM-DD.')
        if get("milestones"):
            values["milestones"] = split_milestones(get("milestones"))
        if get("status_override"):
            text = get("status_override")
            word = normalize_header(text)
            labels = {s.label.lower(): s.value for s in self.statuses}
            if text.lower() in CLEAR:
                values["status_override"] = ""
            elif word in self.statuses.values or text.lower() in labels:
                values["status_override"] = labels.get(text.lower(), word)
            else:
                choices = ", ".join(self.statuses.values)
                self.error(
                    number, "status_override", f'"{text}" is not a status; use {choices} or none.'
                )
        return row

    def unit(self, number: int, text: str) -> Unit | None:
        if "/" in text or "\\" in text:
            names = split_path(text)
            if self.root is None or not names or names[0].casefold() != self.root.name.casefold():
                root = self.root.name if self.root else "the top unit"
                self.error(number, "unit", f'A unit path starts with the top unit, "{root}".')
                return None
            unit = self.root
            for name in names[1:]:
                found = self.unit_children.get(unit.pk, {}).get(name.casefold(), [])
                if len(found) != 1:
                    self.error(
                        number,
                        "unit",
                        f'No single live unit "{name}" below {unit.name}; an import of goals '
                        "does not create units.",
                    )
                    return None
                unit = found[0]
            return unit
        found = self.units_by_name.get(text.casefold(), [])
        if len(found) == 1:
            return found[0]
        if found:
            self.error(
                number,
                "unit",
                f'{len(found)} units are called "{text}"; give the path from the top, e.g. '
                '"Leadership team/Sales/EMEA".',
            )
        else:
            self.error(
                number,
                "unit",
                f'No live unit is called "{text}"; an import of goals does not create units.',
            )
        return None

    def person(self, number: int, column: str, text: str) -> Person | None:
        email = text.lower()
        try:
            validate_email(email)
        except ValidationError:
            self.error(number, column, f'"{text}" is not a valid email address.')
            return None
        person = self.people.get(email)
        if person is None:
            self.error(number, column, f"{text} is not an active member of {self.org.name}.")
        return person

    def period(self, number: int, text: str) -> Period | None:
        key = text.casefold()
        if key in self.periods_by_label:
            return self.periods_by_label[key]
        day, kind = self.period_day(text)
        if day is not None:
            try:
                period = period_for(self.org, day, kind)
            except (ValueError, IntegrityError):
                period = None
            if period is not None and period.label.casefold() == key:
                self.periods_by_label[key] = period
                return period
        example = "FY2027 Q1" if self.org.fiscal_year_start_month != 1 else "2027 Q1"
        self.error(
            number,
            "period",
            f'"{text}" is not a period; write it like "{example}", "Jan 2027" or "ongoing" '
            "(process goals only).",
        )
        return None

    def period_day(self, text: str) -> tuple[datetime.date | None, str]:
        start_month = self.org.fiscal_year_start_month
        match = _PERIOD_LABEL.match(text.strip())
        if match:
            year = int(match.group(2))
            if not 1900 < year < 2200:
                return None, ""
            # A fiscal year is named by the calendar year in which it ends.
            last_month = add_months(datetime.date(year, start_month, 1), -1)
            if start_month == 1:
                last_month = datetime.date(year, 12, 1)
            first_month = add_months(last_month, -11)
            if match.group(3):
                return add_months(first_month, 3 * (int(match.group(3)) - 1)), PeriodKind.QUARTER
            return first_month, PeriodKind.YEAR
        tail = text.split("·")[-1].strip()
        match = _MONTH_LABEL.match(tail)
        if match and match.group(1).title() in MONTH_ABBREVIATIONS:
            year = int(match.group(2))
            if 1900 < year < 2200:
                month = MONTH_ABBREVIATIONS.index(match.group(1).title()) + 1
                return datetime.date(year, month, 1), PeriodKind.MONTH
        return None, ""

    # --- the file -----------------------------------------------------------------------
    def run(self, parsed: ParsedFile) -> GoalPlan:
        self.plan.rows = len(parsed.rows)
        self.load()
        rows = [self.clean(raw) for raw in parsed.rows]
        failed = {e.row for e in self.plan.errors}
        by_key: dict[str, GoalRow] = {}
        for row in rows:
            if "title" not in row.values and not ID_KEY.match(row.key):
                self.error(row.row, "title", "Give the goal a title.")
                failed.add(row.row)
            seen = by_key.get(row.key.casefold())
            if seen is not None:
                self.error(row.row, "key", f'Row {seen.row} already has the key "{row.key}".')
                failed.add(row.row)
            else:
                by_key[row.key.casefold()] = row
        order = self.order(rows, by_key, failed)
        self.made: dict[str, object] = {}  # key → goal, as the rows are carried out
        for row in order:
            if row.row in failed:
                continue
            parent_key = row.values.get("parent")
            if isinstance(parent_key, str) and not ID_KEY.match(parent_key):
                parent_row = by_key.get(parent_key.casefold())
                if parent_row is not None and parent_key.casefold() not in self.made:
                    self.error(row.row, "parent", f"Row {parent_row.row}, its parent, has errors.")
                    continue
            try:
                with transaction.atomic():
                    self.carry_out(row)
            except ValidationError as exc:
                found = exc.message_dict if hasattr(exc, "error_dict") else {"key": exc.messages}
                for name, messages in found.items():
                    column = FIELD_COLUMNS.get(name, name)
                    column = column if column in COLUMNS else "key"
                    for message in messages:
                        self.error(row.row, column, message)
            except LeadOSError as exc:
                self.error(row.row, "key", exc.message)
        self.plan.errors.sort(key=lambda e: (e.row, e.column))
        return self.plan

    def order(self, rows: list[GoalRow], by_key: dict, failed: set[int]) -> list[GoalRow]:
        """Parents before children; a loop of parents within the file is a row error."""
        ordered: list[GoalRow] = []
        state: dict[int, int] = {}  # 1: being placed, 2: placed
        for start in rows:
            stack = [start]
            while stack:
                row = stack[-1]
                if state.get(row.row) == 2:
                    stack.pop()
                    continue
                state[row.row] = 1
                parent_key = row.values.get("parent")
                parent = by_key.get(parent_key.casefold()) if isinstance(parent_key, str) else None
                if parent_key and parent is None and isinstance(parent_key, str):
                    if not ID_KEY.match(parent_key) and row.row not in failed:
                        self.error(
                            row.row,
                            "parent",
                            f'No row has the key "{parent_key}"; name a goal of this file by '
                            'its key, or "#<id>".',
                        )
                        failed.add(row.row)
                if parent is not None and state.get(parent.row) != 2:
                    if state.get(parent.row) == 1:
                        self.error(row.row, "parent", "Parents would loop through this row.")
                        failed.add(row.row)
                    else:
                        stack.append(parent)
                        continue
                state[row.row] = 2
                ordered.append(row)
                stack.pop()
        return ordered

    def resolve(self, key: str, column: str):
        from leados.operate.models import Goal

        match = ID_KEY.match(key)
        if match:
            goal = self.goals.get(int(match.group(1)))
            if goal is None:
                raise ValidationError({column: [f"No goal {key} in {self.org.name}."]})
            return Goal.objects.select_related("period", "unit", "person", "owner").get(pk=goal.pk)
        goal = self.made.get(key.casefold())
        if goal is None:
            raise ValidationError({column: [f'No goal with the key "{key}".']})
        return goal

    def carry_out(self, row: GoalRow) -> None:
        values = row.values
        match = ID_KEY.match(row.key)
        goal = self.resolve(row.key, "key") if match else None
        if goal is None:
            unit, person = values.get("unit"), values.get("person")
            period = values.get("period")
            title = values.get("title", "")
            candidates = self.natural.get(
                (
                    unit.pk if unit else None,
                    person.pk if person else None,
                    period.pk if period else None,
                    title.strip().casefold(),
                ),
                [],
            )
            if len(candidates) > 1:
                message = (
                    f'{len(candidates)} goals here are called "{title}" in this period; give '
                    'the one you mean as key "#<id>".'
                )
                raise ValidationError({"title": [message]})
            if candidates:
                goal = self.resolve(f"#{candidates[0].pk}", "key")
        if goal is None:
            goal = self.create(row)
            self.plan.create.append(GoalChange(row.row, row.key, goal.title, self.where(goal)))
        else:
            changes = self.update(goal, row)
            goal.refresh_from_db()
            if changes:
                self.plan.update.append(
                    GoalChange(row.row, row.key, goal.title, self.where(goal), changes)
                )
            else:
                self.plan.unchanged += 1
        self.made[row.key.casefold()] = goal

    def where(self, goal) -> str:
        if goal.unit_id:
            return self.units[goal.unit_id].name if goal.unit_id in self.units else ""
        return f"Self of {goal.person.name}" if goal.person_id else ""

    def parent_of(self, row: GoalRow):
        key = row.values.get("parent")
        return self.resolve(key, "parent") if key else None

    def set_done(self, goal, done: bool) -> bool:
        """Record "done" or "not done" from the current column as a check-in, when it
        changes anything; only a done / not done goal takes it."""
        from leados.operate.services.check_ins import check_in_create

        if goal.kind != "binary":
            raise ValidationError(
                {"current": ['Write "done" or "not done" only for a done / not done goal.']}
            )
        if goal.is_done == done:
            return False
        check_in_create(goal=goal, author=self.by or goal.owner, is_done=done, comment="Import")
        goal.refresh_from_db()
        return True

    def create(self, row: GoalRow):
        from leados.operate.services.goals import goal_create, goal_update

        values = row.values
        if "unit" not in values and "person" not in values:
            raise ValidationError({"unit": ["Give the unit (or the person, for a self goal)."]})
        kind = values.get("kind", "milestones" if values.get("milestones") else "metric")
        milestones = values.get("milestones", [])
        goal = goal_create(
            organization=self.org,
            actor=self.by,
            title=values.get("title", ""),
            description=values.get("description", ""),
            unit=values.get("unit"),
            person=values.get("person"),
            owner=values.get("owner"),
            period=values.get("period"),
            parent=self.parent_of(row),
            kind=kind,
            weight=values.get("weight", 1),
            start_value=values.get("start"),
            target_value=values.get("target"),
            current_value=values.get("current"),
            metric_unit=values.get("unit_of_measure", ""),
            direction=values.get("direction", ""),
            start_date=values.get("start_date"),
            due_date=values.get("due_date"),
            milestones=[title for title, _done in milestones],
        )
        if any(done for _title, done in milestones):
            self.set_milestones(goal, milestones)
        if "done" in values:
            self.set_done(goal, values["done"])
        if values.get("status_override"):
            goal = goal_update(
                goal=goal,
                actor=self.by,
                expected_version=None,
                status_override=values["status_override"],
                status_override_reason=values.get("status_override_reason", ""),
            )
        return goal

    def set_milestones(self, goal, items: list[tuple[str, bool]]) -> bool:
        from leados.operate.models import Milestone
        from leados.operate.services.goals import goal_milestones_set

        existing = list(Milestone.objects.filter(goal=goal))
        if [(m.title, m.done) for m in existing] == list(items):
            return False
        unused = list(existing)
        payload = []
        for title, done in items:
            same = next((m for m in unused if m.title.casefold() == title.casefold()), None)
            if same is not None:
                unused.remove(same)
                payload.append({"id": same.pk, "title": title, "done": done})
            else:
                payload.append({"title": title, "done": done})
        goal_milestones_set(goal=goal, milestones=payload, expected_version=None)
        return True

    def update(self, goal, row: GoalRow) -> list[str]:
        from leados.operate.services.check_ins import check_in_create
        from leados.operate.services.goals import goal_move, goal_reassign, goal_update

        values = row.values
        if goal.archived_at is not None:
            raise ValidationError({"key": ["This goal is archived; restore it first."]})
        if "unit" in values and values["unit"].pk != goal.unit_id:
            message = (
                f"This goal belongs to {self.where(goal)}; an import does not move goals "
                "between units."
            )
            raise ValidationError({"unit": [message]})
        if "person" in values and values["person"].pk != goal.person_id:
            raise ValidationError({"person": ["An import does not move a self goal."]})
        changed: list[str] = []
        fields = {}
        simple = (
            ("title", "title"),
            ("description", "description"),
            ("weight", "weight"),
            ("kind", "kind"),
            ("start", "start_value"),
            ("target", "target_value"),
            ("unit_of_measure", "metric_unit"),
            ("direction", "direction"),
            ("start_date", "start_date"),
            ("due_date", "due_date"),
            ("status_override", "status_override"),
            ("status_override_reason", "status_override_reason"),
        )
        for column, name in simple:
            if column in values and values[column] != getattr(goal, name):
                fields[name] = values[column]
                changed.append(column)
        if "period" in values and values["period"] != goal.period:
            fields["period"] = values["period"]
            changed.append("period")
        if "milestones" in values and fields.get("kind", goal.kind) == "milestones":
            # Milestones first, so that a goal becoming a milestones goal has them.
            if self.set_milestones(goal, values["milestones"]):
                changed.append("milestones")
                goal.refresh_from_db()
        if fields:
            goal = goal_update(goal=goal, actor=self.by, expected_version=None, **fields)
        if "milestones" in values and "milestones" not in changed:
            if self.set_milestones(goal, values["milestones"]):
                changed.append("milestones")
                goal.refresh_from_db()
        if "owner" in values and values["owner"].pk != goal.owner_id:
            goal = goal_reassign(
                goal=goal, actor=self.by, owner=values["owner"], expected_version=None
            )
            changed.append("owner")
        if "parent" in values:
            parent = self.parent_of(row)
            if (parent.pk if parent else None) != goal.parent_id:
                goal = goal_move(goal=goal, parent=parent, expected_version=None)
                changed.append("parent")
        if "done" in values and self.set_done(goal, values["done"]):
            changed.append("current")
        if "current" in values and values["current"] != goal.current_value:
            if goal.kind != "metric":
                raise ValidationError({"current": ["Only a metric goal has a current value."]})
            author = self.by or goal.owner
            check_in_create(goal=goal, author=author, value=values["current"], comment="Import")
            changed.append("current")
        return changed


def _current_text(goal) -> str:
    if goal.kind == "binary":
        return "done" if goal.is_done else "not done"
    return _number_text(goal.current_value)


def build_goal_plan(
    *, organization: Organization, by: Person | None, parsed: ParsedFile, apply: bool = False
) -> GoalPlan:
    """What importing the goals in ``parsed`` would change, and every row error.

    Runs the file through the services in one transaction, and keeps the changes only
    with ``apply`` and no row error. Call inside the organization's scope.
    """
    importer = _GoalImport(organization, by)
    try:
        with edge_override(Edge.IMPORT), transaction.atomic():
            plan = importer.run(parsed)
            if not apply or plan.errors or plan.is_noop:
                raise _RollBack
    except _RollBack:
        pass
    except IntegrityError:
        raise Conflict(
            "Someone changed the goals while the file was being applied; preview it again."
        ) from None
    return importer.plan


def goals_import_apply(
    *, organization: Organization, by: Person | None, parsed: ParsedFile
) -> GoalPlan:
    """Apply the whole file or nothing: raise ``ImportRejected`` with the row errors.

    Importing the same file again changes nothing: no history entries, no new versions.
    """
    from leados.core.transfer.services import ImportRejected

    plan = build_goal_plan(organization=organization, by=by, parsed=parsed, apply=True)
    if plan.errors:
        raise ImportRejected(plan)
    return plan


__all__ = [
    "GoalPlan",
    "build_goal_plan",
    "export_goal_rows",
    "goals_export_filename",
    "goals_import_apply",
]
