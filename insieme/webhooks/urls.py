"""Staff screens of webhooks, mounted under /staff/."""

from django.urls import path

from insieme.webhooks import views

BASE = "<slug:admin_slug>/webhooks/"

urlpatterns = [
    path(BASE, views.subscription_list, name="webhooks_staff_list"),
    path(f"{BASE}new/", views.subscription_create, name="webhooks_staff_create"),
    path(f"{BASE}<id:pk>/", views.subscription_detail, name="webhooks_staff_detail"),
    path(f"{BASE}<id:pk>/active/", views.subscription_active, name="webhooks_staff_active"),
    path(f"{BASE}<id:pk>/delete/", views.subscription_delete, name="webhooks_staff_delete"),
    path(f"{BASE}<id:pk>/test/", views.subscription_test, name="webhooks_staff_test"),
    path(f"{BASE}deliveries/<id:pk>/", views.delivery_detail, name="webhooks_staff_delivery"),
    path(
        f"{BASE}deliveries/<id:pk>/replay/",
        views.delivery_replay,
        name="webhooks_staff_replay",
    ),
]
