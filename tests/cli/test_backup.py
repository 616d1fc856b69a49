"""``leados backup`` and ``leados restore``: every row of every table comes back exactly."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django_scopes import scopes_disabled

from leados import cli
from leados.core import services
from leados.core.backup import FORMAT
from leados.core.demo import demo_create
from leados.core.models import HistoryEntry, Organization, Person, User
from leados.core.tenancy import org_scope

pytestmark = pytest.mark.django_db(transaction=True)


def all_rows() -> dict[str, list]:
    """Every row of every table, as the database stores it (not SQLite's own statistics)."""
    tables = sorted(
        t
        for t in connection.introspection.table_names()
        if t != "django_migrations" and not t.startswith("sqlite_")
    )
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def empty_the_database() -> None:
    """What a new, migrated database holds: no data, only what migrate creates."""
    call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def full_world(world):
    demo_create(slug="larkspur")
    with org_scope(world.org):
        services.invitation_create(organization=world.org, email="new@acme.test")
    services.token_create(user=world.owner_user, name="ci", organization=world.org)
    services.token_create(user=world.outsider_user, name="everywhere")
    return world


def test_backup_then_restore_into_an_empty_database_brings_back_every_row(
    full_world, tmp_path, capsys
):
    path = tmp_path / "leados.zip"
    assert cli.main(["backup", str(path)]) == 0
    assert "Wrote" in capsys.readouterr().out
    before = all_rows()
    assert len(before["core_person"]) > 60
    assert before["core_historyentry"] and before["core_apitoken"] and before["core_invitation"]
    # Routines with runs, an accepted idea's version (which points back at the idea) and
    # check-ins come back too.
    assert before["sops_soprun"] and before["sops_improvementidea"] and before["sops_timecheckin"]

    empty_the_database()
    assert all_rows()["core_user"] == []

    assert cli.main(["restore", str(path)]) == 0
    assert "Restored" in capsys.readouterr().out
    after = all_rows()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    # The restored users sign in with their old passwords, and new rows get fresh ids.
    assert User.objects.get(email="owner@acme.test").check_password("correct horse battery staple")
    newcomer = services.user_create(email="after@restore.test")
    assert newcomer.pk > max(row[0] for row in before["core_user"])


def test_restore_refuses_a_database_that_holds_data_and_changes_nothing(
    full_world, tmp_path, capsys
):
    path = tmp_path / "leados.zip"
    assert cli.main(["backup", str(path)]) == 0
    before = all_rows()
    assert cli.main(["restore", str(path)]) == 1
    assert "The database is not empty" in capsys.readouterr().err
    assert all_rows() == before


def test_restore_refuses_a_backup_from_a_newer_format(full_world, tmp_path, capsys):
    path = tmp_path / "leados.zip"
    assert cli.main(["backup", str(path)]) == 0
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(newer, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["format"] = FORMAT + 1
                data = json.dumps(manifest).encode()
            dst.writestr(item, data)
    empty_the_database()
    assert cli.main(["restore", str(newer)]) == 1
    assert "written by a newer LeadOS" in capsys.readouterr().err
    assert not User.objects.exists()


def test_a_damaged_backup_restores_nothing_at_all(full_world, tmp_path, capsys):
    path = tmp_path / "leados.zip"
    assert cli.main(["backup", str(path)]) == 0
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "tables/core.roleassignment.jsonl":
                first = data.splitlines()[0]
                data = data + first + b"\n"  # the same id twice
            dst.writestr(item, data)
    empty_the_database()
    assert cli.main(["restore", str(damaged)]) == 1
    assert "changed nothing" in capsys.readouterr().err
    assert not User.objects.exists()
    assert not Organization.objects.exists()


def test_restore_of_a_file_that_is_not_a_backup_is_refused(db, tmp_path, capsys):
    path = tmp_path / "notes.zip"
    path.write_text("hello")
    assert cli.main(["restore", str(path)]) == 1
    assert "not a LeadOS backup" in capsys.readouterr().err


def test_an_organization_backup_holds_that_organization_and_the_users_it_refers_to(
    full_world, tmp_path, capsys
):
    world = full_world
    path = tmp_path / "acme.zip"
    assert cli.main(["backup", str(path), "--org", "acme"]) == 0
    with org_scope(world.org):
        acme_people = sorted(Person.objects.values_list("pk", "user_id", "name", "version"))
        acme_history = HistoryEntry.objects.count()
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["scope"] == "org:acme"
    assert manifest["tables"]["core.organization"] == 1
    assert manifest["tables"]["core.person"] == len(acme_people)
    assert manifest["tables"]["core.apitoken"] == 1  # the Acme token, not Globex's

    empty_the_database()
    assert cli.main(["restore", str(path)]) == 0
    assert list(Organization.objects.values_list("slug", flat=True)) == ["acme"]
    with org_scope(world.org):
        assert sorted(Person.objects.values_list("pk", "user_id", "name", "version")) == (
            acme_people
        )
        assert HistoryEntry.objects.count() == acme_history
    emails = set(User.objects.values_list("email", flat=True))
    assert "owner@acme.test" in emails
    assert "outsider@globex.test" not in emails
    with scopes_disabled():
        assert not Person.objects.filter(organization__slug="globex").exists()


def test_backup_of_an_unknown_organization_is_refused(db, tmp_path, capsys):
    assert cli.main(["backup", str(tmp_path / "x.zip"), "--org", "nope"]) == 1
    assert "no organization 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
