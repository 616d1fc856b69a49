"""History written in bulk (``history_record_many``/``_each``, through ``db.insert_rows``:
COPY on PostgreSQL) holds exactly what one entry saved through the ORM holds."""

from __future__ import annotations

from leados.core.context import change_context
from leados.core.history import history_record, history_record_each, history_record_many
from leados.core.models import Edge, HistoryEntry, Unit

FIELDS = (
    "organization_id", "object_type", "object_id", "object_repr", "object_version",
    "action", "actor_id", "actor_label", "edge", "changes", "snapshot",
)  # fmt: skip


def _row(entry: HistoryEntry) -> tuple:
    return tuple(getattr(entry, name) for name in FIELDS)


def test_bulk_entries_are_the_entries_one_save_writes(world, in_org):
    changes = {
        "name": ["Sales", 'Sales — « EMEA » "quoted"\n\ttab'],
        "notes": [None, {"a": [1, 2.5]}],
    }
    with in_org(), change_context(actor=world.owner_user, edge=Edge.API):
        unit = Unit.objects.get(pk=world.sales.pk)
        one = history_record(unit, action="update", changes=changes)
        history_record_many([unit, unit], action="update", changes=[changes, {}])
        history_record_each([(unit, "delete", changes)])
        entries = list(
            HistoryEntry.objects.filter(
                object_type="unit", object_id=unit.pk, pk__gt=one.pk
            ).order_by("pk")
        )
        saved = HistoryEntry.objects.get(pk=one.pk)
    assert len(entries) == 3
    assert _row(entries[0]) == _row(saved)
    assert entries[1].changes == {} and entries[1].snapshot == saved.snapshot
    assert _row(entries[2])[:5] == _row(saved)[:5] and entries[2].action == "delete"
    assert entries[2].changes == changes
    for entry in entries:
        assert entry.created_at is not None and entry.created_at.tzinfo is not None
        assert abs((entry.created_at - saved.created_at).total_seconds()) < 60


def test_entries_without_an_actor_are_written_as_the_system(world, in_org):
    with in_org(), change_context(actor=None, edge=Edge.CLI):
        unit = Unit.objects.get(pk=world.sales.pk)
        history_record_many([unit], action="update", changes=[{"name": ["a", "b"]}])
        entry = HistoryEntry.objects.filter(object_type="unit", object_id=unit.pk).latest("pk")
    assert (entry.actor_id, entry.actor_label, entry.edge) == (None, "system", "cli")
