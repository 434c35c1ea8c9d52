from django.urls import path

from insieme.insights import views

urlpatterns = [
    path("staff/<slug:admin_slug>/scorecard/", views.scorecard, name="scorecard"),
    path(
        "staff/<slug:admin_slug>/scorecard/thresholds/",
        views.threshold_settings,
        name="scorecard_thresholds",
    ),
]
