# STUB — the accounts work replaces these with the real views.
from django.contrib.auth import views as auth_views
from django.urls import path

from insieme.core import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.home, name="register"),
    path("", views.home, name="account"),
]
