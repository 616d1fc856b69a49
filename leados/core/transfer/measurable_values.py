"""Import and export of measurables' values (CSV and XLSX), all or nothing, with a preview.

A row is one value: the measurable, the first day of its period, the value and an
optional note. ``measurable`` names it as ``#<id>`` (an export writes every row so), by
its key, or by its name (with ``unit`` to tell apart measurables of the same name in
several units); a ``name`` column may stand in for it. A value already there is replaced
and its earlier figure stays in the history, so importing the same file again changes
nothing.

The rows go through the same service as values typed into the grid or pushed through the
API, in one transaction: the preview rolls it back, the import commits it only when no
row failed. So the preview and the import apply exactly the same rules.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leados.core import policy
from leados.core.context import edge_override
from leados.core.errors import Conflict
from leados.core.models import Edge, Organization, Person, Unit
from leados.core.transfer.columns import join_path
from leados.core.transfer.goals import ID_KEY, RowError, _number_text
from leados.core.transfer.reader import ParsedFile
from leados.core.transfer.value_columns import COLUMNS

SUBJECT = "measurable_values"


class _RollBack(Exception):
    """Leave the transaction without keeping anything (a preview, or a file with errors)."""


@dataclass
class ValueChange:
    row: int
    measurable: int
    name: str
    period_start: datetime.date
    value: float
    previous: float | None

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "measurable": self.measurable,
            "name": self.name,
            "period_start": self.period_start,
            "value": self.value,
            "previous": self.previous,
        }


@dataclass
class ValuesPlan:
    errors: list[RowError] = field(default_factory=list)
    create: list[ValueChange] = field(default_factory=list)
    update: list[ValueChange] = field(default_factory=list)
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
            "values_created": len(self.create),
            "values_updated": len(self.update),
            "values_unchanged": self.unchanged,
            "errors": len(self.errors),
        }


# --------------------------------------------------------------------------- export


def _unit_paths() -> dict[int, str]:
    units = {u.pk: u for u in Unit.objects.only("id", "parent_id", "name")}
    paths: dict[int, str] = {}
    for pk in units:
        names, current = [], units.get(pk)
        while current is not None:
            names.append(current.name)
            current = units.get(current.parent_id)
        paths[pk] = join_path(names[::-1])
    return paths


def export_value_rows(
    *,
    measurables: Sequence | None = None,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
):
    """The header and a row per entered value of ``measurables`` (every live one when
    ``None``), measurable by measurable, oldest first, in three queries. Computed values
    (roll-ups, formulas) are not written: they are not imported either. Call inside the
    organization's scope. Values are raw; writers neutralize them."""
    from leados.operate.models import Measurable, MeasurableValue

    yield list(COLUMNS)
    paths = _unit_paths()
    if measurables is None:
        measurables = list(Measurable.objects.live().order_by("name", "id"))
    order = {m.pk: n for n, m in enumerate(measurables)}
    by_id = {m.pk: m for m in measurables}
    values = MeasurableValue.objects.filter(measurable_id__in=list(by_id))
    if first is not None:
        values = values.filter(period_start__gte=first)
    if last is not None:
        values = values.filter(period_start__lte=last)
    rows = sorted(
        values.values_list("measurable_id", "period_start", "value", "note"),
        key=lambda r: (order[r[0]], r[1]),
    )
    for measurable_id, start, value, note in rows:
        m = by_id[measurable_id]
        yield [
            f"#{m.pk}",
            m.name,
            paths.get(m.unit_id, "") if m.unit_id else "",
            start.isoformat(),
            _number_text(value),
            note,
        ]


def values_export_filename(organization: Organization, extension: str) -> str:
    return f"{organization.slug}-values-{timezone.localdate().isoformat()}.{extension}"


# --------------------------------------------------------------------------- planning


class _ValueImport:
    def __init__(self, organization: Organization, by: Person | None):
        from leados.operate.models import Measurable

        self.organization = organization
        self.by = by
        self.plan = ValuesPlan()
        self.measurables = {
            m.pk: m
            for m in Measurable.objects.select_related("organization", "unit", "owner").order_by(
                "pk"
            )
        }
        self.by_key = {m.key: m for m in self.measurables.values() if m.key}
        self.by_name: dict[str, list] = defaultdict(list)
        for m in self.measurables.values():
            if m.archived_at is None:
                self.by_name[m.name.casefold()].append(m)
        self.paths = _unit_paths()
        self.allowed: dict[int, bool] = {}
        if by is not None:
            policy.preload_unit_roles(by)

    def error(self, row: int, column: str, message: str) -> None:
        self.plan.errors.append(RowError(row, column, message))

    def in_unit(self, m, text: str) -> bool:
        if m.unit_id is None:
            return False
        wanted = text.casefold()
        return wanted in (m.unit.name.casefold(), self.paths.get(m.unit_id, "").casefold())

    def resolve(self, number: int, raw: dict):
        text = raw.get("measurable", "") or raw.get("name", "")
        column = "measurable" if raw.get("measurable") else "name"
        unit = raw.get("unit", "")
        if not text:
            self.error(number, "measurable", "Name the measurable: #id, key or name.")
            return None
        match = ID_KEY.match(text)
        if match:
            found = self.measurables.get(int(match.group(1)))
            if found is None:
                self.error(number, column, f"No measurable {text} in this organization.")
            return found
        if text in self.by_key:
            return self.by_key[text]
        candidates = self.by_name.get(text.casefold(), [])
        if unit:
            candidates = [m for m in candidates if self.in_unit(m, unit)]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            self.error(
                number,
                column,
                f'{len(candidates)} measurables are called "{text}"; add the unit column, or '
                "use the key or #id.",
            )
        else:
            where = f' in "{unit}"' if unit else ""
            self.error(number, column, f'No live measurable is called "{text}"{where}.')
        return None

    def may_enter(self, m) -> bool:
        if m.pk not in self.allowed:
            self.allowed[m.pk] = self.by is not None and policy.can(
                self.by, policy.MEASURABLE_ENTER, m
            )
        return self.allowed[m.pk]

    @staticmethod
    def day(text: str) -> datetime.date | None:
        text = text.strip()
        if text.endswith("T00:00:00"):
            text = text[: -len("T00:00:00")]
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return None

    def run(self, parsed: ParsedFile) -> ValuesPlan:
        from leados.operate.models import MeasurableValue, ValueSource
        from leados.operate.services.measurables import ValueInput
        from leados.operate.services.value_batches import values_push

        self.plan.rows = len(parsed.rows)
        items, numbers = [], []
        for raw in parsed.rows:
            number = raw["row"]
            m = self.resolve(number, raw)
            day = self.day(raw.get("period_start", ""))
            if day is None:
                self.error(number, "period_start", "Give the period's first day as YYYY-MM-DD.")
            if m is None:
                continue
            if not self.may_enter(m):
                self.error(number, "measurable", f"You may not enter values of {m.name} (#{m.pk}).")
                continue
            if day is None:
                continue
            items.append((m, ValueInput(day, raw.get("value", ""), raw.get("note", ""))))
            numbers.append(number)
        if not items:
            return self.plan
        ids = list({m.pk for m, _ in items})
        starts = [v.period_start for _, v in items]
        window = MeasurableValue.objects.filter(
            measurable_id__in=ids, period_start__gte=min(starts), period_start__lte=max(starts)
        )
        before = {
            (mid, start): (value, version)
            for mid, start, value, version in window.values_list(
                "measurable_id", "period_start", "value", "version"
            )
        }
        try:
            values_push(items=items, author=self.by, source=ValueSource.IMPORT, prefix="rows")
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                parts = key.split(".", 2)
                if len(parts) == 3 and parts[0] == "rows" and parts[1].isdigit():
                    row, column = numbers[int(parts[1])], parts[2]
                else:
                    row, column = 0, key
                for message in messages:
                    self.error(row, column, message)
            self.plan.errors.sort(key=lambda e: e.row)
            return self.plan
        after = {
            (mid, start): (value, version)
            for mid, start, value, version in window.values_list(
                "measurable_id", "period_start", "value", "version"
            )
        }
        for number, (m, item) in zip(numbers, items, strict=True):
            key = (m.pk, item.period_start)
            old, new = before.get(key), after[key]
            change = ValueChange(
                number, m.pk, m.name, item.period_start, new[0], old[0] if old else None
            )
            if old is None:
                self.plan.create.append(change)
            elif old[1] != new[1]:
                self.plan.update.append(change)
            else:
                self.plan.unchanged += 1
        self.plan.errors.sort(key=lambda e: e.row)
        return self.plan


def build_values_plan(
    *, organization: Organization, by: Person | None, parsed: ParsedFile, apply: bool = False
) -> ValuesPlan:
    """What importing the values in ``parsed`` would change, and every row error.

    Runs the file through the value service in one transaction, and keeps the changes
    only with ``apply`` and no row error. Call inside the organization's scope.
    """
    importer = _ValueImport(organization, by)
    try:
        with edge_override(Edge.IMPORT), transaction.atomic():
            plan = importer.run(parsed)
            if not apply or plan.errors or plan.is_noop:
                raise _RollBack
    except _RollBack:
        pass
    except IntegrityError:
        raise Conflict(
            "Someone entered values while the file was being applied; preview it again."
        ) from None
    return importer.plan


def values_import_apply(
    *, organization: Organization, by: Person | None, parsed: ParsedFile
) -> ValuesPlan:
    """Apply the whole file or nothing: raise ``ImportRejected`` with the row errors."""
    from leados.core.transfer.services import ImportRejected

    plan = build_values_plan(organization=organization, by=by, parsed=parsed, apply=True)
    if plan.errors:
        raise ImportRejected(plan)
    return plan


__all__ = [
    "SUBJECT",
    "ValuesPlan",
    "build_values_plan",
    "export_value_rows",
    "values_export_filename",
    "values_import_apply",
]
