# STUB — the catalogue work replaces these with the real views.
from django.urls import path

from insieme.core import views

urlpatterns = [
    path("services/", views.home, name="catalogue"),
]
