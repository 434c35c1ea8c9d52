# STUB — the catalogue work replaces these with the real views.
from django.urls import path

from insieme.core import views

urlpatterns = [
    path("services/", views.home, name="catalogue"),
    path("staff/<slug:admin_slug>/services/", views.home, name="catalog_staff_services"),
    path("staff/<slug:admin_slug>/templates/", views.home, name="catalog_templates"),
    path("staff/<slug:admin_slug>/regulations/", views.home, name="catalog_regulations"),
    path("staff/<slug:admin_slug>/legal-basis/", views.home, name="catalog_legal_basis"),
]
