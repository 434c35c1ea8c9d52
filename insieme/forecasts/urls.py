"""Staff screens of the demand forecasts under /staff/<administration>/forecasts/: the page
(`?service=ID` shows one service), its CSV, and acknowledging an alert (POST)."""

from django.urls import path

from insieme.forecasts import views

app_name = "forecasts"

S = "staff/<slug:admin_slug>/forecasts/"

urlpatterns = [
    path(S, views.page, name="staff_page"),
    path(S + "forecasts.csv", views.download, name="staff_csv"),
    path(S + "alerts/<id:pk>/acknowledge/", views.acknowledge, name="staff_acknowledge"),
]
