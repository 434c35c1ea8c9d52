"""Error pages (400, 403, 404, 429, 500 and the CSRF failure): styled like every page, in the
person's language, each saying what to do next.

Django's own handlers render 400 and the CSRF page without the request (so without the signed-in
person's header) and fall back to a bare line of text; these render the templates of
``insieme/templates/`` with the request. The 500 page is the exception: something already went
wrong, perhaps the database, so it renders without the request and its context processors (no
query at all) and, should even that fail, answers a short page written here.
"""

from __future__ import annotations

import logging
import math
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils.translation import get_language, get_language_from_request, override
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# The last resort: no template, no translation machinery, nothing that can fail.
PLAIN_500 = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<title>Server error · Insieme</title></head><body><main><h1>Something went wrong</h1>"
    "<p>The error is on our side. Try again in a few minutes.</p>"
    "<p lang='it'>Si è verificato un errore da parte nostra. Riprovare tra qualche minuto.</p>"
    "<p><a href='/'>Home</a></p></main></body></html>"
)


def render_error(
    request: HttpRequest, status: int, context: dict | None = None, template: str | None = None
) -> HttpResponse:
    """The styled error page for `status` (template `<status>.html` unless given)."""
    login_url = reverse("login") + "?" + urlencode({"next": request.path})
    context = {"login_url": login_url, **(context or {})}
    # A request refused before the locale middleware ran (a malformed URL, too many fields)
    # still gets its page in the language of its cookie or browser.
    language = getattr(request, "LANGUAGE_CODE", None) or get_language_from_request(request)
    with override(language):
        body = loader.render_to_string(template or f"{status}.html", context, request=request)
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render_error(request, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render_error(request, 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render_error(request, 404, {"request_path": request.path})


def too_many_requests(request: HttpRequest, retry_after: float | None = None) -> HttpResponse:
    """429 for an HTML page: when to try again, in whole minutes (and Retry-After)."""
    minutes = max(1, math.ceil((retry_after or 60) / 60))
    response = render_error(request, 429, {"minutes": minutes})
    if retry_after is not None:
        response["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without its token (expired page, blocked cookies)."""
    return render_error(request, 403, {"reason": reason}, template="403_csrf.html")


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    """500 without the request: no context processor, no session, no database."""
    try:
        body = loader.get_template("500.html").render({"LANGUAGE_CODE": get_language()})
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        logger.exception("the 500 page could not be rendered")
        body = PLAIN_500
    response = HttpResponse(body, status=500)
    response["Cache-Control"] = "no-store"
    return response
