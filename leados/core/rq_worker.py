"""The RQ worker that ``leados worker`` runs when LEADOS_TASK_BACKEND=rq."""

from __future__ import annotations

import os
import signal

from django.db import close_old_connections
from rq.worker import SimpleWorker

# Seconds the scheduler process gets to stop after SIGTERM before it is killed.
SCHEDULER_STOP_GRACE = 10.0


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

    def stop_scheduler(self):
        """Stop RQ's scheduler process, and kill it if it has not stopped in a few seconds.

        RQ waits for that process without a limit; one that never ends (it is forked from a
        process with threads, so it can inherit a lock that nobody will release) would keep
        the worker from ever exiting. What the scheduler does is safe to cut short: moving
        due jobs onto the queue, which the next scheduler does again.
        """
        process = self.scheduler._process if self.scheduler else None
        if process is None or not process.pid:
            return
        try:
            os.kill(process.pid, signal.SIGTERM)
        except OSError:
            pass
        process.join(SCHEDULER_STOP_GRACE)
        if process.is_alive():
            self.log.warning(
                "Worker %s: the scheduler process %s did not stop in %ss; killing it.",
                self.name,
                process.pid,
                SCHEDULER_STOP_GRACE,
            )
            process.kill()
            process.join(SCHEDULER_STOP_GRACE)
