"""Measurable, target and value services; the value table with roll-ups and formulas."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from leados.core.errors import Conflict
from leados.core.models import HistoryEntry
from leados.operate.models import Measurable, MeasurableValue
from leados.operate.selectors.scorecards import grid, value_table
from leados.operate.services.measurables import (
    ValueInput,
    measurable_create,
    measurable_delete,
    measurable_update,
    target_set,
    value_set,
    values_set,
)

MONDAY = datetime.date(2027, 1, 4)
WEEK = datetime.timedelta(days=7)


def make(world, **fields):
    base = {"organization": world.org, "actor": world.owner, "unit": world.sales}
    base.update(fields)
    base.setdefault("name", "Deals won")
    return measurable_create(**base)


def test_it_defaults_the_owner_to_the_units_lead(world, in_org):
    with in_org():
        m = make(world)
        assert m.owner == world.member
        assert HistoryEntry.objects.filter(object_id=m.pk, action="create").exists()


def test_it_refuses_a_range_whose_high_end_is_below_its_low_end(world, in_org):
    with in_org(), pytest.raises(ValidationError) as exc:
        make(world, better="range", target=10, target_max=5)
    assert "target_max" in exc.value.message_dict
    with in_org():
        assert not Measurable.objects.exists()


def test_a_currency_measurable_needs_a_code(world, in_org):
    with in_org(), pytest.raises(ValidationError) as exc:
        make(world, kind="currency")
    assert "currency" in exc.value.message_dict


def test_values_are_all_or_nothing(world, in_org):
    with in_org():
        m = make(world, target=10)
        with pytest.raises(ValidationError) as exc:
            values_set(
                measurable=m,
                items=[
                    ValueInput(MONDAY, 12),
                    ValueInput(MONDAY + WEEK, "lots"),
                    ValueInput(MONDAY + datetime.timedelta(days=1), 3),
                ],
                author=world.member,
            )
        assert set(exc.value.message_dict) == {"items.1.value", "items.2.period_start"}
        assert not MeasurableValue.objects.exists()


def test_a_late_value_replaces_the_old_and_the_history_keeps_it(world, in_org):
    with in_org():
        m = make(world, target=10)
        first = value_set(measurable=m, period_start=MONDAY, value=8, author=world.member)
        second = value_set(measurable=m, period_start="2027-01-04", value=11, author=world.member)
        assert first.pk == second.pk and second.value == 11 and second.version == 2
        entry = HistoryEntry.objects.filter(object_id=m.values.get().pk, action="update").get()
        assert entry.changes["value"] == [8.0, 11.0]


def test_a_stale_value_is_refused(world, in_org):
    with in_org():
        m = make(world, target=10)
        value_set(measurable=m, period_start=MONDAY, value=8, author=world.member)
        with pytest.raises(Conflict):
            value_set(
                measurable=m, period_start=MONDAY, value=9, author=world.member,
                expected_version=0,
            )  # fmt: skip
        assert MeasurableValue.objects.get().value == 8


def test_a_red_value_needs_a_note_when_asked(world, in_org):
    with in_org():
        m = make(world, target=10, require_red_note=True)
        with pytest.raises(ValidationError) as exc:
            value_set(measurable=m, period_start=MONDAY, value=5, author=world.member)
        assert "items.0.note" in exc.value.message_dict
        value_set(measurable=m, period_start=MONDAY, value=5, note="Holidays", author=None)
        value_set(measurable=m, period_start=MONDAY + WEEK, value=9.5, author=None)  # yellow


def test_roll_up_and_formula_values(world, in_org):
    with in_org():
        total = make(world, name="Leads", key="leads", unit=world.root, unit_aggregation="sum")
        a = make(world, name="Leads A", parent=total)
        b = make(world, name="Leads B", unit=world.ops, parent=total)
        won = make(world, name="Won", key="won")
        rate = make(world, name="Win rate", formula="won / leads * 100", kind="percent")
        values_set(measurable=a, items=[ValueInput(MONDAY, 30)], author=None)
        values_set(measurable=b, items=[ValueInput(MONDAY, 10)], author=None)
        values_set(measurable=won, items=[ValueInput(MONDAY, 10)], author=None)
        table = value_table([total, rate], MONDAY, MONDAY)
        assert table.cell(total.pk, MONDAY).value == 40
        assert table.cell(total.pk, MONDAY).computed
        assert table.cell(rate.pk, MONDAY).value == 25


def test_formulas_refuse_unknown_keys_and_loops(world, in_org):
    with in_org():
        make(world, name="A", key="a", formula="")
        with pytest.raises(ValidationError) as exc:
            make(world, name="B", key="b", formula="a + nope")
        assert "nope" in str(exc.value)
        b = make(world, name="B", key="b", formula="a * 2")
        a = Measurable.objects.get(key="a")
        with pytest.raises(ValidationError) as exc:
            measurable_update(measurable=a, expected_version=a.version, formula="b + 1")
        assert "loop" in str(exc.value)
        with pytest.raises(Conflict):
            measurable_delete(measurable=a, expected_version=a.version)
        assert b.formula == "a * 2"


def test_seasonal_targets_colour_each_period(world, in_org):
    with in_org():
        m = make(world, target=10)
        target_set(measurable=m, period_start=MONDAY + WEEK, target=20)
        values_set(
            measurable=m,
            items=[ValueInput(MONDAY, 12), ValueInput(MONDAY + WEEK, 12)],
            author=None,
        )
        table = value_table([m], MONDAY, MONDAY + WEEK)
        assert table.cell(m.pk, MONDAY).colour == "green"
        assert table.cell(m.pk, MONDAY + WEEK).colour == "red"
        assert table.cell(m.pk, MONDAY + WEEK).target == 20


def test_grid_sections_and_to_date(world, in_org):
    with in_org():
        weekly = make(world, target=10)
        monthly = make(world, name="Churn", frequency="monthly", better="lower", target=2)
        values_set(
            measurable=weekly,
            items=[ValueInput(MONDAY + n * WEEK, 10 + n) for n in range(6)],
            author=None,
        )
        sections = grid(world.org, [weekly, monthly], MONDAY + 5 * WEEK + datetime.timedelta(2))
        assert [s.frequency for s in sections] == ["weekly", "monthly"]
        row = sections[0].rows[0]
        assert len(row.cells) == 13
        assert row.cells[-1][1].value == 15
        assert row.trend == "improving"
        year = row.to_date[-1]
        assert year["value"] == sum(10 + n for n in range(6))
