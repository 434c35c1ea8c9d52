"""Every URL of the site, and the bare view `make bench` measures pages against (see
insieme.ops.bench_settings; never the production URLconf)."""

from django.http import JsonResponse
from django.urls import path

from insieme.urls import handler400, handler403, handler404, handler500  # noqa: F401
from insieme.urls import urlpatterns as site_urlpatterns


def bare(request):
    """No database, no template: what Django and this site's middleware cost on their own."""
    return JsonResponse({"status": "ok"})


urlpatterns = [path("__bench/bare", bare, name="bench_bare"), *site_urlpatterns]
