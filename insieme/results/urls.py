"""Public pages of results under /results/, staff screens under /staff/<admin>/results/."""

from django.urls import path

from insieme.results import views, views_staff

app_name = "results"

A = "results/<slug:admin_slug>/"
S = "staff/<slug:admin_slug>/results/"

urlpatterns = [
    path(A, views.result_list, name="list"),
    path(A + "<id:pk>/", views.result_detail, name="detail"),
    path(A + "<id:pk>/follow/", views.result_follow, name="follow"),
    path(A + "<id:pk>/unfollow/", views.result_unfollow, name="unfollow"),
    # staff
    path(S, views_staff.result_list, name="staff_list"),
    path(S + "new/", views_staff.result_new, name="staff_new"),
    path(S + "<id:pk>/", views_staff.result_edit, name="staff_edit"),
    path(S + "<id:pk>/progress/", views_staff.result_progress, name="staff_progress"),
    path(S + "<id:pk>/milestones/", views_staff.milestone_new, name="staff_milestone_new"),
    path(
        S + "<id:pk>/milestones/<id:milestone_pk>/done/",
        views_staff.milestone_done,
        name="staff_milestone_done",
    ),
    path(S + "<id:pk>/links/", views_staff.link_new, name="staff_link_new"),
]
