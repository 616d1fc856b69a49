"""The RQ worker that ``leados worker`` runs when LEADOS_TASK_BACKEND=rq."""

from __future__ import annotations

from django.db import close_old_connections
from rq.worker import SimpleWorker


class Worker(SimpleWorker):
    """Runs each task in the worker process itself, like the database worker.

    Not forking keeps the database connection pool in one process, and lets SIGTERM
    (from ``leados up`` or systemd, which signal every process of the service) finish
    the running task before the worker exits instead of killing a forked work horse.
    Connections are checked around each task, as Django does around a request.
    """

    def execute_job(self, job, queue):
        close_old_connections()
        try:
            return super().execute_job(job, queue)
        finally:
            close_old_connections()
