from pathlib import Path

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_safe

from insieme.core.registry import home_sections


@never_cache
@require_GET
def healthz(request):
    """Liveness plus a real round trip to the database."""
    db = {"vendor": connection.vendor}
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
