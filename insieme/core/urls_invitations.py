# STUB — the accounts work replaces this with the real views.
from django.urls import path

from insieme.core import views

urlpatterns = [
    path("<slug:admin_slug>/people/invite/", views.home, name="invitation_create"),
]
