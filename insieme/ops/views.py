from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from insieme.ops import readiness

# Headers a reverse proxy adds: a request that carries one came from elsewhere, even when the
# proxy itself connects from the loopback address.
_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-Ip")


def _token_matches(expected: str, given: str) -> bool:
    return bool(expected and given and constant_time_compare(given, expected))


def _bearer(request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


@never_cache
@require_GET
def readyz(request):
    """Readiness: 200 when the database answers, the migrations are all applied and the Redis
    cache and the broker (where configured) answer; 503 otherwise. Everyone sees each check's
    status and time; monitoring with INSIEME_HEALTHZ_TOKEN (X-Health-Token) also sees errors."""
    ready, checks = readiness.run()
    detailed = _token_matches(settings.HEALTHZ_TOKEN, request.headers.get("X-Health-Token", ""))
    body = {
        "status": "ok" if ready else "error",
        "checks": {name: check.public(detailed) for name, check in checks.items()},
    }
    response = JsonResponse(body, status=200 if ready else 503)
    # A probe that finds the site not ready is no server error to log (nor to mail to ADMINS)
    # every few seconds: readiness logs when it changes (insieme.ops.readiness).
    response._has_been_logged = True
    return response


def may_scrape(request) -> bool:
    """A caller on this machine that came through no proxy, or one presenting
    INSIEME_METRICS_TOKEN (`Authorization: Bearer <token>` or `X-Metrics-Token`)."""
    token = settings.METRICS_TOKEN
    if _token_matches(token, _bearer(request)) or _token_matches(
        token, request.headers.get("X-Metrics-Token", "")
    ):
        return True
    if any(request.headers.get(h) for h in _PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return (mapped or address).is_loopback


@never_cache
@require_GET
def metrics(request):
    """Prometheus metrics of every process of this installation (see insieme.ops.metrics); a
    plain 404, as for any unknown page, to anyone else."""
    if not may_scrape(request):
        raise Http404
    from insieme.ops import metrics as ops_metrics

    body, content_type = ops_metrics.exposition(request.headers.get("Accept"))
    return HttpResponse(body, content_type=content_type)
