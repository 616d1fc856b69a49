"""Alignment benchmark: 100,000 goals and 50,000 commitments on SQLite and PostgreSQL.

Measures, per database, on `leados synth --people 10000 --goals 100000 --commitments 50000`:
- how long the synth takes;
- a full roll-up recompute (`leados.operate.rollup.recompute`, the code behind
  `leados alignment recompute`), best and median of several runs;
- a check-in on a goal 9 deep, with its roll-up up the whole ancestor path (p50/p95 over
  many runs on different goals, each in a transaction rolled back afterwards);
- server time of the alignment tree's first render, one expand, and the orphans page
  (in-process through Django's full request stack with a signed-in owner);
- a person's follow-through record (`selectors.commitments.follow_through`) for many people.

Usage: python benchmarks/bench_alignment.py [--db sqlite|postgres|both] [--rounds 50]
       [--goals 100000] [--commitments 50000] [--people 10000]
Prints a Markdown table per database; figures go into benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchsupport import vacuum_analyze

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leados_bench_alignment"
)


def _env(db: str, data_dir: str) -> dict:
    env = {**os.environ, "LEADOS_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "leados.settings"}
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = PG_URL
    return env


def _leados(env, *args, timeout=1800) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "leados", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def _reset_postgres() -> None:
    import psycopg

    base, name = PG_URL.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _summary(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "runs": len(times),
    }


class _Rollback(Exception):
    pass


def measure_in_process(rounds: int) -> dict:
    """Runs inside a child process whose environment points at the benchmark database."""
    from benchsupport import QueryCount
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django_scopes import scopes_disabled

    import leados.wsgi  # noqa: F401 - starts as the web server does: see leados/core/serving.py
    from leados.core.models import Organization, Person
    from leados.core.periods import organization_today
    from leados.core.tenancy import org_scope
    from leados.operate.models import Goal
    from leados.operate.rollup import recompute
    from leados.operate.services.check_ins import check_in_create

    results: dict = {}
    with scopes_disabled():
        org = Organization.objects.get(slug="bench")
        owner = Person.objects.filter(organization=org, role="owner").select_related("user").first()
    today = organization_today(org)

    # Full recompute: the first run also proves the synth's stored figures right.
    times, differed = [], None
    for _ in range(5):
        result = recompute(org, today=today)
        differed = result.differed if differed is None else differed
        times.append(result.seconds * 1000)
    results["full recompute (100k goals)"] = {
        "best_ms": round(min(times), 1),
        "p50_ms": round(statistics.median(times), 1),
        "runs": len(times),
        "differed": differed,
        "checked": result.checked,
    }

    with org_scope(org):
        deep = list(
            Goal.objects.filter(depth=9, kind="metric", archived_at__isnull=True)
            .select_related("organization", "period")
            .order_by("id")[: rounds * 2]
        )
        if len(deep) < rounds:
            deep += list(
                Goal.objects.filter(kind="metric", archived_at__isnull=True)
                .order_by("-depth", "id")
                .select_related("organization", "period")[: rounds - len(deep)]
            )
        times, queries = [], 0
        for goal in deep[:rounds]:
            author = Person.objects.get(pk=goal.owner_id)
            value = (goal.start_value + goal.target_value) / 2
            with QueryCount(connection) as ctx:
                started = time.perf_counter()
                try:
                    with transaction.atomic():
                        check_in_create(goal=goal, author=author, value=value, today=today)
                        elapsed = time.perf_counter() - started
                        raise _Rollback
                except _Rollback:
                    pass
            times.append(elapsed * 1000)
            queries = ctx.count - 2  # without the savepoint and its rollback
        results["check-in with roll-up, depth 9"] = {
            **_summary(times),
            "queries": queries,
            "depth": deep[0].depth if deep else None,
        }

        client = Client()
        client.force_login(owner.user)
        strategy = Goal.objects.filter(level="strategy").order_by("id").first()
        busiest = (
            Goal.objects.filter(depth=1).order_by("id").first() if strategy is not None else None
        )
        pages = {}
        for label, name, kwargs in (
            ("alignment tree, first render", "web:alignment", {"org": org.slug}),
            (
                "alignment tree, expand a strategy goal",
                "web:alignment_children",
                {"org": org.slug, "goal_id": getattr(strategy, "pk", 0)},
            ),
            (
                "alignment tree, expand a team goal",
                "web:alignment_children",
                {"org": org.slug, "goal_id": getattr(busiest, "pk", 0)},
            ),
            ("orphans page", "web:alignment_orphans", {"org": org.slug}),
        ):
            try:
                pages[label] = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                try:
                    pages[label] = reverse(name, args=list(kwargs.values()))
                except NoReverseMatch:
                    results[label] = {"error": f"no route {name} yet"}
        for label, path in pages.items():
            headers = {"HTTP_HX_REQUEST": "true"} if "expand" in label else {}
            response = client.get(path, **headers)
            if response.status_code != 200:
                results[label] = {"error": f"HTTP {response.status_code}"}
                continue
            times = []
            for _ in range(rounds):
                with QueryCount(connection) as ctx:
                    started = time.perf_counter()
                    client.get(path, **headers)
                    times.append((time.perf_counter() - started) * 1000)
            results[label] = {**_summary(times), "queries": ctx.count}

        try:
            from leados.operate.selectors.commitments import follow_through
        except ImportError:
            results["follow-through"] = {"error": "follow_through not there yet"}
        else:
            people = list(
                Person.objects.filter(commitments__isnull=False)
                .distinct()
                .select_related("organization")
                .order_by("id")[:rounds]
            )
            times = []
            for person in people:
                with QueryCount(connection) as ctx:
                    started = time.perf_counter()
                    follow_through(person, today)
                    times.append((time.perf_counter() - started) * 1000)
            results["follow-through (one person)"] = {
                **_summary(times),
                "queries": ctx.count,
            }
    return results


def bench(db: str, args) -> dict:
    data_dir = tempfile.mkdtemp(prefix=f"leados-bench-alignment-{db}-")
    env = _env(db, data_dir)
    try:
        if db == "postgres":
            _reset_postgres()
        _leados(env, "manage", "migrate", "-v", "0")
        _leados(env, "manage", "collectstatic", "--noinput", "-v", "0")
        started = time.perf_counter()
        synth = _leados(
            env, "synth", "--org", "bench", "--people", str(args.people),
            "--goals", str(args.goals), "--commitments", str(args.commitments),
        )  # fmt: skip
        synth_seconds = round(time.perf_counter() - started, 1)
        if db == "postgres":
            vacuum_analyze(PG_URL)  # as autovacuum would have done by the time anyone reads
        started = time.perf_counter()
        command = _leados(env, "alignment", "recompute", "--org", "bench", "--check")
        command_seconds = round(time.perf_counter() - started, 1)
        child = subprocess.run(
            [sys.executable, __file__, "--_measure", "--rounds", str(args.rounds)],
            env={**env, "LEADOS_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1"},
            capture_output=True,
            text=True,
            check=True,
            timeout=3600,
        )
        return {
            "db": db,
            "synth_seconds": synth_seconds,
            "synth_output": synth.stdout.strip(),
            "command_seconds": command_seconds,
            "command_output": command.stdout.strip(),
            "measures": json.loads(child.stdout.strip().splitlines()[-1]),
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def print_table(result: dict) -> None:
    print(f"\n### {result['db']}\n")
    print(f"`leados synth`: {result['synth_seconds']} s — {result['synth_output']}\n")
    print(
        f"`leados alignment recompute --check` (whole process): {result['command_seconds']} s — "
        f"{result['command_output']}\n"
    )
    print("| what | p50 ms | p95 / best ms | queries |")
    print("|---|---:|---:|---:|")
    for label, row in result["measures"].items():
        if "error" in row:
            print(f"| {label} | {row['error']} | | |")
        elif "best_ms" in row:
            best, differed = row["best_ms"], row["differed"]
            print(f"| {label} | {row['p50_ms']} | best {best} | {differed} differed |")
        else:
            print(f"| {label} | {row['p50_ms']} | {row['p95_ms']} | {row.get('queries', '')} |")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--goals", type=int, default=100000)
    parser.add_argument("--commitments", type=int, default=50000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "alignment.json"))
    parser.add_argument("--_measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._measure:
        print(json.dumps(measure_in_process(args.rounds)))
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [bench(db, args) for db in dbs]
    for result in results:
        print_table(result)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
