"""Platform benchmark: a 10,000-person synthetic organization on SQLite and PostgreSQL.

Measures, per database:
- how long `leados synth --people N` takes;
- p50/p95 server time and query count of the main pages and API list routes
  (in-process, through Django's full request stack with a signed-in user);
- requests per second of an authenticated API list route against a trivial view
  (/healthz) on the same gunicorn server, as a ratio (the framework floor);
- resident memory of the web worker after the load.

Usage: python benchmarks/bench_platform.py [--people 10000] [--db sqlite|postgres|both]
       [--rounds 30] [--out benchmarks/out/platform.json]
Prints a Markdown table per database; figures go into benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leados_bench")


def _env(db: str, data_dir: str) -> dict:
    env = {**os.environ, "LEADOS_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "leados.settings"}
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = PG_URL
    return env


def _leados(env, *args, timeout=900) -> subprocess.CompletedProcess:
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


def measure_in_process(rounds: int) -> dict:
    """Runs inside a child process whose environment points at the benchmark database."""
    from benchsupport import QueryCount
    from django.db import connection
    from django.test import Client
    from django_scopes import scopes_disabled

    import leados.wsgi  # noqa: F401 - starts as the web server does: see leados/core/serving.py
    from leados.core.models import Organization, Person
    from leados.core.services import token_create

    with scopes_disabled():
        org = Organization.objects.get(slug="bench")
        owner = Person.objects.filter(organization=org, role="owner").select_related("user").first()
        someone = Person.objects.filter(organization=org, role="member").order_by("id")[500]
    client = Client()
    client.force_login(owner.user)
    # API clients send a token and no session cookie.
    api_client = Client()
    _token, raw = token_create(user=owner.user, name="bench", organization=org)
    api = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    targets = {
        "units tree": ("/o/bench/units/", {}),
        "people search": ("/o/bench/people/?q=an", {}),
        "person page": (f"/o/bench/people/{someone.pk}/", {}),
        "My week": ("/o/bench/", {}),
        "API people list": ("/api/v1/orgs/bench/people?limit=50", api),
        "API units list": ("/api/v1/orgs/bench/units?limit=50", api),
        "API role-assignments list": ("/api/v1/orgs/bench/role-assignments?limit=50", api),
        "API history list": ("/api/v1/orgs/bench/history?limit=50", api),
    }
    results = {}
    for label, (path, headers) in targets.items():
        client_for_target = api_client if headers else client
        response = client_for_target.get(path, **headers)
        if response.status_code != 200:
            results[label] = {"error": f"HTTP {response.status_code}"}
            continue
        times, queries = [], 0
        for _ in range(rounds):
            with QueryCount(connection) as ctx:
                started = time.perf_counter()
                client_for_target.get(path, **headers)
                times.append((time.perf_counter() - started) * 1000)
            queries = ctx.count
        times.sort()
        results[label] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
            "queries": queries,
        }
    results["_token"] = raw
    return results


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _load(url: str, headers: dict, seconds: float, threads: int = 4) -> float:
    """Requests per second from ``threads`` keep-alive-less clients for ``seconds``."""
    stop = time.monotonic() + seconds
    counts = [0] * threads

    def run(i):
        while time.monotonic() < stop:
            request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                response.read()
            counts[i] += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / seconds


def _rss_mb(pid: int) -> float:
    total = 0
    for child in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total = max(total, int(line.split()[1]))
        except FileNotFoundError:
            pass
    return round(total / 1024, 1)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def measure_throughput(env: dict, token: str, seconds: float) -> dict:
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "leados.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env={**env, "LEADOS_LOG_LEVEL": "WARNING"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        auth = {"Authorization": f"Bearer {token}"}
        _load(base + "/healthz", {}, 1)
        floor = _load(base + "/healthz", {}, seconds)
        api = _load(base + "/api/v1/orgs/bench/people?limit=50", auth, seconds)
        rss = _rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {
        "trivial_rps": round(floor, 1),
        "api_list_rps": round(api, 1),
        "ratio": round(api / floor, 3) if floor else None,
        "web_worker_rss_mb": rss,
    }


def bench(db: str, people: int, rounds: int, seconds: float) -> dict:
    data_dir = tempfile.mkdtemp(prefix=f"leados-bench-{db}-")
    env = _env(db, data_dir)
    try:
        if db == "postgres":
            _reset_postgres()
        _leados(env, "manage", "migrate", "-v", "0")
        _leados(env, "manage", "collectstatic", "--noinput", "-v", "0")
        started = time.perf_counter()
        _leados(env, "synth", "--org", "bench", "--people", str(people))
        synth_seconds = round(time.perf_counter() - started, 1)
        child = subprocess.run(
            [sys.executable, __file__, "--_measure", "--rounds", str(rounds)],
            env={**env, "LEADOS_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1"},
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
        )
        pages = json.loads(child.stdout.strip().splitlines()[-1])
        token = pages.pop("_token")
        throughput = measure_throughput(env, token, seconds)
        return {
            "db": db,
            "people": people,
            "synth_seconds": synth_seconds,
            "pages": pages,
            "throughput": throughput,
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def print_table(result: dict) -> None:
    print(f"\n### {result['db']} — {result['people']} people\n")
    print(f"`leados synth`: {result['synth_seconds']} s\n")
    print("| what | p50 ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    for label, row in result["pages"].items():
        if "error" in row:
            print(f"| {label} | {row['error']} | | |")
        else:
            print(f"| {label} | {row['p50_ms']} | {row['p95_ms']} | {row['queries']} |")
    t = result["throughput"]
    print(
        f"\nThroughput: trivial view {t['trivial_rps']} req/s, API people list "
        f"{t['api_list_rps']} req/s, ratio {t['ratio']}; web worker RSS {t['web_worker_rss_mb']} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "platform.json"))
    parser.add_argument("--_measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._measure:
        print(json.dumps(measure_in_process(args.rounds)))
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [bench(db, args.people, args.rounds, args.seconds) for db in dbs]
    for result in results:
        print_table(result)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
