"""Leadership SOPs benchmark: 10,000 people, 50,000 SOPs and two years of runs on SQLite
and PostgreSQL.

Measures, per database, on `leados synth --people 10000 --sops 50000 --sop-weeks 104`
(about five million runs and the leaders' weekly check-ins), on a fresh database:
- how long the synth takes (on PostgreSQL followed by `VACUUM (ANALYZE)`, as autovacuum
  would have done in a running database, so that index-only scans can be used);
- My week (`web:my_week`) for leaders with routines, each signed in with a session already
  started by another page: p50/p95 server time through Django's full request stack
  (target: p95 ≤ 50 ms);
- the coverage map (target: 500 leaders ≤ 200 ms): the page (`web:sop_coverage` as the
  owner; it shows 100 leaders × 16 dimensions a page, `?page=N`) and the selector behind
  it (`selectors.coverage.coverage_map`) with 500 leaders to a page;
- a person's iCalendar feed (`web:sop_calendar` with the token set in their
  `SopPreferences.calendar_token`, no session) (target ≤ 50 ms);
- generating a day's runs for every cadence: `runs_generate` for the whole organization
  dated tomorrow, after the synth left runs through today's horizon (target ≤ 30 s).

Query counts are those of the last request of each kind.

Usage: python benchmarks/bench_sops.py [--db sqlite|postgres|both] [--rounds 50]
       [--people 10000] [--sops 50000] [--sop-weeks 104]
Prints a Markdown table per database; figures go into benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import datetime
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
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leados_bench_sops"
)
SLUG = "bench"
COVERAGE_ROWS = 500


def _env(db: str, data_dir: str) -> dict:
    env = {**os.environ, "LEADOS_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "leados.settings"}
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = PG_URL
    return env


def _leados(env, *args, timeout=7200) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "leados", *args],
        env=env,
        cwd=ROOT,
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
    import secrets

    sys.path.insert(0, str(ROOT))  # this checkout's code, as `python -m leados` uses

    from benchsupport import QueryCount
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django_scopes import scopes_disabled

    import leados.wsgi  # noqa: F401 - starts as the web server does: see leados/core/serving.py
    from leados.core.models import Organization, Person
    from leados.core.periods import organization_today
    from leados.core.tenancy import org_scope
    from leados.sops.models import Sop, SopPreferences
    from leados.sops.selectors.coverage import coverage_map
    from leados.sops.services.runs import runs_generate

    results: dict = {}
    with scopes_disabled():
        org = Organization.objects.get(slug=SLUG)
        owner = Person.objects.filter(organization=org, role="owner").select_related("user").first()
    today = organization_today(org)

    def timed(label: str, url_for, count: int, before=None) -> None:
        """``url_for(i)`` gives (client, url); ``before(i)`` runs untimed first."""
        times, queries = [], 0
        for i in range(count):
            if before is not None:
                before(i)
            client, url = url_for(i)
            with QueryCount(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                results[label] = {"error": f"HTTP {response.status_code} for {url}"}
                return
            queries = ctx.count
        results[label] = {**_summary(times), "queries": queries}

    with org_scope(org):
        leader_ids = list(
            Sop.objects.live()
            .order_by("owner_id")
            .values_list("owner_id", flat=True)
            .distinct()[: rounds * 3 : 3]
        )
        leaders = list(Person.objects.filter(pk__in=leader_ids).select_related("user"))

        # My week: each leader signed in on their own client, before the timing, and their
        # session started with another page (the first page after signing in writes the
        # session's clock and organization, as it does once a sign-in).
        clients = {}

        def sign_in(i):
            person = leaders[i % len(leaders)]
            if person.pk not in clients:
                client = Client()
                client.force_login(person.user)
                assert client.get(reverse("web:sop_prompts", args=[SLUG])).status_code == 200
                clients[person.pk] = client

        def my_week(i):
            person = leaders[i % len(leaders)]
            return clients[person.pk], reverse("web:my_week", args=[SLUG])

        timed("My week of a leader with routines, page", my_week, rounds, before=sign_in)

        admin = Client()
        admin.force_login(owner.user)
        # The page lists the organization's leaders 100 to a page (`?page=N`); 500 leaders
        # are five pages, or one call of the selector behind it with 500 to a page.
        pages = max(rounds // 2, 5)
        timed(
            "coverage map page (100 leaders × 16 dimensions), as the owner",
            lambda i: (admin, reverse("web:sop_coverage", args=[SLUG]) + f"?page={i % 5 + 1}"),
            pages,
        )
        times = []
        for _ in range(pages):
            with QueryCount(connection) as ctx:
                started = time.perf_counter()
                found = coverage_map(owner, per_page=COVERAGE_ROWS)
                times.append((time.perf_counter() - started) * 1000)
        results[f"coverage map, {COVERAGE_ROWS} leaders × 16 dimensions, selector"] = {
            **_summary(times),
            "queries": f"{ctx.count} ({len(found.rows)} rows)",
        }

        # The calendar feed: a token in each leader's preferences, read without a session.
        tokens = {}
        for person in leaders:
            token = secrets.token_urlsafe(32)
            SopPreferences.objects.update_or_create(
                person=person,
                defaults={"organization_id": org.pk, "calendar_token": token},
            )
            tokens[person.pk] = token
        anonymous = Client()
        timed(
            "iCalendar feed of a leader",
            lambda i: (
                anonymous,
                reverse("web:sop_calendar", args=[tokens[leaders[i % len(leaders)].pk]]),
            ),
            rounds,
        )

        # A day's generation for every cadence: what the worker does each night.
        started = time.perf_counter()
        made = runs_generate(organization=org, today=today + datetime.timedelta(days=1))
        seconds = time.perf_counter() - started
        results["generate a day's runs (runs_generate, whole organization)"] = {
            "p50_ms": round(seconds * 1000, 1),
            "p95_ms": round(seconds * 1000, 1),
            "runs": 1,
            "queries": f"{made['created']} runs made, {made['missed']} marked missed",
        }
    return results


def bench(db: str, args) -> dict:
    data_dir = tempfile.mkdtemp(prefix=f"leados-bench-sops-{db}-")
    env = _env(db, data_dir)
    try:
        if db == "postgres":
            _reset_postgres()
        _leados(env, "manage", "migrate", "-v", "0")
        _leados(env, "manage", "collectstatic", "--noinput", "-v", "0")
        started = time.perf_counter()
        synth = _leados(
            env, "synth", "--org", SLUG, "--people", str(args.people),
            "--sops", str(args.sops), "--sop-weeks", str(args.sop_weeks),
        )  # fmt: skip
        synth_seconds = round(time.perf_counter() - started, 1)
        if db == "postgres":
            vacuum_analyze(PG_URL)  # as autovacuum would have done by the time anyone reads
        child = subprocess.run(
            [sys.executable, __file__, "--_measure", "--rounds", str(args.rounds)],
            cwd=ROOT,
            env={**env, "LEADOS_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1"},
            capture_output=True,
            text=True,
            timeout=7200,
        )
        if child.returncode != 0:
            raise SystemExit(f"measuring failed on {db}:\n{child.stderr[-3000:]}")
        return {
            "db": db,
            "synth_seconds": synth_seconds,
            "synth_output": " ".join(
                line for line in synth.stdout.strip().splitlines() if "password" not in line
            ),
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
            print(f"| {label} | {row['p50_ms']} | {row['p95_ms']} | {row.get('queries', '')} |")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--sops", type=int, default=50000)
    parser.add_argument("--sop-weeks", type=int, default=104)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "sops.json"))
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
