"""Writes to measurables, their per-period targets and their values.

A measurable belongs to a live unit (or is a person's own), has an owner and a
frequency; values are kept one per period of that frequency. Every write validates,
refuses stale versions, and records history; a value written again keeps its earlier
figure in the history (late values are accepted, never silently lost). A batch of values
is all or nothing: one bad row and none is written.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from leados.core.db import db_value, execute_many
from leados.core.errors import Conflict
from leados.core.history import diff, history_record, history_record_many, snapshot
from leados.core.models import HistoryAction, Organization, Person, Unit
from leados.core.services._common import apply_changes, check_version, field_error, lock
from leados.operate import formulas, measures
from leados.operate.models import (
    Better,
    Category,
    Frequency,
    Measurable,
    MeasurableKind,
    MeasurableTarget,
    MeasurableValue,
    ThresholdMode,
    TimeAggregation,
    UnitAggregation,
    ValueSource,
)
from leados.operate.models.scorecards import (
    DESCRIPTION_MAX,
    KEY_MAX,
    MAX_DECIMALS,
    NAME_MAX,
    NOTE_MAX,
    UNIT_LABEL_MAX,
)
from leados.operate.services.goals import default_owner

NUMBER_LIMIT = 1e15
MAX_BATCH = 20_000
MEASURABLE_UPDATABLE = {
    "name", "description", "key", "unit", "owner", "category", "kind", "currency",
    "unit_label", "decimals", "better", "frequency", "target", "target_max",
    "threshold_mode", "green_bound", "red_bound", "time_aggregation", "unit_aggregation",
    "parent", "weight", "formula", "require_red_note",
}  # fmt: skip
# What a parent and its children must share to be added up.
SHARED_WITH_PARENT = ("kind", "frequency", "currency")


# ---------------------------------------------------------------------------- checks


def text(field: str, value, limit: int, *, required: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        raise field_error(field, "Enter text.")
    value = (value or "").strip()
    if required and not value:
        raise field_error(field, "This cannot be empty.")
    if len(value) > limit:
        raise field_error(field, f"Keep this to {limit} characters (it has {len(value)}).")
    if "\x00" in value:
        raise field_error(field, "Text cannot contain NUL characters.")
    return value


def number(field: str, value, *, required: bool = False) -> float | None:
    """``value`` as a finite float no larger than 10^15 either way."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise field_error(field, "Enter a number.")
        return None
    if isinstance(value, bool):
        raise field_error(field, "Enter a number, such as 42 or 3.5.")
    try:
        result = float(value.strip().replace(",", "") if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise field_error(field, "Enter a number, such as 42 or 3.5.") from None
    if not math.isfinite(result) or abs(result) > NUMBER_LIMIT:
        raise field_error(field, "Enter a finite number no larger than 10^15 either way.")
    return result


def _choice(field: str, value, choices) -> str:
    if value not in choices.values:
        raise field_error(field, f"Choose one of: {', '.join(choices.values)}.")
    return value


def _refuse_unknown(fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            {name: ["This field cannot be changed here."] for name in sorted(unknown)}
        )


def _same_org(obj, organization_id: int, field: str) -> None:
    if obj is not None and obj.organization_id != organization_id:
        raise field_error(field, "This does not exist.")


def _check_owner(owner: Person | None, organization_id: int) -> Person:
    if owner is None:
        raise field_error("owner", "Choose who owns this measurable.")
    _same_org(owner, organization_id, "owner")
    if not owner.is_active:
        raise field_error("owner", "The owner must be an active member of the organization.")
    return owner


def _check_key(measurable: Measurable) -> None:
    key = measurable.key
    if not key:
        return
    if key in formulas.FUNCTIONS:
        raise field_error("key", f"{key!r} is the name of a formula function; pick another key.")
    taken = (
        Measurable.objects.filter(organization_id=measurable.organization_id, key=key)
        .exclude(pk=measurable.pk)
        .exists()
    )
    if taken:
        raise field_error("key", f"Another measurable already uses the key {key!r}.")


def _check_formula(measurable: Measurable) -> None:
    """A formula names existing keys (not its own) and makes no loop of formulas."""
    if not measurable.formula:
        return
    try:
        names = formulas.parse(measurable.formula)
    except formulas.FormulaError as exc:
        raise field_error("formula", str(exc)) from None
    if not names:
        raise field_error("formula", "A formula names at least one other measurable's key.")
    rows = list(
        Measurable.objects.filter(organization_id=measurable.organization_id)
        .exclude(key="")
        .exclude(pk=measurable.pk)
        .values_list("key", "formula", "frequency")
    )
    keyed = {key: text_ for key, text_, _ in rows}
    other_frequency = sorted(
        key for key, _, freq in rows if key in names and freq != measurable.frequency
    )
    if other_frequency:
        raise field_error(
            "formula",
            f"{', '.join(repr(k) for k in other_frequency)} is measured at another frequency; "
            f"a {measurable.frequency} formula uses {measurable.frequency} measurables.",
        )
    unknown = sorted(name for name in names if name not in keyed and name != measurable.key)
    if unknown:
        raise field_error(
            "formula",
            f"No measurable has the key {', '.join(repr(n) for n in unknown)}. "
            "Give the measurables you use keys first.",
        )
    graph: dict[str, set[str]] = {}
    for key, text_ in keyed.items():
        graph[key] = formulas.parse(text_) if text_ else set()
    me = measurable.key or f"#{measurable.pk or 'new'}"
    graph[me] = names
    loop = formulas.find_cycle(me, graph)
    if loop:
        raise field_error("formula", f"This formula would go round in a loop: {' → '.join(loop)}.")
    if measurable.parent_id is not None:
        raise field_error("formula", "A formula measurable cannot roll up into another.")


def _check_parent(measurable: Measurable) -> None:
    parent = measurable.parent
    if parent is None:
        return
    _same_org(parent, measurable.organization_id, "parent")
    if parent.pk == measurable.pk:
        raise field_error("parent", "A measurable cannot roll up into itself.")
    if parent.parent_id is not None:
        raise field_error("parent", "Roll up into a measurable that does not itself roll up.")
    if parent.formula:
        raise field_error("parent", "A formula measurable cannot take roll-ups.")
    if measurable.pk and Measurable.objects.filter(parent_id=measurable.pk).exists():
        raise field_error("parent", "Others roll up into this measurable; it cannot roll up too.")
    for name in SHARED_WITH_PARENT:
        if getattr(parent, name) != getattr(measurable, name):
            raise field_error(
                "parent",
                f"It rolls up into {parent.name}, so its {name.replace('_', ' ')} must be the "
                f"same ({getattr(parent, name) or 'none'}).",
            )


def _check_targets(measurable: Measurable) -> None:
    errors: dict[str, list[str]] = {}
    if measurable.better == Better.RANGE:
        if measurable.target is None and measurable.target_max is None:
            errors["target"] = ["A range needs a low end, a high end or both."]
        elif (
            measurable.target is not None
            and measurable.target_max is not None
            and measurable.target_max < measurable.target
        ):
            errors["target_max"] = ["The high end of the range is below its low end."]
    elif measurable.target_max is not None:
        errors["target_max"] = ["Only a range has a high end."]
    if measurable.threshold_mode == ThresholdMode.ABSOLUTE and measurable.better != Better.RANGE:
        green, red = measurable.green_bound, measurable.red_bound
        green = measurable.target if green is None else green
        if green is not None and red is not None:
            if measurable.better == Better.HIGHER and red > green:
                errors["red_bound"] = ["Higher is better: red starts below green, not above."]
            if measurable.better == Better.LOWER and red < green:
                errors["red_bound"] = ["Lower is better: red starts above green, not below."]
    if measurable.threshold_mode == ThresholdMode.SHARE:
        for name in ("green_bound", "red_bound"):
            value = getattr(measurable, name)
            if value is not None and not 0 <= value <= 10:
                errors[name] = ["As a share of the target, use a number from 0 to 10 (1 = 100 %)."]
    if measurable.kind == MeasurableKind.YES_NO and measurable.target not in (None, 0.0, 1.0):
        errors["target"] = ["A yes / no measurable's target is 1 (yes) or 0 (no)."]
    if errors:
        raise ValidationError(errors)


def _clean(measurable: Measurable) -> None:
    m = measurable
    m.name = text("name", m.name, NAME_MAX, required=True)
    m.description = text("description", m.description, DESCRIPTION_MAX)
    m.key = text("key", m.key, KEY_MAX)
    m.unit_label = text("unit_label", m.unit_label, UNIT_LABEL_MAX)
    m.category = _choice("category", m.category, Category)
    m.kind = _choice("kind", m.kind, MeasurableKind)
    m.better = _choice("better", m.better, Better)
    m.frequency = _choice("frequency", m.frequency, Frequency)
    m.threshold_mode = _choice("threshold_mode", m.threshold_mode, ThresholdMode)
    m.time_aggregation = _choice("time_aggregation", m.time_aggregation, TimeAggregation)
    m.unit_aggregation = _choice("unit_aggregation", m.unit_aggregation, UnitAggregation)
    m.currency = text("currency", m.currency, 3).upper()
    if m.kind == MeasurableKind.CURRENCY and not m.currency:
        raise field_error("currency", "A currency measurable needs a currency, such as EUR.")
    if m.kind != MeasurableKind.CURRENCY:
        m.currency = ""
    if isinstance(m.decimals, bool) or not isinstance(m.decimals, int):
        raise field_error("decimals", f"Use a whole number from 0 to {MAX_DECIMALS}.")
    if not 0 <= m.decimals <= MAX_DECIMALS:
        raise field_error("decimals", f"Use a whole number from 0 to {MAX_DECIMALS}.")
    for name in ("target", "target_max", "green_bound", "red_bound"):
        setattr(m, name, number(name, getattr(m, name)))
    m.weight = number("weight", m.weight, required=True)
    if m.weight < 0:
        raise field_error("weight", "A weight is zero or more.")
    m.formula = text("formula", m.formula, formulas.MAX_LENGTH)
    if not isinstance(m.require_red_note, bool):
        raise field_error("require_red_note", "Answer yes or no.")
    _check_targets(m)
    m.full_clean(exclude=["organization", "unit", "owner", "parent"])
    _check_key(m)
    _check_parent(m)
    _check_formula(m)


# ---------------------------------------------------------------------------- measurables


@transaction.atomic
def measurable_create(
    *,
    organization: Organization,
    actor: Person | None,
    name: str,
    unit: Unit | None = None,
    person: Person | None = None,
    owner: Person | None = None,
    **fields,
) -> Measurable:
    """Create a measurable of ``unit`` (or ``person``'s own when there is no unit); the
    owner defaults to the person, else the unit's lead, else ``actor``."""
    _refuse_unknown(fields, MEASURABLE_UPDATABLE - {"name", "unit", "owner"})
    org_id = organization.pk
    _same_org(unit, org_id, "unit")
    _same_org(person, org_id, "person")
    if unit is not None and unit.is_archived:
        raise field_error("unit", "This unit is archived; restore it first.")
    if unit is None and person is None and owner is None:
        raise field_error("unit", "Choose the unit this measurable belongs to.")
    fallback = actor if actor is not None else owner
    owner = _check_owner(owner or default_owner(unit, person, fallback), org_id)
    measurable = Measurable(organization_id=org_id, name=name, unit=unit, owner=owner, **fields)
    _clean(measurable)
    measurable.save()
    history_record(measurable, action=HistoryAction.CREATE)
    return measurable


@transaction.atomic
def measurable_update(
    *, measurable: Measurable, expected_version: int | None, **fields
) -> Measurable:
    """Change a measurable's settings. Its frequency stays once it has values (they are
    kept per period of that frequency); a measurable with values cannot become a formula."""
    _refuse_unknown(fields, MEASURABLE_UPDATABLE)
    measurable = lock(measurable)
    check_version(measurable, expected_version)
    org_id = measurable.organization_id
    if "unit" in fields:
        unit = fields["unit"]
        _same_org(unit, org_id, "unit")
        if unit is not None and unit.is_archived:
            raise field_error("unit", "This unit is archived.")
    if "owner" in fields:
        fields["owner"] = _check_owner(fields["owner"], org_id)
    has_values = MeasurableValue.objects.filter(measurable=measurable).exists()
    if "frequency" in fields and fields["frequency"] != measurable.frequency and has_values:
        raise field_error(
            "frequency",
            "This measurable has values per period of its frequency; start a new measurable "
            "for another frequency.",
        )
    if fields.get("formula") and has_values and not measurable.formula:
        raise field_error(
            "formula", "This measurable has values of its own; a formula measurable has none."
        )
    children = Measurable.objects.filter(parent_id=measurable.pk)
    if children.exists():
        for name in SHARED_WITH_PARENT:
            if name in fields and fields[name] != getattr(measurable, name):
                raise field_error(
                    name, "Other measurables roll up into this one; change them first."
                )
    before = snapshot(measurable)
    for name, value in fields.items():
        setattr(measurable, name, value)
    _clean(measurable)
    changes = diff(before, snapshot(measurable))
    if not changes:
        return measurable
    measurable.version += 1
    measurable.save()
    history_record(measurable, action=HistoryAction.UPDATE, changes=changes)
    return measurable


@transaction.atomic
def measurable_archive(*, measurable: Measurable, expected_version: int | None) -> Measurable:
    """Archive: it leaves scorecards' grids and My week, keeps its values and history."""
    measurable = lock(measurable)
    check_version(measurable, expected_version)
    if measurable.is_archived:
        return measurable
    if Measurable.objects.live().filter(parent_id=measurable.pk).exists():
        raise Conflict("Other measurables roll up into this one; archive or move them first.")
    apply_changes(
        measurable, {"archived_at": timezone.now()}, expected_version=None, exclude=["organization"]
    )
    return measurable


@transaction.atomic
def measurable_unarchive(*, measurable: Measurable, expected_version: int | None) -> Measurable:
    measurable = lock(measurable)
    check_version(measurable, expected_version)
    if not measurable.is_archived:
        return measurable
    if measurable.unit_id is not None and measurable.unit.is_archived:
        raise Conflict("Its unit is archived; restore the unit first.")
    apply_changes(
        measurable, {"archived_at": None}, expected_version=None, exclude=["organization"]
    )
    return measurable


@transaction.atomic
def measurable_delete(*, measurable: Measurable, expected_version: int | None) -> None:
    """Delete a measurable that has no values, no roll-ups and that no formula uses;
    archive it otherwise."""
    measurable = lock(measurable)
    check_version(measurable, expected_version)
    if MeasurableValue.objects.filter(measurable=measurable).exists():
        raise Conflict("This measurable has values; archive it instead, so they are kept.")
    if Measurable.objects.filter(parent_id=measurable.pk).exists():
        raise Conflict("Other measurables roll up into this one; move them first.")
    if measurable.key and _used_by_formulas(measurable):
        raise Conflict("A formula uses this measurable; change the formula first.")
    history_record(measurable, action=HistoryAction.DELETE)
    measurable.delete()


def _used_by_formulas(measurable: Measurable) -> list[str]:
    users = []
    for name, text_ in (
        Measurable.objects.filter(organization_id=measurable.organization_id)
        .exclude(formula="")
        .values_list("name", "formula")
    ):
        if measurable.key in formulas.parse(text_):
            users.append(name)
    return users


# ---------------------------------------------------------------------------- targets


def _span(measurable: Measurable, day) -> measures.Span:
    """The period of ``measurable``'s frequency starting on ``day`` (a date or ISO text)."""
    if isinstance(day, str):
        try:
            day = datetime.date.fromisoformat(day.strip())
        except ValueError:
            raise field_error(
                "period_start", "Give the period's first day as YYYY-MM-DD."
            ) from None
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise field_error("period_start", "Give the period's first day as YYYY-MM-DD.")
    organization = measurable.organization
    span = measures.period_of(measurable.frequency, day, organization.fiscal_year_start_month)
    if span.start != day:
        raise field_error(
            "period_start",
            f"{day.isoformat()} does not start a {measurable.frequency} period; that period "
            f"starts on {span.start.isoformat()}.",
        )
    return span


@transaction.atomic
def target_set(
    *, measurable: Measurable, period_start, target, target_max=None
) -> MeasurableTarget:
    """Set the target of one period (a seasonal target); replaces the one it had."""
    span = _span(measurable, period_start)
    target = number("target", target, required=True)
    target_max = number("target_max", target_max)
    if measurable.better != Better.RANGE and target_max is not None:
        raise field_error("target_max", "Only a range has a high end.")
    if target_max is not None and target_max < target:
        raise field_error("target_max", "The high end of the range is below its low end.")
    existing = MeasurableTarget.objects.select_for_update().filter(
        measurable=measurable, period_start=span.start
    )
    row = existing.first()
    if row is None:
        row = MeasurableTarget.objects.create(
            organization_id=measurable.organization_id,
            measurable=measurable,
            period_start=span.start,
            target=target,
            target_max=target_max,
        )
        history_record(row, action=HistoryAction.CREATE)
        return row
    apply_changes(
        row,
        {"target": target, "target_max": target_max},
        expected_version=None,
        exclude=["organization", "measurable"],
    )
    return row


@transaction.atomic
def target_clear(*, measurable: Measurable, period_start) -> bool:
    """Go back to the usual target for one period; ``False`` when it had none of its own."""
    span = _span(measurable, period_start)
    row = MeasurableTarget.objects.filter(measurable=measurable, period_start=span.start).first()
    if row is None:
        return False
    history_record(row, action=HistoryAction.DELETE)
    row.delete()
    return True


def target_for(measurable: Measurable, period_start: datetime.date, overrides: dict | None):
    """``(target, target_max)`` of one period: its own, else the measurable's usual one."""
    if overrides and period_start in overrides:
        return overrides[period_start]
    return measurable.target, measurable.target_max


# ---------------------------------------------------------------------------- values


@dataclass(frozen=True)
class ValueInput:
    """One value to write: the period's first day, the value, and an optional note."""

    period_start: object
    value: object
    note: object = None
    expected_version: int | None = None


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _check_enterable(measurable: Measurable) -> None:
    if measurable.formula:
        raise field_error("value", "A formula measurable is computed; it takes no values.")
    if measurable.is_archived:
        raise Conflict("This measurable is archived; restore it to enter values.")


def _value(measurable: Measurable, raw) -> float:
    if measurable.kind == MeasurableKind.YES_NO and isinstance(raw, str):
        word = raw.strip().lower()
        if word in ("yes", "y", "true", "1"):
            return 1.0
        if word in ("no", "n", "false", "0"):
            return 0.0
    if measurable.kind == MeasurableKind.YES_NO and isinstance(raw, bool):
        return 1.0 if raw else 0.0
    if isinstance(raw, str) and raw.strip().endswith("%") and measurable.kind == "percent":
        raw = raw.strip()[:-1]
    value = number("value", raw, required=True)
    if measurable.kind == MeasurableKind.YES_NO and value not in (0.0, 1.0):
        raise field_error("value", "A yes / no measurable takes yes (1) or no (0).")
    return value


def _needs_note(measurable: Measurable, value: float, period_start, overrides) -> bool:
    if not measurable.require_red_note:
        return False
    target, target_max = target_for(measurable, period_start, overrides)
    return (
        measures.colour(
            value,
            better=measurable.better,
            mode=measurable.threshold_mode,
            green=measurable.green_bound,
            red=measurable.red_bound,
            target=target,
            target_max=target_max,
        )
        == "red"
    )


def _overrides(measurable: Measurable) -> dict:
    return {
        start: (target, target_max)
        for start, target, target_max in MeasurableTarget.objects.filter(
            measurable=measurable
        ).values_list("period_start", "target", "target_max")
    }


@transaction.atomic
def values_set(
    *,
    measurable: Measurable,
    items: Iterable[ValueInput],
    author: Person | None,
    source: str = ValueSource.MANUAL,
    sync_goals: bool = True,
) -> BatchResult:
    """Write many values of one measurable, all or nothing: each is checked first (period,
    number, the note a red value needs, the version it was based on), and one bad item
    refuses the lot with every error, keyed ``items.<n>.<field>``. A value already there is
    replaced and its earlier figure stays in the history. The goals it feeds follow at
    once, unless ``sync_goals`` is false (a caller writing many measurables syncs them all
    once with ``goals_sync_for_many``)."""
    _check_enterable(measurable)
    items = list(items)
    if len(items) > MAX_BATCH:
        raise field_error("items", f"Send at most {MAX_BATCH:,} values at once.")
    overrides = _overrides(measurable) if measurable.require_red_note else {}
    errors: dict[str, list[str]] = {}
    cleaned: dict[datetime.date, tuple] = {}
    for n, item in enumerate(items):
        try:
            span = _span(measurable, item.period_start)
            value = _value(measurable, item.value)
            note = text("note", item.note, NOTE_MAX)
            if not note and _needs_note(measurable, value, span.start, overrides):
                raise field_error("note", "This value is red; say why in a note.")
            if span.start in cleaned:
                raise field_error("period_start", f"{span.start} appears twice in this batch.")
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"items.{n}.{field}", []).extend(messages)
            continue
        cleaned[span.start] = (span, value, note, item.expected_version)
    if errors:
        raise ValidationError(errors)
    existing = {
        v.period_start: v
        for v in MeasurableValue.objects.select_for_update().filter(
            measurable=measurable, period_start__in=list(cleaned)
        )
    }
    stale = [
        start
        for start, (_, _, _, version) in cleaned.items()
        if version is not None and version != (existing[start].version if start in existing else 0)
    ]
    if stale:
        current = existing.get(stale[0])
        raise Conflict(
            f"The value for {stale[0]} changed since you read it; reload and enter it again.",
            current_version=current.version if current else 0,
        )
    result = BatchResult()
    now = timezone.now()
    new, changed, befores = [], [], []
    for start, (span, value, note, _) in cleaned.items():
        row = existing.get(start)
        if row is None:
            new.append(
                MeasurableValue(
                    organization_id=measurable.organization_id,
                    measurable=measurable,
                    period_start=span.start,
                    period_end=span.end,
                    value=value,
                    note=note,
                    source=source,
                    entered_by=author,
                )
            )
            continue
        if row.value == value and row.note == note:
            result.unchanged += 1
            continue
        before = snapshot(row)
        row.value, row.note, row.source, row.entered_by = value, note, source, author
        row.version += 1
        row.updated_at = now
        befores.append(before)
        changed.append(row)
    if new:
        MeasurableValue.objects.bulk_create(new, batch_size=1000)
        if not all(v.pk for v in new):  # backends that return no ids: read them back
            ids = dict(
                MeasurableValue.objects.filter(
                    measurable=measurable, period_start__in=[v.period_start for v in new]
                ).values_list("period_start", "pk")
            )
            for v in new:
                v.pk = ids[v.period_start]
        history_record_many(new, action=HistoryAction.CREATE)
        result.created = len(new)
    if changed:
        _update_rows(changed, ["value", "note", "source", "entered_by", "version", "updated_at"])
        afters = [snapshot(row) for row in changed]
        changes = [diff(b, a) for b, a in zip(befores, afters, strict=True)]
        history_record_many(changed, action=HistoryAction.UPDATE, changes=changes, snapshots=afters)
        result.updated = len(changed)
    if sync_goals and (result.created or result.updated):
        from leados.operate.services.goal_feed import goals_sync_for

        goals_sync_for(measurable, author=author)
    return result


def _update_rows(rows: list[MeasurableValue], names: list[str]) -> None:
    """Write ``names`` of ``rows`` (locked, of one measurable) with one prepared UPDATE per
    row sent together: ``bulk_update``'s CASE expression costs seconds for thousands of
    rows, this costs milliseconds."""
    meta = MeasurableValue._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    # Only the model's own table and column names go into the text; values are parameters.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608
        + ", ".join(f"{quote(f.column)} = %s" for f in fields)
        + f" WHERE {quote(meta.pk.column)} = %s"
    )
    preparers = [(f.attname, db_value(connection, f)) for f in fields]
    params = [
        [prepare(getattr(row, name)) for name, prepare in preparers] + [row.pk] for row in rows
    ]
    execute_many(sql, params)


def value_set(
    *,
    measurable: Measurable,
    period_start,
    value,
    note=None,
    author: Person | None,
    source: str = ValueSource.MANUAL,
    expected_version: int | None = None,
) -> MeasurableValue:
    """Write one value (see ``values_set``) and return it. ``expected_version`` 0 means
    "there was no value yet"."""
    values_set(
        measurable=measurable,
        items=[ValueInput(period_start, value, note, expected_version)],
        author=author,
        source=source,
    )
    return MeasurableValue.objects.get(
        measurable=measurable, period_start=_span(measurable, period_start).start
    )


@transaction.atomic
def value_delete(*, value: MeasurableValue, expected_version: int | None) -> None:
    """Remove a value that should not be there; the history keeps it."""
    value = lock(value)
    check_version(value, expected_version)
    history_record(value, action=HistoryAction.DELETE)
    value.delete()
    from leados.operate.services.goal_feed import goals_sync_for

    goals_sync_for(value.measurable)


def next_position(queryset) -> int:
    top = queryset.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1
