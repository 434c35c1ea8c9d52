"""The residents' survey at /community/<admin>/survey/, its staff screens under
/staff/<admin>/community-survey/."""

from django.urls import path

from insieme.community import views

app_name = "community"

S = "staff/<slug:admin_slug>/community-survey/"

urlpatterns = [
    path("community/<slug:admin_slug>/survey/", views.survey, name="survey"),
    path(S, views.rounds, name="rounds"),
    path(S + "rounds/<id:pk>/", views.round_detail, name="round"),
    path(S + "rounds/<id:pk>/close/", views.round_close, name="round_close"),
    path(S + "rounds/<id:pk>/results.csv", views.round_csv, name="round_csv"),
]
