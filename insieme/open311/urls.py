"""Open311 GeoReport v2 under /open311/v2/; the format is the path's suffix (.json or .xml).

Service codes may contain dots, so the suffix is the text after the last dot. Anything else under
the base answers 404 in the error format. With INSIEME_BENCH_VIEWS=1 (the benchmark's server
only) a bare view of the same query is mounted beside it, as the benchmark's baseline.
"""

import os

from django.urls import path, re_path

from insieme.open311 import views

FMT = r"(?P<fmt>[A-Za-z0-9]+)"

urlpatterns = [
    path("", views.root, name="open311_root"),
    re_path(rf"^discovery\.{FMT}$", views.discovery, name="open311_discovery"),
    re_path(rf"^services\.{FMT}$", views.services, name="open311_services"),
    re_path(
        rf"^services/(?P<code>[^/]+)\.{FMT}$",
        views.service_definition,
        name="open311_service_definition",
    ),
    re_path(rf"^requests\.{FMT}$", views.requests, name="open311_requests"),
    re_path(
        rf"^requests/(?P<request_id>[^/]+)\.{FMT}$",
        views.request_detail,
        name="open311_request",
    ),
    re_path(rf"^tokens/(?P<token>[^/]+)\.{FMT}$", views.token_detail, name="open311_token"),
]

if os.environ.get("INSIEME_BENCH_VIEWS") == "1":
    from insieme.open311 import bench

    urlpatterns.append(path("bench/bare-requests.json", bench.bare_requests))

urlpatterns.append(re_path(r"^(?P<path>.*)$", views.not_found))
