"""Open data: the public portal and downloads under /opendata/, the DCAT-AP catalogue, and the
data steward's screens under /staff/<administration>/opendata/. The CKAN Action API is routed
from insieme/urls.py (it lives under /api/, beside the REST API)."""

from django.urls import path, re_path

from insieme.opendata import views, views_catalog, views_staff

app_name = "opendata"

FORMAT = r"(?P<fmt>csv|json|geojson|parquet)"
S = "staff/<slug:admin_slug>/opendata/"

urlpatterns = [
    path("opendata/", views.index, name="index"),
    re_path(r"^opendata/catalog\.(?P<fmt>ttl|jsonld)$", views_catalog.catalog, name="catalog"),
    re_path(
        r"^opendata/(?P<admin_slug>[-\w]+)/(?P<key>[-\w]+)\.(?P<fmt>ttl|jsonld)$",
        views_catalog.dataset,
        name="dataset_rdf",
    ),
    path("opendata/<slug:admin_slug>/<slug:key>/", views.dataset, name="dataset"),
    re_path(
        r"^opendata/(?P<admin_slug>[-\w]+)/(?P<key>[-\w]+)/download\." + FORMAT + "$",
        views.download,
        name="download",
    ),
    re_path(
        r"^opendata/(?P<admin_slug>[-\w]+)/(?P<key>[-\w]+)/v(?P<version>[0-9]{1,9})/download\."
        + FORMAT
        + "$",
        views.download,
        name="download_version",
    ),
    path(S, views_staff.datasets, name="staff_datasets"),
    path(S + "services/", views_staff.services, name="staff_services"),
    path(S + "reviews/", views_staff.reviews, name="staff_reviews"),
    path(S + "reviews/<int:pk>", views_staff.decide, name="staff_decide"),
    path(S + "<slug:key>/", views_staff.dataset, name="staff_dataset"),
    path(S + "<slug:key>/publish", views_staff.publish_now, name="staff_publish"),
    path(S + "<slug:key>/state", views_staff.change_state, name="staff_state"),
    path(S + "<slug:key>/download.<str:fmt>", views_staff.preview_download, name="staff_download"),
]
