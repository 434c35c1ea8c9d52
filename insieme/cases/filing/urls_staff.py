"""Staff URLs of filing, under /staff/<administration>/: assisted digital, where an officer files
on a citizen's behalf (at the counter, on the phone)."""

from django.urls import path

from insieme.cases.filing import views_assisted

A = "<slug:admin_slug>/"

urlpatterns = [
    path(A + "assisted/", views_assisted.choose_service, name="staff_file_for_citizen"),
    path(
        A + "assisted/<str:code>/",
        views_assisted.file_for_citizen,
        name="staff_file_for_citizen_form",
    ),
    path(
        A + "assisted/<str:code>/filed/<str:reference>/",
        views_assisted.filed_for_citizen,
        name="staff_filed_for_citizen",
    ),
]
