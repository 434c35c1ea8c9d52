"""Staff URLs of workload and setup, under /staff/<administration>/: the team's workload, reply
templates and routing rules."""

from django.urls import path

from insieme.cases.setup import views as views_setup
from insieme.cases.setup import views_workload

A = "<slug:admin_slug>/"

urlpatterns = [
    path(A + "workload/", views_workload.staff_workload, name="staff_workload"),
    path(
        A + "workload/assign/", views_workload.staff_workload_assign, name="staff_workload_assign"
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
