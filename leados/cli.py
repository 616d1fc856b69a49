"""The ``leados`` command line. Every subcommand parses input and calls a service."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def _setup(*, migrate: bool = True) -> None:
    """Load the settings and, unless told not to, bring the database schema up to date."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leados.settings")
    import django

    django.setup()
    if migrate:
        pending = _pending_migrations()
        if pending:
            print(f"Applying {pending} database migration(s)…", file=sys.stderr, flush=True)
            _migrate()


def _fail(message: str, code: int = 1) -> int:
    print(f"leados: {message}", file=sys.stderr)
    return code


def _errors(exc) -> str:
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{f}: {m}" for f, ms in exc.message_dict.items() for m in ms)
        return "; ".join(exc.messages)
    return getattr(exc, "message", str(exc))


def _cli_context():
    from leados.core.context import change_context
    from leados.core.models import Edge

    return change_context(actor=None, edge=Edge.CLI)


def cmd_manage(args) -> int:
    _setup(migrate=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["leados manage", *args.rest])
    return 0


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _database_label() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite at {db['NAME']}"
    return f"PostgreSQL database {db.get('NAME')} on {db.get('HOST') or 'localhost'}"


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def cmd_up(args) -> int:
    _setup(migrate=False)
    from django.conf import settings
    from django.core.management import call_command

    if not 0 < args.port < 65536:
        return _fail(f"--port must be between 1 and 65535 (got {args.port}).")
    if not _port_free(args.host, args.port):
        return _fail(
            f"cannot listen on {args.host}:{args.port}: the address is in use or not "
            "available here. Choose another with --port or --host."
        )
    print(f"LeadOS data directory: {settings.DATA_DIR}")
    print(f"Database: {_database_label()}", flush=True)
    _migrate()
    call_command("collectstatic", interactive=False, verbosity=0)
    login = None
    if not args.no_demo:
        from leados.core.demo import demo_ensure_first_start

        login = demo_ensure_first_start()
    # The children start from a clean connection state of their own.
    from django.db import connections

    connections.close_all()
    server = subprocess.Popen(  # noqa: S603 - fixed argument list
        [
            sys.executable,
            "-m",
            "gunicorn",
            "leados.wsgi:application",
            "--bind",
            f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}",
            "--workers",
            str(args.workers),
            "--threads",
            "4",
            "--graceful-timeout",
            "10",
            "--log-level",
            "warning",
        ]
    )
    worker = subprocess.Popen([sys.executable, "-m", "leados", "worker"])  # noqa: S603
    host = f"[{args.host}]" if ":" in args.host else args.host
    address = f"http://{host}:{args.port}/"
    print(f"LeadOS is running at {address}")
    if args.host in ("0.0.0.0", "::"):  # noqa: S104 - reporting, not binding
        print("(listening on every interface; use this machine's name or address)")
    print(f"Web server pid {server.pid}, worker pid {worker.pid}")
    if login:
        slug, email, password = login
        print(f"Demo organization: {address}o/{slug}/")
        print(f"Demo sign-in: {email} / {password}")
    print("Press Ctrl-C to stop.", flush=True)

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        if server.poll() is not None or worker.poll() is not None:
            code = 1
            which = "web server" if server.poll() is not None else "worker"
            print(f"leados: the {which} stopped unexpectedly; shutting down.", file=sys.stderr)
            break
        time.sleep(0.2)
    for proc in (server, worker):
        if proc.poll() is None:
            proc.terminate()
    for name, proc in (("web server", server), ("worker", worker)):
        try:
            result = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            result = proc.wait()
            print(f"leados: the {name} did not stop in time and was killed.", file=sys.stderr)
            code = 1
        if result != 0:
            code = 1
    print("LeadOS stopped.", flush=True)
    return code


def cmd_worker(args) -> int:
    _setup(migrate=False)
    from django.conf import settings
    from django.core.management import call_command

    pending = _pending_migrations()
    if pending:
        return _fail(
            f"the database has {pending} migration(s) to apply; run 'leados manage migrate' "
            "(or 'leados up') first."
        )
    if settings.LEADOS_TASK_BACKEND == "rq":
        return _rq_worker(args)
    _schedule(args)
    call_command("db_worker", interval=args.interval, batch=args.burst, verbosity=args.verbosity)
    return 0


def _schedule(args) -> None:
    """Queue the periodic jobs due now; a long-running worker keeps looking from a thread
    (any number of workers may: each job is queued once per organization and day)."""
    from leados.core.schedule import enqueue_due, run_ticks, start_scheduler

    try:
        queued = enqueue_due()
        queued += [item for items in run_ticks().values() for item in items]
    except Exception as exc:  # noqa: BLE001 - the scheduler thread tries again in a minute
        print(f"leados: could not queue the periodic jobs yet: {exc}", file=sys.stderr)
        queued = []
    if queued and args.verbosity > 1:
        print(f"Queued {len(queued)} periodic job(s).", flush=True)
    if not args.burst:
        start_scheduler()


def _rq_worker(args) -> int:
    import django_rq
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult
    from redis.exceptions import RedisError

    try:
        django_rq.get_connection("default").ping()
    except RedisError as exc:
        return _fail(f"cannot reach the Redis server in REDIS_URL: {exc}")
    left_behind = DBTaskResult.objects.ready().count()
    if left_behind:
        print(
            f"leados: {left_behind} task(s) queued in the database before the switch to rq "
            "are waiting; run them once with 'LEADOS_TASK_BACKEND=database leados worker "
            "--burst'.",
            file=sys.stderr,
            flush=True,
        )
    _schedule(args)
    call_command(
        "rqworker",
        "default",
        worker_class="leados.core.rq_worker.Worker",
        job_class="django_tasks_rq.Job",
        burst=args.burst,
        with_scheduler=True,
        verbosity=args.verbosity,
    )
    return 0


def cmd_demo(args) -> int:
    _setup()
    from leados.core.demo import demo_create
    from leados.core.models import Person, Unit
    from leados.core.tenancy import org_scope

    try:
        org, owner, password = demo_create(slug=args.org, owner_email=args.owner)
    except Exception as exc:  # noqa: BLE001
        return _fail(_errors(exc))
    from leados.sops.demo import demo_sops_summary

    with org_scope(org):
        people, units = Person.objects.count(), Unit.objects.count()
        routines = demo_sops_summary(org)
    print(f"Created demo organization {org.slug} ({org.name}): {people} people, {units} units.")
    for line in routines:
        print(line)
    if password:
        print(f"Sign in as {owner.email} with the password: {password}")
    else:
        print(f"Owner: {owner.email} (an existing user; their password is unchanged).")
    return 0


def cmd_synth(args) -> int:
    _setup()
    from leados.core.synth import synth_create

    try:
        result = synth_create(
            slug=args.org,
            people=args.people,
            owner_email=args.owner,
            seed=args.seed,
            goals=args.goals,
            commitments=args.commitments,
            measurables=args.measurables,
            weeks=args.weeks,
            sops=args.sops,
            sop_weeks=args.sop_weeks,
        )
    except Exception as exc:  # noqa: BLE001
        return _fail(_errors(exc))
    print(
        f"Created {result.organization.slug}: {result.people} people, {result.units} units, "
        f"{result.role_assignments} role assignments in {result.seconds:.1f} s."
    )
    if result.alignment is not None:
        a = result.alignment
        print(
            f"Alignment: {a.goals} goals (deepest at depth {a.max_depth}, {a.orphans} not "
            f"tracing to a strategy goal), {a.check_ins} check-ins, {a.links} contributes-to "
            f"links, {a.commitments} commitments."
        )
    if result.scorecards is not None:
        s = result.scorecards
        print(
            f"Scorecards: {s.measurables} measurables ({s.family_units} units measuring each "
            f"organization-wide one), {s.values} weekly values, {s.scorecards} scorecards."
        )
    if result.sops is not None:
        s = result.sops
        states = ", ".join(f"{n} {state}" for state, n in s.states.items())
        print(
            f"SOPs: {s.sops} routines for {s.leaders} leaders across {s.dimensions} "
            f"dimensions, {s.runs} runs ({states}), {s.checkins} time check-ins "
            f"in {s.seconds:.1f} s."
        )
    if result.owner_password:
        print(f"Sign in as {result.owner_email} with the password: {result.owner_password}")
    else:
        print(f"Owner: {result.owner_email}")
    return 0


def cmd_alignment_recompute(args) -> int:
    _setup()
    from leados.core.access import get_organization_by_slug
    from leados.core.errors import NotFound
    from leados.core.models import Organization
    from leados.operate.rollup import recompute

    if args.org:
        try:
            organizations = [get_organization_by_slug(args.org)]
        except NotFound:
            return _fail(f"no organization {args.org!r}.")
    else:
        organizations = list(Organization.objects.order_by("slug"))
    differed = False
    for org in organizations:
        result = recompute(org, fix=not args.dry_run, examples=args.examples)
        print(f"{org.slug}: {result.summary()}")
        for difference in result.examples:
            print(f"  {difference}")
        if result.values > len(result.examples):
            print(f"  … and {result.values - len(result.examples):,} more differing values")
        if result.cycles:
            print(f"  goals in a loop of parents: {', '.join(map(str, result.cycles[:20]))}")
        differed = differed or bool(result.values or result.cycles)
    return 1 if args.check and differed else 0


def cmd_sops_runs(args) -> int:
    """Make due SOP runs now (what the worker does each day), for one or all organizations."""
    _setup()
    import datetime

    from leados.core.access import get_organization_by_slug
    from leados.core.errors import NotFound
    from leados.core.models import Organization
    from leados.core.tenancy import org_scope
    from leados.sops.services.runs import runs_generate

    day = None
    if args.date:
        try:
            day = datetime.date.fromisoformat(args.date)
        except ValueError:
            return _fail(f"{args.date!r} is not a date (YYYY-MM-DD).")
    if args.org:
        try:
            organizations = [get_organization_by_slug(args.org)]
        except NotFound:
            return _fail(f"no organization {args.org!r}.")
    else:
        organizations = list(Organization.objects.order_by("slug"))
    for org in organizations:
        with org_scope(org):
            result = runs_generate(organization=org, today=day)
        made, missed = result["created"], result["missed"]
        print(
            f"{org.slug}: {made:,} run{'' if made == 1 else 's'} made, {missed:,} closed as missed"
        )
    return 0


def cmd_backup(args) -> int:
    _setup()
    from leados.core.access import get_organization_by_slug
    from leados.core.backup import BackupError, backup_write
    from leados.core.errors import NotFound

    org = None
    if args.org:
        try:
            org = get_organization_by_slug(args.org)
        except NotFound:
            return _fail(f"no organization {args.org!r}.")
    path = Path(args.path)
    if path.exists() and not args.force:
        return _fail(f"{path} already exists; choose a new file or pass --force.")
    if not path.parent.is_dir():
        return _fail(f"the folder {path.parent} does not exist.")
    try:
        summary = backup_write(path, organization=org)
    except (BackupError, OSError) as exc:
        return _fail(f"backup failed: {exc}")
    print(
        f"Wrote {summary.path} ({summary.scope}): {summary.rows} rows in "
        f"{sum(1 for n in summary.tables.values() if n)} tables."
    )
    return 0


def cmd_restore(args) -> int:
    _setup(migrate=False)
    from django.core.serializers.base import DeserializationError
    from django.db import DatabaseError

    from leados.core.backup import BackupError, backup_restore

    _migrate()
    try:
        summary = backup_restore(args.path)
    except BackupError as exc:
        return _fail(f"restore refused: {exc}")
    except (DeserializationError, DatabaseError, ValueError) as exc:
        return _fail(f"restore failed and changed nothing: {exc}")
    print(f"Restored {summary.rows} rows ({summary.scope}) from {summary.path}.")
    return 0


def cmd_user_create(args) -> int:
    _setup()
    from leados.core.services import user_create

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = args.password
    try:
        user = user_create(email=args.email, password=password, name=args.name or "")
    except Exception as exc:  # noqa: BLE001
        return _fail(_errors(exc))
    print(f"Created user {user.email}.")
    return 0


def _user(email: str):
    from leados.core.models import User

    return User.objects.filter(email__iexact=(email or "").strip()).first()


def cmd_org_create(args) -> int:
    _setup()
    from leados.core.services import organization_create

    owner = _user(args.owner)
    if owner is None:
        return _fail(f"no user with the email {args.owner}; create it with 'leados user create'.")
    try:
        with _cli_context():
            org = organization_create(name=args.name, slug=args.slug, owner=owner)
    except Exception as exc:  # noqa: BLE001
        return _fail(_errors(exc))
    print(f"Created organization {org.slug} ({org.name}) owned by {owner.email}.")
    return 0


def cmd_member_add(args) -> int:
    _setup()
    from leados.core.access import get_organization_by_slug
    from leados.core.errors import NotFound
    from leados.core.services import person_add
    from leados.core.tenancy import org_scope

    try:
        org = get_organization_by_slug(args.org)
    except NotFound:
        return _fail(f"no organization {args.org!r}.")
    user = _user(args.email)
    if user is None:
        return _fail(f"no user with the email {args.email}; create it with 'leados user create'.")
    try:
        with _cli_context(), org_scope(org):
            person = person_add(organization=org, user=user, role=args.role, title=args.title or "")
    except Exception as exc:  # noqa: BLE001
        return _fail(_errors(exc))
    print(f"{user.email} is now {person.role} of {org.slug}.")
    return 0


def cmd_token_create(args) -> int:
    _setup()
    from leados.core.access import get_organization_by_slug
    from leados.core.errors import NotFound
    from leados.core.services import token_create

    user = _user(args.email)
    if user is None:
        return _fail(f"no user with the email {args.email}.")
    org = None
    if args.org:
        try:
            org = get_organization_by_slug(args.org)
        except NotFound:
            return _fail(f"no organization {args.org!r}.")
    try:
        _token, raw = token_create(user=user, name=args.name, organization=org)
    except Exception as exc:  # noqa: BLE001
        return _fail(_errors(exc))
    print(raw)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leados", description="LeadOS: a leadership operating system."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "up", help="migrate, create the demo organization, run the server and worker"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-demo", action="store_true", help="do not create the demo organization")
    p.set_defaults(func=cmd_up)

    p = sub.add_parser(
        "worker", help="run the background task worker (database or RQ, as configured)"
    )
    p.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="seconds between polls of the database queue (the RQ worker waits on Redis)",
    )
    p.add_argument(
        "--burst",
        action="store_true",
        help="queue the periodic jobs due now, run every queued task, then exit",
    )
    p.add_argument("--verbosity", type=int, default=1, choices=[0, 1, 2, 3])
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("demo", help="create the demo organization")
    p.add_argument("--org", default="larkspur", metavar="SLUG")
    p.add_argument("--owner", metavar="EMAIL", help="owner (created when missing)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("synth", help="create a large synthetic organization for benchmarks")
    p.add_argument("--org", required=True, metavar="SLUG")
    p.add_argument("--people", required=True, type=int, metavar="N")
    p.add_argument("--owner", metavar="EMAIL", help="owner (created when missing)")
    p.add_argument("--seed", type=int, default=1, help="the same seed gives the same names")
    p.add_argument(
        "--goals", type=int, default=0, metavar="N", help="a goal cascade of about N goals"
    )
    p.add_argument(
        "--commitments", type=int, default=0, metavar="N", help="N commitments in every state"
    )
    p.add_argument(
        "--measurables", type=int, default=0, metavar="N", help="about N weekly measurables"
    )
    p.add_argument(
        "--weeks", type=int, default=156, metavar="W", help="weeks of values per measurable"
    )
    p.add_argument(
        "--sops", type=int, default=0, metavar="N", help="about N leadership routines with runs"
    )
    p.add_argument(
        "--sop-weeks", type=int, default=104, metavar="W", help="weeks of runs per routine"
    )
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("alignment", help="goals and alignment upkeep")
    asub = p.add_subparsers(dest="action", required=True)
    q = asub.add_parser(
        "recompute",
        help="recompute every goal's roll-up, status and place in the tree; report differences",
    )
    q.add_argument("--org", metavar="SLUG", help="only this organization (default: all)")
    q.add_argument("--dry-run", action="store_true", help="report differences, change nothing")
    q.add_argument("--check", action="store_true", help="exit with status 1 when anything differed")
    q.add_argument("--examples", type=int, default=20, metavar="N", help="differences listed")
    q.set_defaults(func=cmd_alignment_recompute)

    p = sub.add_parser("sops", help="leadership SOP upkeep")
    ssub = p.add_subparsers(dest="action", required=True)
    q = ssub.add_parser(
        "runs",
        help="make the runs due in the coming week and close missed ones (the worker does "
        "this daily); safe to repeat",
    )
    q.add_argument("--org", metavar="SLUG", help="only this organization (default: all)")
    q.add_argument("--date", metavar="YYYY-MM-DD", help="as if today were this date")
    q.set_defaults(func=cmd_sops_runs)

    p = sub.add_parser("backup", help="write a backup of everything or of one organization")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--org", metavar="SLUG", help="only this organization and its users")
    p.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup into an empty database")
    p.add_argument("path", metavar="PATH")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("user", help="manage users")
    usub = p.add_subparsers(dest="action", required=True)
    q = usub.add_parser("create", help="create a user")
    q.add_argument("--email", required=True)
    q.add_argument("--name")
    group = q.add_mutually_exclusive_group(required=True)
    group.add_argument("--password")
    group.add_argument("--password-stdin", action="store_true")
    q.set_defaults(func=cmd_user_create)

    p = sub.add_parser("org", help="manage organizations")
    osub = p.add_subparsers(dest="action", required=True)
    q = osub.add_parser("create", help="create an organization")
    q.add_argument("--slug", required=True)
    q.add_argument("--name", required=True)
    q.add_argument("--owner", required=True, metavar="EMAIL")
    q.set_defaults(func=cmd_org_create)

    p = sub.add_parser("member", help="manage memberships")
    msub = p.add_subparsers(dest="action", required=True)
    q = msub.add_parser("add", help="add an existing user to an organization")
    q.add_argument("--org", required=True)
    q.add_argument("--email", required=True)
    q.add_argument("--role", required=True, choices=["owner", "admin", "member", "coach", "viewer"])
    q.add_argument("--title")
    q.set_defaults(func=cmd_member_add)

    p = sub.add_parser("token", help="manage API tokens")
    tsub = p.add_subparsers(dest="action", required=True)
    q = tsub.add_parser("create", help="create a token and print it once")
    q.add_argument("--email", required=True)
    q.add_argument("--name", required=True)
    q.add_argument("--org")
    q.set_defaults(func=cmd_token_create)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    from django.core.exceptions import ImproperlyConfigured

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ImproperlyConfigured as exc:
        return _fail(f"configuration error: {exc}", code=2)
    except KeyboardInterrupt:
        return 130
