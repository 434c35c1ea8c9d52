"""Staff invitations: /staff/<admin_slug>/people/invite/."""

from django.urls import path

from insieme.core import views_accounts as views

urlpatterns = [
    path("<slug:admin_slug>/people/invite/", views.invitation_create, name="invitation_create"),
]
