"""Staff URLs of case handling (workload, assisted digital, reply templates and routing rules),
under /staff/<administration>/."""

from django.urls import path

from insieme.cases import views_assisted, views_setup, views_workload

A = "<slug:admin_slug>/"

urlpatterns = [
    path(A + "workload/", views_workload.staff_workload, name="staff_workload"),
    path(
        A + "workload/assign/", views_workload.staff_workload_assign, name="staff_workload_assign"
    ),
    # Assisted digital: an officer files on a citizen's behalf (at the counter, on the phone).
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
    path(A + "replies/", views_setup.replies, name="staff_replies"),
    path(A + "replies/new/", views_setup.reply_create, name="staff_reply_create"),
    path(A + "replies/<id:pk>/", views_setup.reply_edit, name="staff_reply_edit"),
    path(A + "replies/<id:pk>/delete/", views_setup.reply_delete, name="staff_reply_delete"),
    path(A + "routing/", views_setup.routing, name="staff_routing"),
    path(A + "routing/new/", views_setup.rule_create, name="staff_rule_create"),
    path(A + "routing/<id:pk>/", views_setup.rule_edit, name="staff_rule_edit"),
    path(A + "routing/<id:pk>/delete/", views_setup.rule_delete, name="staff_rule_delete"),
]
