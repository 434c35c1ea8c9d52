"""A small worker thread per process for work that must not hold up the answer.

Used to hand finished e-mail messages to the mail server after the answer has gone: how long
SMTP takes must not tell a caller whether an account exists (registration, password reset,
sign-in pauses). The work takes no database connection, so nothing waits on a transaction. At
process exit the queue is drained for a few seconds; whatever is left is logged, never lost
silently.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Worker:
    def __init__(self) -> None:
        self._queue: queue.Queue[Callable[[], None]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, job: Callable[[], None]) -> None:
        self._queue.put(job)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="insieme-background", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                job()
            except Exception:  # noqa: BLE001 - one failing job must not stop the others
                log.exception("background job %r failed", job)
            finally:
                self._queue.task_done()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted job has run (tests; process exit); True if they have."""
        done = threading.Event()

        def join() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=join, daemon=True).start()
        finished = done.wait(timeout)
        if not finished:
            log.warning("%d background job(s) still pending", self._queue.qsize())
        return finished


worker = Worker()
atexit.register(worker.wait_idle, 5.0)
