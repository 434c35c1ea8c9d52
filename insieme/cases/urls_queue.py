"""Staff URLs of case handling (queue), under /staff/<administration>/.

Included before urls_case: "bulk" and "views" can never be case references (2026-000123).
"""

from django.urls import path

from insieme.cases import views_queue as views

Q = "<slug:admin_slug>/cases/"

urlpatterns = [
    path(Q, views.staff_queue, name="staff_queue"),
    path(Q + "bulk/", views.staff_queue_bulk, name="staff_queue_bulk"),
    path(Q + "views/", views.staff_queue_view_save, name="staff_queue_view_save"),
    path(
        Q + "views/<id:pk>/delete/",
        views.staff_queue_view_delete,
        name="staff_queue_view_delete",
    ),
]
