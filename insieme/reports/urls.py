from django.urls import path

from insieme.reports import views

app_name = "reports"

S = "staff/<slug:admin_slug>/scorecard/report/"

urlpatterns = [
    path(S, views.scorecard_report, name="scorecard"),
    path(S + "series.csv", views.series_csv, name="series"),
]
