# STUB — the staff-core work replaces these with the real views.
from django.urls import path

from insieme.core import views

urlpatterns = [
    path("", views.home, name="staff_home"),
    path("switch/", views.home, name="staff_switch"),
]
