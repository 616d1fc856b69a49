"""Writing values of many measurables at once: the API's bulk push and the values import.

The whole batch is one transaction: every measurable's values go through ``values_set``
(the same checks as one value typed in the grid), every error of every item is collected,
and one error anywhere writes nothing. The work is a few queries per measurable, not per
value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from leados.core.errors import Conflict
from leados.core.models import Person
from leados.core.services._common import field_error
from leados.operate.models import Measurable, ValueSource
from leados.operate.services.goal_feed import goals_sync_for_many
from leados.operate.services.measurables import MAX_BATCH, BatchResult, ValueInput, values_set

MAX_PUSH = MAX_BATCH


def _renumber(exc: ValidationError, positions: list[int], prefix: str) -> dict[str, list[str]]:
    """``items.<n>.<field>`` of one measurable's batch → ``<prefix>.<position>.<field>``."""
    errors: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        parts = key.split(".", 2)
        if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
            key = f"{prefix}.{positions[int(parts[1])]}.{parts[2]}"
        errors.setdefault(key, []).extend(messages)
    return errors


@transaction.atomic
def values_push(
    *,
    items: Sequence[tuple[Measurable, ValueInput]],
    author: Person | None,
    source: str = ValueSource.API,
    prefix: str = "items",
) -> BatchResult:
    """Write ``(measurable, value)`` pairs of any number of measurables, all or nothing.

    Errors are keyed ``<prefix>.<n>.<field>`` with ``n`` the item's place in ``items``; an
    archived or formula measurable is an error on its items' ``measurable`` field."""
    if len(items) > MAX_PUSH:
        raise field_error(prefix, f"Send at most {MAX_PUSH:,} values at once.")
    groups: dict[int, list[int]] = defaultdict(list)
    measurables: dict[int, Measurable] = {}
    for n, (measurable, _) in enumerate(items):
        groups[measurable.pk].append(n)
        measurables[measurable.pk] = measurable
    errors: dict[str, list[str]] = {}
    total = BatchResult()
    written: list[Measurable] = []
    for pk, positions in groups.items():
        measurable = measurables[pk]
        try:
            result = values_set(
                measurable=measurable,
                items=[items[n][1] for n in positions],
                author=author,
                source=source,
                sync_goals=False,
            )
        except Conflict as exc:
            for n in positions:
                errors.setdefault(f"{prefix}.{n}.measurable", []).append(exc.message)
            continue
        except ValidationError as exc:
            renumbered = _renumber(exc, positions, prefix)
            if "value" in renumbered:  # the measurable as a whole takes no values
                messages = renumbered.pop("value")
                for n in positions:
                    errors.setdefault(f"{prefix}.{n}.measurable", []).extend(messages)
            for key, messages in renumbered.items():
                errors.setdefault(key, []).extend(messages)
            continue
        total.created += result.created
        total.updated += result.updated
        total.unchanged += result.unchanged
        if result.created or result.updated:
            written.append(measurable)
    if errors:
        raise ValidationError(errors)
    goals_sync_for_many(written, author=author)  # once for all, after every value is in
    return total
