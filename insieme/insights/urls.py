from django.urls import path

from insieme.insights import views

urlpatterns = [
    path("staff/<slug:admin_slug>/scorecard/", views.scorecard, name="scorecard"),
]
