"""The RQ worker that ``leados worker`` runs when LEADOS_TASK_BACKEND=rq."""

from __future__ import annotations

import inspect
import os
import signal

from django.db import close_old_connections
from rq.worker import SimpleWorker

# Seconds the scheduler process gets to stop after SIGTERM before it is killed.
SCHEDULER_STOP_GRACE = 10.0
# Seconds the thread that listens for commands gets to end once unsubscribed.
PUBSUB_STOP_GRACE = 5.0


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

    def _shutdown(self):
        """Note the stop before RQ raises it from the signal handler: when the signal lands
        while a log line is written, logging swallows the exception, and the loop then
        stops at its next turn instead of never."""
        self._stop_requested = True
        super()._shutdown()

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        if self._stop_requested:
            return None  # asked to stop: wait for no more work
        return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)

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

    def unsubscribe(self):
        """Stop the thread that listens for commands, then unsubscribe, which wakes it.

        RQ unsubscribes first and stops the thread after; when the thread reads the reply
        before it is told to stop, it waits a whole minute for a subscription that never
        comes, and newer redis clients wait for it without a limit, so the worker hung on
        its way out. Told first, the thread ends as soon as the reply wakes it.
        """
        thread = self.pubsub_thread
        if not thread:
            return
        channel = self.pubsub_channel_name
        self.log.info("Worker %s: unsubscribing from channel %s", self.name, channel)
        if "timeout" in inspect.signature(thread.stop).parameters:
            thread.stop(timeout=0)  # redis-py 8.2 and later: otherwise it waits for the end
        else:
            thread.stop()  # earlier clients only ask
        self.pubsub.unsubscribe()
        thread.join(PUBSUB_STOP_GRACE)
        if thread.is_alive():
            self.log.warning("Worker %s: the command listener did not end; leaving it.", self.name)
            return  # a daemon thread: it ends with the process, and it still owns the socket
        self.pubsub.close()
