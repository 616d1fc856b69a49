"""Import benchmark: a 10,000-row people file, previewed and applied on the current database.

Generates a realistic file (a reporting tree seven wide, functional teams, processes and
projects, a lead and a manager per team, every person a member of their team), creates a
fresh organization for it, then times reading the file, the preview, the apply, and a
second preview + apply of the same file (which must change nothing), with query counts.

The database is whatever the environment configures (LEADOS_DATA_DIR for SQLite, or
DATABASE_URL for PostgreSQL); it is migrated first.

Usage: python benchmarks/import_people.py [--rows 10000] [--format csv|xlsx] [--slug SLUG]
Figures go into benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on the path, where platform.py would shadow the
# standard library module of that name.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leados.settings")

SPAN = 7
DEPARTMENTS = ["Sales", "Engineering", "Operations", "Finance", "People", "Marketing", "Support"]
TITLES = ["Specialist", "Analyst", "Engineer", "Coordinator", "Associate", "Consultant"]


def generate_rows(
    count: int, root: str, domain: str = "bench.example", seed: int = 7
) -> list[list[str]]:
    """One row per person (their team membership) plus a row per lead and manager role."""
    rng = random.Random(seed)
    header = ["email", "name", "title", "manager_email", "unit_path", "level", "role", "org_role"]
    header += ["start_date", "end_date"]
    rows = [header]
    emails = [f"person{i:05d}@{domain}" for i in range(count)]
    team_of: dict[int, str] = {}
    for i, email in enumerate(emails):
        manager = (i - 1) // SPAN if i else None
        department = DEPARTMENTS[i % len(DEPARTMENTS)] if i else None
        if i == 0:
            path = root
        elif manager == 0:
            path = f"{root}/{department}"
        else:
            parent_path = team_of[manager]
            depth = parent_path.count("/")
            path = parent_path if depth >= 3 else f"{parent_path}/Team {manager}"
        team_of[i] = path
        level = "" if path == root else "functional_team"
        title = "CEO" if i == 0 else f"{rng.choice(TITLES)} {rng.randint(1, 3)}"
        name = f"Person {i:05d}"
        rows.append(
            [
                email,
                name,
                title,
                emails[manager] if manager is not None else "",
                path,
                level,
                "member",
                "admin" if i < 8 else "member",
            ]
        )
    leads: dict[str, int] = {}
    for i, path in team_of.items():
        if path == root or path in leads:
            continue
        tail = path.rsplit("/", 1)[-1]
        leads[path] = int(tail.split()[-1]) if tail.startswith("Team ") else i
    for path, i in leads.items():
        rows.append([emails[i], "", "", "", path, "", "lead", ""])
    # A process and a project per department, with managers.
    for n, department in enumerate(DEPARTMENTS, start=1):
        rows.append(["", "", "", "", f"{root}/{department}/Weekly review", "process", "", ""])
        rows.append([emails[n], "", "", "", f"{root}/{department}/Weekly review", "", "manage", ""])
        rows.append(
            [emails[n + SPAN], "", "", "", f"{root}/{department}/Launch", "project", "manage", ""]
            + ["2026-01-05", "2026-06-30"]
        )
    return [row + [""] * (len(header) - len(row)) for row in rows]


def to_bytes(rows: list[list[str]], kind: str) -> bytes:
    from leados.core.transfer import write_csv, write_xlsx

    if kind == "xlsx":
        return write_xlsx(rows)
    return write_csv(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="people in the file")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--slug", default=None, help="organization to create (default: random)")
    args = parser.parse_args()

    import django

    django.setup()
    from benchsupport import QueryCount
    from django.core.management import call_command
    from django.db import connection

    from leados.core import services
    from leados.core.context import change_context
    from leados.core.models import Edge, HistoryEntry, Person, Unit
    from leados.core.tenancy import org_scope
    from leados.core.transfer import build_plan, import_apply, read_upload

    call_command("migrate", verbosity=0)
    slug = args.slug or f"import-bench-{secrets.token_hex(3)}"
    owner = services.user_create(email=f"owner@{slug}.example", name="Bench Owner")
    org = services.organization_create(name=f"Import bench {slug}", slug=slug, owner=owner)
    with org_scope(org):
        root = Unit.objects.get(parent__isnull=True).name
        owner_person = Person.objects.get(user=owner)
    rows = generate_rows(args.rows, root, domain=f"{slug}.example")
    # The owner of the org leads and manages the root already; the file's CEO is a member.
    data = to_bytes(rows, args.format)

    figures: list[tuple[str, float, float, int]] = []

    def timed(label, func):
        with QueryCount(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            result = func()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        figures.append((label, seconds, cpu, queries.count))
        return result

    with change_context(actor=owner, edge=Edge.CLI), org_scope(org):
        parsed = timed(
            f"read {args.format} ({len(data) / 1024 / 1024:.1f} MB)",
            lambda: read_upload(data, f"people.{args.format}"),
        )
        plan = timed(
            "preview", lambda: build_plan(organization=org, by=owner_person, parsed=parsed)
        )
        if plan.errors:
            for error in plan.errors[:20]:
                print(error, file=sys.stderr)
            return 1
        applied = timed(
            "apply", lambda: import_apply(organization=org, by=owner_person, parsed=parsed)
        )
        history = HistoryEntry.objects.count()
        again = timed(
            "preview again", lambda: build_plan(organization=org, by=owner_person, parsed=parsed)
        )
        timed(
            "apply again (no-op)",
            lambda: import_apply(organization=org, by=owner_person, parsed=parsed),
        )
        unchanged = HistoryEntry.objects.count() == history and again.is_noop
        people = Person.objects.count()
        units = Unit.objects.count()

    vendor = connection.vendor
    print(f"\nImport of {len(parsed.rows):,} rows ({args.rows:,} people) on {vendor}")
    print(f"counts: {applied.counts}")
    print(
        f"organization {slug}: {people:,} people, {units:,} units; "
        f"second import changed nothing: {unchanged}\n"
    )
    print("| step | seconds | of which this process's CPU | queries |")
    print("|---|---:|---:|---:|")
    for label, seconds, cpu, queries in figures:
        print(f"| {label} | {seconds:.2f} | {cpu:.2f} | {queries} |")
    first = [f for f in figures if f[0] not in ("preview again", "apply again (no-op)")]
    print(
        f"| **read + preview + apply** | **{sum(f[1] for f in first):.2f}** "
        f"| {sum(f[2] for f in first):.2f} | |"
    )
    return 0 if unchanged else 1


if __name__ == "__main__":
    raise SystemExit(main())
