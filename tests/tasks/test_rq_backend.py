"""Background tasks on Redis/RQ: real Redis, real ``leados worker``, real SMTP delivery."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import pytest
import redis

from tests.conftest import service_missing
from tests.support.cli import INVITE, LEADOS, free_port, read_until, run, start_up, stop

# A Redis database of its own: the tests empty it, and nothing else.
REDIS_URL = "redis://127.0.0.1:6379/9"
QUEUE = "rq:queue:default"

DATABASE_QUEUE = (
    "from django_tasks_db.models import DBTaskResult; "
    "print('database queue:', DBTaskResult.objects.count())"
)


@pytest.fixture
def queue_redis():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        service_missing("Redis is not running on 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def rq_env(cli_env, smtp, queue_redis):
    controller, _inbox = smtp
    return {
        **cli_env,
        "LEADOS_TASK_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "LEADOS_EMAIL_HOST": "127.0.0.1",
        "LEADOS_EMAIL_PORT": str(controller.port),
        "LEADOS_BASE_URL": "https://leados.example.com",
    }


def create_acme(env: dict) -> None:
    password = ["--password", "a long enough passphrase"]
    created = run(["user", "create", "--email", "boss@acme.test", *password], env)
    assert created.returncode == 0, created.stderr
    org = ["org", "create", "--slug", "acme", "--name", "Acme", "--owner", "boss@acme.test"]
    created = run(org, env)
    assert created.returncode == 0, created.stderr


def invite_newcomer(env: dict) -> None:
    queued = run(["manage", "shell", "-c", INVITE], env)
    assert queued.returncode == 0, queued.stderr


def wait_for(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def assert_one_invitation_to_the_newcomer(inbox) -> None:
    assert len(inbox.messages) == 1
    message = inbox.envelopes[0]
    assert message.rcpt_tos == ["newcomer@acme.test"]
    body = message.content.decode()
    assert "Subject: Join Acme on LeadOS" in body
    assert "https://leados.example.com/invite/" in body


def start_worker(env: dict) -> subprocess.Popen:
    """A long-running ``leados worker`` whose output the test reads line by line."""
    return subprocess.Popen(
        [*LEADOS, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def test_an_invitation_is_queued_in_redis_and_the_rq_worker_delivers_it(rq_env, smtp, queue_redis):
    _controller, inbox = smtp
    create_acme(rq_env)
    invite_newcomer(rq_env)

    assert queue_redis.llen(QUEUE) == 1
    in_database = run(["manage", "shell", "-c", DATABASE_QUEUE], rq_env)
    assert "database queue: 0" in in_database.stdout, in_database.stderr
    assert inbox.messages == []  # queued, not sent: only a worker sends it

    worker = run(["worker", "--burst"], rq_env, timeout=120)

    assert worker.returncode == 0, worker.stderr
    assert_one_invitation_to_the_newcomer(inbox)
    assert queue_redis.llen(QUEUE) == 0
    assert queue_redis.zcard("rq:finished:default") == 1
    assert queue_redis.zcard("rq:failed:default") == 0
    assert queue_redis.scard("rq:workers") == 0  # it signed off when it was done


def test_a_running_rq_worker_delivers_at_once_and_stops_cleanly_on_sigterm(
    rq_env, smtp, queue_redis
):
    _controller, inbox = smtp
    create_acme(rq_env)
    worker = start_worker(rq_env)
    try:
        read_until(worker, "Listening on default", timeout=60)
        assert queue_redis.scard("rq:workers") == 1

        invite_newcomer(rq_env)

        assert wait_for(lambda: inbox.messages), "the running worker sent nothing"
    finally:
        rest = stop(worker)
    assert worker.returncode == 0, rest
    assert "warm shut down requested" in rest
    assert_one_invitation_to_the_newcomer(inbox)
    assert queue_redis.scard("rq:workers") == 0


def test_the_worker_still_exits_when_its_scheduler_process_hangs(rq_env, queue_redis):
    create_acme(rq_env)
    worker = start_worker(rq_env)
    scheduler_pid = None
    try:
        started = read_until(worker, "Scheduler for default started with PID", timeout=60)
        scheduler_pid = int(re.search(r"Scheduler for default started with PID (\d+)", started)[1])
        os.kill(scheduler_pid, signal.SIGSTOP)  # frozen: it can no longer act on SIGTERM
        # The worker cleans its registries once its own signal handlers are in place (the
        # scheduler's line and this one come from two processes, in either order).
        if "cleaning group registries" not in started:
            read_until(worker, "cleaning group registries", timeout=60)
    finally:
        try:
            rest = stop(worker)
        finally:
            left_behind = scheduler_pid is not None and _kill(scheduler_pid)
    assert worker.returncode == 0, rest
    assert f"the scheduler process {scheduler_pid} did not stop" in rest
    assert not left_behind  # killed and reaped by the worker
    assert queue_redis.scard("rq:workers") == 0


def _kill(pid: int) -> bool:
    """Kills ``pid`` if it is still there (so no test after this one meets it); says so."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def test_a_task_for_a_revoked_invitation_sends_nothing(rq_env, smtp, queue_redis):
    _controller, inbox = smtp
    create_acme(rq_env)
    invite_newcomer(rq_env)
    revoke_and_queue_again = """
from leados.core.models import Invitation, Organization
from leados.core.services import invitation_revoke
from leados.core.tasks import send_invitation_email
from leados.core.tenancy import org_scope
org = Organization.objects.get(slug="acme")
with org_scope(org):
    invitation = Invitation.objects.get(email="newcomer@acme.test")
    invitation_revoke(invitation=invitation)
send_invitation_email.enqueue(org.pk, invitation.pk)
"""
    revoked = run(["manage", "shell", "-c", revoke_and_queue_again], rq_env)
    assert revoked.returncode == 0, revoked.stderr
    assert queue_redis.llen(QUEUE) == 2

    worker = run(["worker", "--burst"], rq_env, timeout=120)

    assert worker.returncode == 0, worker.stderr
    assert inbox.messages == []
    assert queue_redis.zcard("rq:finished:default") == 2  # both ran and did nothing
    assert queue_redis.zcard("rq:failed:default") == 0


def test_up_runs_the_rq_worker_when_rq_is_configured(rq_env, smtp, queue_redis):
    _controller, inbox = smtp
    proc = start_up(rq_env, free_port(), "--no-demo")
    try:
        read_until(proc, "Press Ctrl-C to stop.")
        assert wait_for(lambda: queue_redis.scard("rq:workers") == 1), "no RQ worker started"
        create_acme(rq_env)
        invite_newcomer(rq_env)

        assert wait_for(lambda: inbox.messages), "leados up's worker sent nothing"
    finally:
        rest = stop(proc)
    assert proc.returncode == 0, rest
    assert "LeadOS stopped." in rest
    assert_one_invitation_to_the_newcomer(inbox)
    assert queue_redis.scard("rq:workers") == 0


def test_tasks_left_in_the_database_queue_are_pointed_out_and_run_by_a_database_burst(
    rq_env, smtp, queue_redis
):
    _controller, inbox = smtp
    database_env = {**rq_env, "LEADOS_TASK_BACKEND": "database"}
    create_acme(database_env)
    invite_newcomer(database_env)  # queued in the database, before a switch to rq
    switched = run(["worker", "--burst"], rq_env, timeout=120)
    assert switched.returncode == 1
    assert "migration(s) to apply" in switched.stderr  # django_rq's own, on the switch
    assert run(["manage", "migrate"], rq_env).returncode == 0

    rq_worker = run(["worker", "--burst"], rq_env, timeout=120)

    assert rq_worker.returncode == 0, rq_worker.stderr
    assert "1 task(s) queued in the database before the switch to rq" in rq_worker.stderr
    assert inbox.messages == []

    database_worker = run(["worker", "--burst"], database_env, timeout=120)

    assert database_worker.returncode == 0, database_worker.stderr
    assert_one_invitation_to_the_newcomer(inbox)
    in_database = run(["manage", "shell", "-c", DATABASE_QUEUE], database_env)
    assert "database queue: 1" in in_database.stdout  # kept, as a successful result
    again = run(["worker", "--burst"], rq_env, timeout=120)
    assert "queued in the database" not in again.stderr


def test_rq_without_redis_url_stops_start_up_with_a_clear_message(cli_env):
    env = {**cli_env, "LEADOS_TASK_BACKEND": "rq"}
    env.pop("REDIS_URL", None)

    result = run(["worker"], env, timeout=60)

    assert result.returncode == 2
    assert (
        "leados: configuration error: LEADOS_TASK_BACKEND=rq needs REDIS_URL: the Redis "
        "server that holds the task queue." in result.stderr
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["celery", "Database queue", "redis"])
def test_an_unknown_task_backend_stops_start_up_with_a_clear_message(cli_env, value):
    env = {**cli_env, "LEADOS_TASK_BACKEND": value, "REDIS_URL": REDIS_URL}

    result = run(["worker"], env, timeout=60)

    assert result.returncode == 2
    assert (
        "leados: configuration error: LEADOS_TASK_BACKEND must be 'database' or 'rq' "
        f"(got {value!r})." in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_the_rq_worker_refuses_to_start_when_redis_cannot_be_reached(cli_env):
    env = {
        **cli_env,
        "LEADOS_TASK_BACKEND": "rq",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/9",
    }
    assert run(["manage", "migrate"], env).returncode == 0

    result = run(["worker"], env, timeout=60)

    assert result.returncode == 1
    assert "leados: cannot reach the Redis server in REDIS_URL:" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_backend_names_are_read_without_regard_to_case_or_spaces(cli_env):
    show = "from django.conf import settings as s; print(s.TASKS['default']['BACKEND'])"
    env = {**cli_env, "LEADOS_TASK_BACKEND": " RQ ", "REDIS_URL": REDIS_URL}
    result = run(["manage", "shell", "-c", show], env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "django_tasks_rq.RQBackend"
    default = run(["manage", "shell", "-c", show], cli_env, timeout=60)
    assert default.stdout.split("\n")[-2] == "django_tasks_db.DatabaseBackend"
