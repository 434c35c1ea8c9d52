"""Request ids: one per request, on the response (`X-Request-ID`) and on every log line.

A request that arrives with a sane `X-Request-ID` (a proxy's or a client's: letters, digits and
`._:+/=@-`, at most 128 characters) keeps it, so that one id follows a request through the load
balancer, this server and the logs; anything else (too long, spaces, control characters, empty)
is replaced by a fresh one, so that a client cannot write arbitrary text into the logs.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._:+/=@-]{1,128}")

# The id of the request this thread serves now, for the log filter (insieme.ops.logs).
request_id_var: ContextVar[str | None] = ContextVar("insieme_request_id", default=None)


def sane(value: str | None) -> bool:
    return bool(value) and _SANE.fullmatch(value) is not None


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives the request its id (`request.request_id`), the response its header, and the logs
    written meanwhile their `request_id` (the log filter also finds it on `record.request`, for
    the lines Django writes after the middleware has returned, such as "Not Found: ...")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER)
        request.request_id = given if sane(given) else new_id()
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request.request_id
        return response
