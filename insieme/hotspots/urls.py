"""Staff screens of hotspots under /staff/<administration>/hotspots/."""

from django.urls import path

from insieme.hotspots import views

app_name = "hotspots"

S = "staff/<slug:admin_slug>/hotspots/"

urlpatterns = [
    path(S, views.hotspot_map, name="staff_map"),
    path(S + "hotspots.csv", views.hotspot_csv, name="staff_csv"),
]
