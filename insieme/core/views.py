from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_safe

from insieme.core.registry import home_sections


def _may_see_health_details(request) -> bool:
    """Operators (signed in with is_staff) and monitoring holding INSIEME_HEALTHZ_TOKEN."""
    token = settings.HEALTHZ_TOKEN
    given = request.headers.get("X-Health-Token", "")
    if token and given and constant_time_compare(given, token):
        return True
    try:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and user.is_staff)
    except DatabaseError:  # the session cannot be read while the database is down
        return False


@never_cache
@require_GET
def healthz(request):
    """Liveness plus a real round trip to the database. Anonymous callers learn whether it
    works, not which database it is nor how it failed."""
    db = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        db["status"] = "ok"
        status = 200
    except Exception as exc:  # noqa: BLE001 - any database failure is reported, not raised
        db["status"] = "error"
        db["error"] = exc.__class__.__name__
        status = 503
    if _may_see_health_details(request):
        db["vendor"] = connection.vendor
    else:
        db.pop("error", None)
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": db}, status=status
    )


@require_safe
def home(request):
    """The front door: the sections apps register (see `registry.HomeSection`), in order; a
    section whose context is None has nothing to show and is left out."""
    sections = []
    for section in sorted(home_sections, key=lambda s: (s.order, s.key)):
        context = section.context(request)
        if context is not None:
            sections.append({"key": section.key, "template": section.template, "context": context})
    return render(request, "core/home.html", {"sections": sections})


FAVICON = Path(__file__).resolve().parent.parent / "static" / "insieme" / "favicon.ico"


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, where browsers and feed readers look without reading the page's <link>."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/vnd.microsoft.icon")
