"""Log lines for people (text, the default) and for machines (JSON, INSIEME_LOG_FORMAT=json).

Both carry the id of the request (insieme.ops.requestid) or of the background task the line was
written in, and both pass through logsafety's masking, so an API key or a link token in a URL
never reaches the log whatever the format. settings.LOGGING names these classes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from celery import current_task
from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from insieme.core.logsafety import mask_secrets
from insieme.ops.requestid import request_id_var

_CONTEXT = ("request_id", "task_id", "task_name")
_JSON_NATIVE = (int, float, bool, type(None))


class ContextFilter(logging.Filter):
    """Adds `request_id`, `task_id` and `task_name` (None outside a request or a task) to every
    record; a handler's filter, so that it sees the records of every logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id is None:  # Django's own lines written after the middleware returned
            request_id = getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id
        record.task_id = record.task_name = None
        task = current_task
        if task:
            record.task_id = getattr(task.request, "id", None)
            record.task_name = getattr(task, "name", None)
        return True


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request or task id] message`, masked."""

    def __init__(self, fmt=None, datefmt=None, style="%", **kwargs):
        fmt = fmt or "%(asctime)s %(levelname)s %(name)s [%(context_id)s] %(message)s"
        super().__init__(fmt, datefmt, style, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        record.context_id = (
            getattr(record, "request_id", None) or getattr(record, "task_id", None) or "-"
        )
        return mask_secrets(super().format(record))


def _masked(value):
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, _JSON_NATIVE):
        return value
    if isinstance(value, dict):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return mask_secrets(str(value))


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id or
    task_id and task_name when there is one, exc_info when there is one, then any `extra`
    fields; every string masked."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(
            timespec="milliseconds"
        )
        super().add_fields(log_data, record, message_dict)

    def process_log_record(self, log_data):
        log_data = super().process_log_record(log_data)
        log_data.pop("request", None)  # Django's HttpRequest object; request_id stands for it
        for key in _CONTEXT:
            if log_data.get(key) is None:
                log_data.pop(key, None)
        return {str(k): _masked(v) for k, v in log_data.items()}
