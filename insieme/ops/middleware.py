"""The metrics middleware, first in settings.MIDDLEWARE so that it times everything the others
do too (the request id middleware, insieme.ops.requestid, comes right after SecurityMiddleware)."""

from __future__ import annotations

import time


class MetricsMiddleware:
    """Counts and times every request by method, route name and status class, and keeps the
    number of requests in flight. Django turns an exception inside into a 500 response before
    it reaches this middleware, so every request is counted with the status it got."""

    def __init__(self, get_response):
        # Imported here, in the web process, not when a check imports this module: see
        # insieme.ops.metrics on the multiprocess mode.
        from insieme.ops import metrics

        self.metrics = metrics
        self.get_response = get_response

    def __call__(self, request):
        metrics, start = self.metrics, time.perf_counter()
        with metrics.IN_FLIGHT.track_inprogress():
            response = self.get_response(request)
        metrics.observe_request(
            request.method,
            metrics.route_label(request),
            response.status_code,
            time.perf_counter() - start,
        )
        return response
