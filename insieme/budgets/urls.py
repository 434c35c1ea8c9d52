"""Public pages of budgets under a process's address, staff screens under
/staff/<administration>/budgets/."""

from django.urls import path

from insieme.budgets import views, views_staff

app_name = "budgets"

B = "participation/<slug:admin_slug>/<slug:process_slug>/budgets/<id:pk>/"
S = "staff/<slug:admin_slug>/budgets/"

urlpatterns = [
    path(B, views.budget_page, name="budget"),
    path(B + "ballot/", views.ballot, name="ballot"),
    path(B + "ballot/mine/", views.my_ballot, name="my_ballot"),
    path(B + "results/", views.results, name="results"),
    path("participation/<slug:admin_slug>/budgets/verify/", views.verify, name="verify"),
    # staff
    path(S, views_staff.budget_list, name="staff_list"),
    path(S + "new/", views_staff.budget_new, name="staff_new"),
    path(S + "register/", views_staff.register_upload, name="staff_register"),
    path(S + "counter/", views_staff.counter, name="staff_counter"),
    path(S + "<id:pk>/", views_staff.budget_edit, name="staff_edit"),
    path(S + "<id:pk>/projects/new/", views_staff.project_edit, name="staff_project_new"),
    path(S + "<id:pk>/projects/<id:project_pk>/", views_staff.project_edit, name="staff_project"),
    path(
        S + "<id:pk>/projects/<id:project_pk>/delete/",
        views_staff.project_delete,
        name="staff_project_delete",
    ),
    path(S + "<id:pk>/from-ideas/", views_staff.from_ideas, name="staff_from_ideas"),
    path(S + "<id:pk>/publish/", views_staff.publish, name="staff_publish"),
]
