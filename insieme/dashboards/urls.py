"""The dashboards under /staff/<administration>/dashboards/: the page (with ?format=csv&panel=KEY
for one panel's figures) and each panel's CSV at its own address. Both read the same filters
from the query string (see insieme.dashboards.filters)."""

from django.urls import path

from insieme.dashboards import views

app_name = "dashboards"

S = "staff/<slug:admin_slug>/dashboards/"

urlpatterns = [
    path(S, views.dashboard, name="page"),
    path(S + "<slug:key>.csv", views.panel_csv, name="panel_csv"),
]
