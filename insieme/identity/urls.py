"""Sign-in with a digital identity: /accounts/oidc/... (see insieme.identity.views)."""

from django.urls import path

from insieme.identity import views

app_name = "identity"
urlpatterns = [
    path("authenticate/", views.StartView.as_view(), name="authenticate"),
    path("callback/", views.CallbackView.as_view(), name="callback"),
]
