"""While a service is away: the database (a 503 at once, in the caller's format), Redis (rate
limits counted in the database), the broker (Open311 batch requests filed by the periodic job: tests/open311/test_pending.py).

The whole stack under real outages is `make faulttest` (scripts/faulttest.py), which CI runs;
these pin each piece at the level of a request or a call.
"""

from __future__ import annotations

import json
import socket

import pytest
from django.db import IntegrityError, OperationalError
from django.test import RequestFactory

from insieme.core import throttle
from insieme.ops import outage


def _handled(path: str, exc: Exception):
    """handler500 as Django calls it: while the exception is being handled."""
    request = RequestFactory().get(path)
    try:
        raise exc
    except Exception:  # noqa: BLE001 - the handler reads sys.exc_info()
        return outage.server_error(request)


def test_the_urlconf_uses_the_outage_handler():
    from insieme import urls

    assert urls.handler500 == "insieme.ops.outage.server_error"


@pytest.mark.parametrize(
    "path, kind",
    [
        ("/services/", "html"),
        ("/api/v1/cases/", "api"),
        ("/open311/v2/requests.json", "open311-json"),
        ("/open311/v2/requests.xml", "open311-xml"),
    ],
)
def test_a_lost_database_answers_503_in_the_callers_format(path, kind):
    wrapped = OperationalError("connection failed: Connection refused")
    response = _handled(path, wrapped)
    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    if kind == "api":
        assert json.loads(body)["error"]["code"] == "service_unavailable"
    elif kind == "open311-json":
        assert json.loads(body)[0]["code"] == 503
    elif kind == "open311-xml":
        assert "<code>503</code>" in body and response["Content-Type"].startswith("text/xml")
    else:
        assert "503" in body and "<html" in body.lower()


def test_a_driver_error_wrapped_in_another_counts_as_an_outage():
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError as inner:
        outer = RuntimeError("while rendering")
        outer.__cause__ = inner
    assert outage.is_database_outage(outer)


@pytest.mark.parametrize(
    "exc", [IntegrityError("duplicate key"), ValueError("a bug"), ZeroDivisionError()]
)
def test_other_errors_stay_500(exc):
    assert _handled("/services/", exc).status_code == 500


def test_the_503_page_is_in_italian_too():
    from django.utils import translation

    with translation.override("it"):
        response = _handled("/services/", OperationalError("gone"))
    assert response.status_code == 503
    assert 'lang="it"' in response.content.decode()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def test_rate_limits_fall_back_to_the_database_while_redis_is_away(db, settings):
    """A Redis that refuses connections (a closed port: real refusals, no mock) neither fails
    the request nor lifts the limit: the database counts meanwhile."""
    settings.RATELIMIT_REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    throttle._redis_store.cache_clear()
    try:
        window = throttle.SlidingWindow("outage-test")
        rate = throttle.Rate(3, 60)
        decisions = [window.acquire("someone", rate) for _ in range(4)]
        assert [d.allowed for d in decisions] == [True, True, True, False]
        from insieme.core.models_security import RateCounter

        assert RateCounter.objects.exists()  # counted in the database
    finally:
        throttle._redis_store.cache_clear()
