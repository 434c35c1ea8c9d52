"""The staff survey under /staff/<admin>/staff-survey/."""

from django.urls import path

from insieme.perception import views

app_name = "perception"

S = "staff/<slug:admin_slug>/staff-survey/"

urlpatterns = [
    path(S, views.answer, name="answer"),
    path(S + "rounds/", views.rounds, name="rounds"),
    path(S + "rounds/<id:pk>/", views.round_detail, name="round"),
    path(S + "rounds/<id:pk>/close/", views.round_close, name="round_close"),
]
