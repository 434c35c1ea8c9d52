# STUB — the Scorecard work replaces this with the real view.
from django.urls import path

from insieme.core import views

urlpatterns = [
    path("staff/<slug:admin_slug>/scorecard/", views.home, name="scorecard"),
]
