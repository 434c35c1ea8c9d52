"""Receivers that count what happens outside the request/response path: Celery tasks' outcomes
(in the processes that run them: the worker's children, or the web process without a broker),
the SLA job's last success, and database connection errors that end a request or a task.

insieme.ops.metrics is imported inside each receiver, never at import time (see its docstring).
"""

from __future__ import annotations

import logging
import os
import sys

from celery import signals as celery_signals
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError

log = logging.getLogger(__name__)
DB_CONNECTION_ERRORS = (OperationalError, InterfaceError)


def is_connection_error(exc: BaseException | None) -> bool:
    """A lost or refused database connection, possibly wrapped in another exception."""
    for _ in range(5):
        if exc is None:
            return False
        if isinstance(exc, DB_CONNECTION_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _task_name(sender) -> str:
    return getattr(sender, "name", None) or "unknown"


def on_task_success(sender=None, **kwargs) -> None:
    from insieme.ops import jobs, metrics

    name = _task_name(sender)
    metrics.count_task(name, "success")
    job = jobs.TASK_JOBS.get(name)
    if job:
        try:
            jobs.record_success(job)
        except Exception:  # the job did its work; only its bookkeeping failed
            log.exception("could not record the success of %s", job)


def on_task_failure(sender=None, exception=None, **kwargs) -> None:
    from insieme.ops import metrics

    metrics.count_task(_task_name(sender), "failure")
    if is_connection_error(exception):
        metrics.count_db_error("task")


def on_task_retry(sender=None, **kwargs) -> None:
    from insieme.ops import metrics

    metrics.count_task(_task_name(sender), "retry")


def on_request_exception(sender=None, request=None, **kwargs) -> None:
    # Sent while Django handles the exception, so it is the one being handled.
    if is_connection_error(sys.exc_info()[1]):
        from insieme.ops import metrics

        metrics.count_db_error("request")


def on_worker_process_shutdown(**kwargs) -> None:
    """A Celery pool process ends: its live gauges stop counting (multiprocess mode)."""
    from insieme.ops import multiproc

    if multiproc.enabled():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())


def connect() -> None:
    for signal, receiver in (
        (celery_signals.task_success, on_task_success),
        (celery_signals.task_failure, on_task_failure),
        (celery_signals.task_retry, on_task_retry),
        (celery_signals.worker_process_shutdown, on_worker_process_shutdown),
    ):
        signal.connect(receiver, weak=False, dispatch_uid=f"insieme.ops.{receiver.__name__}")
    got_request_exception.connect(on_request_exception, dispatch_uid="insieme.ops.db_errors")
