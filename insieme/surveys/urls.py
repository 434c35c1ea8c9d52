"""Public pages of surveys under /surveys/, staff screens under /staff/<administration>/surveys/
(URL names are namespaced: "surveys:survey", "surveys:staff_surveys", ...)."""

from django.urls import path

from insieme.surveys import views, views_staff

app_name = "surveys"

P = "surveys/<slug:admin_slug>/<id:pk>/"
S = "staff/<slug:admin_slug>/surveys/"
SS = S + "<id:pk>/"

urlpatterns = [
    path(P, views.survey_page, name="survey"),
    path(P + "thanks/", views.thanks, name="thanks"),
    path(P + "results/", views.public_results, name="results"),
    # staff
    path(S, views_staff.survey_list, name="staff_surveys"),
    path(S + "new/", views_staff.survey_new, name="staff_survey_new"),
    path(SS, views_staff.survey_edit, name="staff_survey"),
    path(SS + "status/", views_staff.survey_status, name="staff_survey_status"),
    path(SS + "results/", views_staff.survey_results, name="staff_results"),
    path(SS + "results.csv", views_staff.survey_csv, name="staff_results_csv"),
    path(SS + "questions/new/", views_staff.question_edit, name="staff_question_new"),
    path(SS + "questions/<id:question_pk>/", views_staff.question_edit, name="staff_question"),
    path(
        SS + "questions/<id:question_pk>/delete/",
        views_staff.question_delete,
        name="staff_question_delete",
    ),
    path(
        SS + "questions/<id:question_pk>/move/",
        views_staff.question_move,
        name="staff_question_move",
    ),
]
