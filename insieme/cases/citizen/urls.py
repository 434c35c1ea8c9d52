from django.urls import path

from insieme.cases.citizen import views, views_tracking

CASE = "<slug:admin_slug>/<str:reference>"

urlpatterns = [
    path("my/requests/", views.my_requests, name="my_requests"),
    path(f"my/requests/{CASE}/", views.my_case, name="my_case"),
    path(f"my/requests/{CASE}/information/", views.my_case_information, name="my_case_information"),
    path(f"my/requests/{CASE}/withdraw/", views.my_case_withdraw, name="my_case_withdraw"),
    path(f"my/requests/{CASE}/rate/", views.my_case_rate, name="my_case_rate"),
    path(f"cases/{CASE}/", views.case_public, name="case_public"),
    path(f"cases/{CASE}/follow/", views.case_follow, name="case_follow"),
    path(f"cases/{CASE}/unfollow/", views.case_unfollow, name="case_unfollow"),
    path(f"cases/{CASE}/attachments/<id:pk>/", views.case_attachment, name="case_attachment"),
    # A filer without an account: the private link (insieme.cases.tracking).
    path("track/<str:token>/", views_tracking.tracked_case, name="case_tracking"),
    path(
        "track/<str:token>/information/",
        views_tracking.tracked_case_information,
        name="case_tracking_information",
    ),
    path(
        "track/<str:token>/attachments/<id:pk>/",
        views_tracking.tracked_case_attachment,
        name="case_tracking_attachment",
    ),
]
