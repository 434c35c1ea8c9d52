"""Staff screens of the topics under /staff/<administration>/topics/."""

from django.urls import path

from insieme.topics import views_staff

app_name = "topics"

S = "staff/<slug:admin_slug>/topics/"

urlpatterns = [
    path(S, views_staff.topic_list, name="staff_list"),
    path(S + "topics.csv", views_staff.topic_csv, name="staff_csv"),
    path(S + "<id:pk>/", views_staff.topic_detail, name="staff_detail"),
]
