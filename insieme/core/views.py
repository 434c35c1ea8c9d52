from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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


def home(request):
    return render(request, "core/home.html")
