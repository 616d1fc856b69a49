"""Synthetic scorecards for benchmarks: ``leados synth --measurables N [--weeks W]``.

About N measurables with W weeks of values each (2,000 × 156 ≈ 300,000 values): ten
organization-wide measurables measured by up to 100 units each (for comparisons across
units), the rest spread over the units about twenty to a unit, one unit scorecard per
unit with measurables (at most 20 rows). Rows are written in bulk, without history
entries, like the rest of the synthetic organization.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass

from django.utils import timezone

from leados.core.models import Person, Unit
from leados.operate import measures
from leados.operate.models import Measurable, MeasurableValue, Scorecard, ScorecardItem
from leados.operate.synth import _reserve_ids

SYNTH_TABLES = (
    "operate_measurable",
    "operate_measurablevalue",
    "operate_scorecard",
    "operate_scorecarditem",
)
FAMILIES = 10
FAMILY_UNITS = 100
PER_UNIT = 20
BATCH = 5000
CATEGORIES = [
    "operational_efficiency", "sales", "customer_satisfaction", "financial", "people", "quality",
]  # fmt: skip


@dataclass
class ScorecardSynthResult:
    measurables: int = 0
    values: int = 0
    scorecards: int = 0
    family_units: int = 0


def synth_scorecards(
    organization,
    *,
    measurables: int,
    weeks: int = 156,
    seed: int = 1,
    today: datetime.date | None = None,
) -> ScorecardSynthResult:
    """Add about ``measurables`` weekly measurables with ``weeks`` weeks of values each.
    Call inside a transaction and the organization's scope."""
    rng = random.Random(f"{seed}:scorecards:{organization.slug}")  # noqa: S311 - synthetic data
    today = today or timezone.localdate()
    result = ScorecardSynthResult()
    units = list(Unit.objects.filter(archived_at__isnull=True).order_by("pk"))
    people = list(Person.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    if not units or not people or measurables <= 0:
        return result
    root = next((u for u in units if u.parent_id is None), units[0])
    others = [u for u in units if u.pk != root.pk] or [root]
    org_id = organization.pk
    now = timezone.now()
    spans = measures.periods_ending("weekly", today, weeks)

    families = min(FAMILIES, max(measurables // 200, 1))
    family_units = min(FAMILY_UNITS, len(others))
    standalone = max(measurables - families * (family_units + 1), 0)
    rows: list[Measurable] = []
    ids = iter(_reserve_ids(Measurable, families * (family_units + 1) + standalone))

    def new(name, unit, *, parent=None, category=None, target=None):
        base = rng.uniform(50, 5000)
        m = Measurable(
            pk=next(ids),
            organization_id=org_id,
            name=name,
            unit_id=unit.pk,
            owner_id=rng.choice(people),
            category=category or rng.choice(CATEGORIES),
            kind="number",
            better=rng.choice(["higher", "higher", "higher", "lower"]),
            frequency="weekly",
            target=round(target if target is not None else base * rng.uniform(0.9, 1.15), 1),
            time_aggregation=rng.choice(["sum", "sum", "average", "last"]),
            unit_aggregation="sum",
            parent_id=parent,
            weight=1.0,
            created_at=now,
            updated_at=now,
        )
        m._base = base  # a typical value, for the values below
        rows.append(m)
        return m

    values_needed: list[Measurable] = []
    for f in range(families):
        category = CATEGORIES[f % len(CATEGORIES)]
        parent = new(f"Company measure {f + 1}", root, category=category)
        parent.target = round(parent.target * family_units, 1)
        for unit in rng.sample(others, family_units):
            child = new(f"Company measure {f + 1} ({unit.name})", unit, parent=parent.pk,
                        category=category, target=parent.target / family_units)  # fmt: skip
            values_needed.append(child)
    by_unit = others * (standalone // max(len(others), 1) + 1)
    for n in range(standalone):
        unit = by_unit[n // PER_UNIT] if n // PER_UNIT < len(by_unit) else rng.choice(others)
        values_needed.append(new(f"Measure {n + 1}", unit))
    Measurable.objects.bulk_create(rows, batch_size=BATCH)
    result.measurables = len(rows)
    result.family_units = family_units

    batch: list[MeasurableValue] = []
    value_ids = iter(_reserve_ids(MeasurableValue, len(values_needed) * len(spans)))
    for m in values_needed:
        trend = rng.uniform(-0.15, 0.3) / 52
        noise = rng.uniform(0.02, 0.15)
        for i, span in enumerate(spans):
            season = 1 + 0.1 * math.sin(2 * math.pi * span.start.timetuple().tm_yday / 365.25)
            value = m._base * (1 + trend * (i - len(spans))) * season * (1 + rng.gauss(0, noise))
            batch.append(
                MeasurableValue(
                    pk=next(value_ids),
                    organization_id=org_id,
                    measurable_id=m.pk,
                    period_start=span.start,
                    period_end=span.end,
                    value=round(value, 2),
                    source="import",
                    created_at=now,
                    updated_at=now,
                )
            )
            if len(batch) >= BATCH:
                MeasurableValue.objects.bulk_create(batch)
                result.values += len(batch)
                batch = []
    if batch:
        MeasurableValue.objects.bulk_create(batch)
        result.values += len(batch)

    by_unit_rows: dict[int, list[Measurable]] = {}
    for m in rows:
        by_unit_rows.setdefault(m.unit_id, []).append(m)
    owner_id = people[0]
    cards, items = [], []
    card_ids = iter(_reserve_ids(Scorecard, len(by_unit_rows)))
    units_by_id = {u.pk: u for u in units}
    for unit_id, unit_rows in by_unit_rows.items():
        card = Scorecard(
            pk=next(card_ids),
            organization_id=org_id,
            name=f"{units_by_id[unit_id].name} scorecard",
            kind="unit",
            unit_id=unit_id,
            owner_id=owner_id,
            created_at=now,
            updated_at=now,
        )
        cards.append(card)
        items.extend(
            ScorecardItem(
                organization_id=org_id,
                scorecard_id=card.pk,
                measurable_id=m.pk,
                position=n,
                created_at=now,
                updated_at=now,
            )  # fmt: skip
            for n, m in enumerate(unit_rows[:PER_UNIT])
        )
    Scorecard.objects.bulk_create(cards, batch_size=BATCH)
    ScorecardItem.objects.bulk_create(items, batch_size=BATCH)
    result.scorecards = len(cards)
    return result
