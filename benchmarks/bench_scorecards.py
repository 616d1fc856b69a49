"""Scorecards benchmark: 2,000 measurables × 3 years of weekly values on SQLite and
PostgreSQL.

Measures, per database, on `leados synth --people 10000 --measurables 2000 --weeks 156`
(about 310,000 values; ten organization-wide measurables measured by 100 units each):
- how long the synth takes;
- a 20-row scorecard grid: the page (`/o/bench/scorecards/<id>/`), the API's grid route,
  and the selector alone (`selectors.scorecards.grid` + `forecast.forecasts`), p50/p95
  server time over many scorecards;
- a comparison across 100 units (the compare page of an organization-wide measurable, and
  the value table of its 100 children with the ranking);
- a bulk API push of 10,000 values (`POST /api/v1/orgs/bench/measurables/values`): the
  first push of the process on its own (cold), then the median and worst of five;
- the forecasts of all measurables of a unit (`forecast.forecasts`), p50/p95 over units.

Usage: python benchmarks/bench_scorecards.py [--db sqlite|postgres|both] [--rounds 50]
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
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leados_bench_scorecards"
)


def _env(db: str, data_dir: str) -> dict:
    env = {**os.environ, "LEADOS_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "leados.settings"}
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = PG_URL
    return env


def _leados(env, *args, timeout=3600) -> subprocess.CompletedProcess:
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


def measure_in_process(rounds: int) -> dict:
    """Runs inside a child process whose environment points at the benchmark database."""
    from benchsupport import QueryCount
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django_scopes import scopes_disabled

    import leados.wsgi  # noqa: F401 - starts as the web server does: see leados/core/serving.py
    from leados.core.models import Organization, Person
    from leados.core.periods import organization_today
    from leados.core.services import token_create
    from leados.core.tenancy import org_scope
    from leados.operate import measures
    from leados.operate.forecast import forecasts
    from leados.operate.models import Measurable, Scorecard
    from leados.operate.selectors.scorecards import grid, scorecard_measurables, value_table

    results: dict = {}
    with scopes_disabled():
        org = Organization.objects.get(slug="bench")
        owner = Person.objects.filter(organization=org, role="owner").select_related("user").first()
    today = organization_today(org)
    client = Client()
    client.force_login(owner.user)
    _token, raw = token_create(user=owner.user, name="bench")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def timed(label: str, run, count: int) -> None:
        times, queries = [], 0
        for i in range(count):
            with QueryCount(connection) as ctx:
                started = time.perf_counter()
                outcome = run(i)
                times.append((time.perf_counter() - started) * 1000)
            if outcome is not None and getattr(outcome, "status_code", 200) != 200:
                results[label] = {"error": f"HTTP {outcome.status_code}"}
                return
            queries = ctx.count
        results[label] = {**_summary(times), "queries": queries}

    with org_scope(org):
        full = list(
            Scorecard.objects.annotate(rows=Count("items"))
            .filter(rows=20)
            .order_by("pk")
            .values_list("pk", flat=True)[:rounds]
        )
        if not full:
            full = list(Scorecard.objects.order_by("-pk").values_list("pk", flat=True)[:rounds])
        cards = [Scorecard.objects.get(pk=pk) for pk in full]
        timed(
            "20-row grid, selector (grid + forecasts)",
            lambda i: (
                (
                    (rows := scorecard_measurables(cards[i % len(cards)])),
                    (sections := grid(org, rows, today)),
                    forecasts(org, rows, today, tables={s.frequency: s.table for s in sections}),
                )
                and None
            ),
            rounds,
        )
        timed(
            "20-row grid, page",
            lambda i: client.get(f"/o/bench/scorecards/{full[i % len(full)]}/"),
            rounds,
        )
        timed(
            "20-row grid, API",
            lambda i: client.get(
                f"/api/v1/orgs/bench/scorecards/{full[i % len(full)]}/grid", **auth
            ),
            rounds,
        )
        families = list(
            Measurable.objects.filter(parent__isnull=True)
            .annotate(kids=Count("children"))
            .filter(kids__gte=100)
            .order_by("pk")
        )
        quarter = measures.fiscal_span_of(today, "quarter", org.fiscal_year_start_month)

        def compare(i):
            parent = families[i % len(families)]
            kids = list(Measurable.objects.filter(parent=parent).select_related("unit"))
            table = value_table(kids, quarter.start, today)
            ranked = sorted(
                kids,
                key=lambda m: (
                    -(
                        measures.over_time(
                            [c.value for c in table.cells.get(m.pk, {}).values()],
                            m.time_aggregation,
                        )
                        or 0
                    )
                ),
            )
            assert len(ranked) == len(kids)

        if families:
            timed("compare across 100 units, selector", compare, rounds)
            timed(
                "compare across 100 units, page",
                lambda i: client.get(
                    f"/o/bench/measurables/{families[i % len(families)].pk}/compare/"
                ),
                rounds,
            )
        units = list(
            Measurable.objects.filter(parent__isnull=True, children__isnull=True)
            .values_list("unit_id", flat=True)
            .annotate(n=Count("id"))
            .filter(n__gte=15)
            .order_by("unit_id")[:rounds]
        )

        def unit_forecasts(i):
            rows = list(Measurable.objects.filter(unit_id=units[i % len(units)], archived_at=None))
            found = forecasts(org, rows, today)
            assert found, "no forecast"

        timed("forecasts of a unit's measurables", unit_forecasts, rounds)

        # Bulk push: 10,000 values (100 measurables × the last 100 weeks): the first push
        # of the process (cold: plans, prepared statements, imports) apart, then five.
        targets = list(
            Measurable.objects.filter(children__isnull=True, formula="")
            .order_by("pk")
            .values_list("pk", flat=True)[:100]
        )
        weeks = measures.periods_ending("weekly", today, 100)
        push = []
        for n in range(6):
            items = [
                {"measurable": pk, "period_start": w.start.isoformat(), "value": 100 + n + j}
                for pk in targets
                for j, w in enumerate(weeks)
            ]
            body = json.dumps({"items": items})
            started = time.perf_counter()
            response = client.post(
                "/api/v1/orgs/bench/measurables/values",
                body,
                content_type="application/json",
                **auth,
            )
            elapsed = time.perf_counter() - started
            if response.status_code not in (200, 201):
                results["bulk push of 10,000 values"] = {
                    "error": f"HTTP {response.status_code}: {response.content[:200]!r}"
                }
                break
            push.append(elapsed * 1000)
        if push:
            cold, push = push[0], push[1:]
            results["bulk push of 10,000 values"] = {
                "p50_ms": round(statistics.median(push), 1),
                "p95_ms": round(max(push), 1),
                "runs": len(push),
                "first_ms": round(cold, 1),
            }
    return results


def bench(db: str, args) -> dict:
    data_dir = tempfile.mkdtemp(prefix=f"leados-bench-scorecards-{db}-")
    env = _env(db, data_dir)
    try:
        if db == "postgres":
            _reset_postgres()
        _leados(env, "manage", "migrate", "-v", "0")
        _leados(env, "manage", "collectstatic", "--noinput", "-v", "0")
        started = time.perf_counter()
        synth = _leados(
            env, "synth", "--org", "bench", "--people", str(args.people),
            "--measurables", str(args.measurables), "--weeks", str(args.weeks),
        )  # fmt: skip
        synth_seconds = round(time.perf_counter() - started, 1)
        if db == "postgres":
            vacuum_analyze(PG_URL)  # as autovacuum would have done by the time anyone reads
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
            "measures": json.loads(child.stdout.strip().splitlines()[-1]),
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def print_table(result: dict) -> None:
    print(f"\n### {result['db']}\n")
    print(f"`leados synth`: {result['synth_seconds']} s — {result['synth_output']}\n")
    print("| what | p50 ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    for label, row in result["measures"].items():
        if "error" in row:
            print(f"| {label} | {row['error']} | | |")
        else:
            extra = f" (first, cold: {row['first_ms']})" if "first_ms" in row else ""
            queries = row.get("queries", "")
            print(f"| {label}{extra} | {row['p50_ms']} | {row['p95_ms']} | {queries} |")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--measurables", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "scorecards.json"))
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
