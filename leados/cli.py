"""The ``leados`` command line. Every subcommand parses input and calls a service."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leados.settings")
    import django

    django.setup()


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
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["leados manage", *args.rest])
    return 0


def cmd_migrate_quietly() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def cmd_up(args) -> int:
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    print(f"LeadOS data directory: {settings.DATA_DIR}")
    cmd_migrate_quietly()
    call_command("collectstatic", interactive=False, verbosity=0)
    login = None
    if not args.no_demo:
        from leados.core.demo import demo_ensure_first_start

        login = demo_ensure_first_start()
    server = subprocess.Popen(  # noqa: S603 - fixed argument list
        [
            sys.executable,
            "-m",
            "gunicorn",
            "leados.wsgi:application",
            "--bind",
            f"{args.host}:{args.port}",
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
    print(f"LeadOS is running at http://{host}:{args.port}/")
    if login:
        print(f"Demo sign-in: {login[0]} / {login[1]}")
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
            print("leados: a process stopped unexpectedly; shutting down.", file=sys.stderr)
            break
        time.sleep(0.3)
    for proc in (server, worker):
        if proc.poll() is None:
            proc.terminate()
    for proc in (server, worker):
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    print("LeadOS stopped.")
    return code


def cmd_worker(args) -> int:
    _setup()
    from django.core.management import call_command

    cmd_migrate_quietly()
    call_command("db_worker", interval=args.interval)
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

    p = sub.add_parser("worker", help="run the background task worker")
    p.add_argument("--interval", type=float, default=1.0)
    p.set_defaults(func=cmd_worker)

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
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
