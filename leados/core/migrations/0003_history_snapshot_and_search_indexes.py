import sys

from django.db import DatabaseError, migrations, models, transaction

import leados.core.models.history

# Substring search of people (name, title, email; any case) on PostgreSQL: trigram indexes
# on the same UPPER(...) expressions that case-insensitive lookups compare.
TRIGRAM_INDEXES = [
    ("person_name_trgm", "core_person", "name"),
    ("person_title_trgm", "core_person", "title"),
    ("user_email_trgm", "core_user", "email"),
]


def create_trigram_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except DatabaseError as exc:
                statements = "; ".join(
                    f'CREATE INDEX "{name}" ON "{table}" USING gin ((UPPER("{column}")) '
                    "gin_trgm_ops)"
                    for name, table, column in TRIGRAM_INDEXES
                )
                sys.stderr.write(
                    "\nWarning: the PostgreSQL extension pg_trgm could not be created "
                    f"({' '.join(str(exc).split())}). People search still works, but reads every "
                    "row of a large organization. As a role allowed to create extensions, "
                    f"run: CREATE EXTENSION pg_trgm; {statements};\n"
                )
                return
        for name, table, column in TRIGRAM_INDEXES:
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin ((UPPER("{column}")) gin_trgm_ops)'
            )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _table, _column in TRIGRAM_INDEXES:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_invitation_invited_by_optional"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="historyentry",
            index=models.Index(
                models.F("organization"),
                leados.core.models.history.SnapshotKey("person_id"),
                condition=models.Q(("object_type", "roleassignment")),
                name="history_snapshot_person",
            ),
        ),
        migrations.AddIndex(
            model_name="historyentry",
            index=models.Index(
                models.F("organization"),
                leados.core.models.history.SnapshotKey("unit_id"),
                condition=models.Q(("object_type", "roleassignment")),
                name="history_snapshot_unit",
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
