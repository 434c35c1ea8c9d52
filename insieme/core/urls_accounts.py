"""Accounts: /accounts/... (registration, login, password and e-mail, preferences, invitations)."""

from django.urls import path

from insieme.core import views_accounts as views
from insieme.core import views_twofactor

urlpatterns = [
    path("", views.account, name="account"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register, name="register"),
    path("register/done/", views.register_done, name="register_done"),
    path("verify/resend/", views.verify_email_resend, name="verify_email_resend"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/done/", views.password_reset_done, name="password_reset_done"),
    path(
        "password/reset/<str:uidb64>/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("password/change/", views.password_change, name="password_change"),
    path("password/change/done/", views.password_change_done, name="password_change_done"),
    path("email/change/", views.email_change, name="email_change"),
    path("email/change/done/", views.email_change_done, name="email_change_done"),
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("two-step/", views_twofactor.overview, name="two_factor"),
    path("two-step/set-up/", views_twofactor.setup, name="two_factor_setup"),
    path("two-step/code/", views_twofactor.verify, name="two_factor_verify"),
    path("two-step/recovery-codes/", views_twofactor.new_codes, name="two_factor_codes"),
    path("two-step/off/", views_twofactor.turn_off, name="two_factor_off"),
]
