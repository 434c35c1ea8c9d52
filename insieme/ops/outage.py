"""What a request gets while the database is away: a 503 at once, never a 500 or a wait.

PostgreSQL restarting, failing over or refusing connections shows up in Django as an
OperationalError or InterfaceError, raised wherever the request first needs the database (the
session, the signed-in person, the view). Django turns any uncaught exception into its 500
handler; this handler (urls.handler500) looks at the exception being handled and, for a lost or
refused database connection, answers 503 Service Unavailable with Retry-After, in the format
the caller speaks (the REST API's error body, Open311's error list, or a short page). A write
that met the outage rolled back with its transaction; one that committed just before keeps its
idempotency key (the filing form's token, the API's Idempotency-Key), so sending again does not
file twice.

The connection heals by itself: Django closes a connection that raised (CONN_HEALTH_CHECKS
checks a kept one before each request), so the first request after the database is back opens
a new one. Connecting gives up after INSIEME_DB_CONNECT_TIMEOUT seconds (settings.py).
"""

from __future__ import annotations

import json
import logging
import sys
from xml.sax.saxutils import escape

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from insieme.core import views_errors

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5

PLAIN_503 = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<title>Service unavailable · Insieme</title></head><body><main>"
    "<h1>Back in a moment</h1><p>The service is briefly unavailable: try again in a few "
    "seconds.</p><p lang='it'>Il servizio è momentaneamente non disponibile: riprovare tra "
    "qualche secondo.</p></main></body></html>"
)


def is_database_outage(exc: BaseException | None) -> bool:
    """A lost or refused database connection (not a constraint or a programming error)."""
    seen = 0
    while exc is not None and seen < 5:  # the driver's error may be wrapped
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def unavailable(request: HttpRequest | None) -> HttpResponse:
    """The 503 for `request`, in its caller's format, rendered without the database."""
    path = request.path if request is not None else ""
    message = _("The service is briefly unavailable; try again in a few seconds.")
    if path.startswith("/open311/"):
        if path.endswith(".xml"):
            body = (
                '<?xml version="1.0" encoding="utf-8"?><errors><error><code>503</code>'
                f"<description>{escape(message)}</description></error></errors>"
            )
            response = HttpResponse(body, status=503, content_type="text/xml; charset=utf-8")
        else:
            body = json.dumps([{"code": 503, "description": message}])
            response = HttpResponse(body, status=503, content_type="application/json")
    elif path.startswith("/api/") or path.startswith("/healthz"):
        body = json.dumps({"error": {"code": "service_unavailable", "message": message}})
        response = HttpResponse(body, status=503, content_type="application/json")
    else:
        try:
            body = loader.get_template("503.html").render({"LANGUAGE_CODE": get_language()})
        except Exception:  # noqa: BLE001 - the error page itself must never fail
            logger.exception("the 503 page could not be rendered")
            body = PLAIN_503
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    """handler500: a 503 when the exception being handled is the database being away, else the
    styled 500 page."""
    if is_database_outage(sys.exc_info()[1]):
        return unavailable(request)
    return views_errors.server_error(request)
