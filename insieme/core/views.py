from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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


def home(request):
    return render(request, "core/home.html")
