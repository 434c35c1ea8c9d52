"""Getting deliveries sent without making the request that caused them wait.

`WEBHOOKS_DISPATCH` (a Django setting, default "auto") chooses how:

- "celery": each delivery becomes a Celery task on commit; a failed attempt re-sends the task with
  a countdown; the periodic `deliver_due` task (beat) picks up anything a lost message left due.
- "thread": no broker, so Celery would run the task eagerly, inside the request. Instead a daemon
  thread of this process sends what is due, sleeps until the next retry falls due, and stops once
  nothing is pending; a new delivery wakes (or restarts) it.
- "manual": nothing is started; deliveries stay due until `insieme webhooks_deliver` (cron, or
  `--loop`) or the periodic task sends them.

"auto" is "celery" when a broker is configured and "thread" otherwise.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 60.0  # the longest the thread sleeps while something is pending
MIN_SLEEP_SECONDS = 0.5
ERROR_RETRY_SECONDS = 2.0  # after a failure (a locked SQLite table, a dropped connection)


def mode() -> str:
    configured = getattr(settings, "WEBHOOKS_DISPATCH", "auto")
    if configured != "auto":
        return configured
    return "thread" if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True) else "celery"


def dispatch(delivery_ids: list[int]) -> None:
    """Have the deliveries sent in the background, once the current transaction commits."""
    if not delivery_ids:
        return
    how = mode()
    if how == "celery":
        from insieme.core.tasks import enqueue
        from insieme.webhooks.tasks import deliver

        for pk in delivery_ids:
            enqueue(deliver, pk)
    elif how == "thread":
        transaction.on_commit(_dispatcher.wake, robust=True)


class _Dispatcher:
    """One sender thread per process, started on demand."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            self._wake.set()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="insieme-webhooks", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                self._wake.clear()
                sleep = self._work()
                if sleep is None:
                    with self._lock:
                        if not self._wake.is_set():  # nothing pending and nobody asked since
                            self._thread = None
                            return
                    continue
                self._wake.wait(timeout=sleep)
        finally:
            with self._lock:
                if self._thread is threading.current_thread():
                    self._thread = None

    def _work(self) -> float | None:
        """Send what is due; return how long to sleep before the next retry (None: idle)."""
        from insieme.webhooks.delivery import deliver_due, next_due

        try:
            deliver_due()
            due = next_due()
        except Exception:  # the thread must survive a database hiccup; the rows stay due
            log.exception("webhook sender thread failed")
            return ERROR_RETRY_SECONDS
        finally:
            connections.close_all()  # this thread's own connections
        if due is None:
            return None
        wait = (due - timezone.now()).total_seconds()
        return min(max(wait, MIN_SLEEP_SECONDS), IDLE_POLL_SECONDS)

    def join(self, timeout: float) -> bool:
        """Wait for the thread to go idle (tests); True when it did."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self._thread is None


_dispatcher = _Dispatcher()
