"""Staff URLs of case handling, under /staff/<administration>/: the work queue, then the case
page and one POST URL per action.

The queue's come first: "bulk" and "views" can never be case references (2026-000123).
"""

from django.urls import path

from insieme.cases.handling import views_case, views_queue

Q = "<slug:admin_slug>/cases/"
CASE = "<slug:admin_slug>/cases/<str:reference>"

urlpatterns = [
    path(Q, views_queue.staff_queue, name="staff_queue"),
    path(Q + "bulk/", views_queue.staff_queue_bulk, name="staff_queue_bulk"),
    path(Q + "views/", views_queue.staff_queue_view_save, name="staff_queue_view_save"),
    path(
        Q + "views/<id:pk>/delete/",
        views_queue.staff_queue_view_delete,
        name="staff_queue_view_delete",
    ),
    path(f"{CASE}/", views_case.case_page, name="staff_case"),
    path(f"{CASE}/attachments/<id:pk>/", views_case.case_attachment, name="staff_case_attachment"),
    path(f"{CASE}/reply/", views_case.case_reply, name="staff_case_reply"),
    path(f"{CASE}/status/", views_case.case_status, name="staff_case_status"),
    path(f"{CASE}/assign/", views_case.case_assign, name="staff_case_assign"),
    path(f"{CASE}/info/", views_case.case_information, name="staff_case_info"),
    path(f"{CASE}/handoff/", views_case.case_handoff, name="staff_case_handoff"),
    path(
        f"{CASE}/handoff/<id:pk>/accept/",
        views_case.case_handoff_accept,
        name="staff_case_handoff_accept",
    ),
    path(
        f"{CASE}/handoff/<id:pk>/return/",
        views_case.case_handoff_return,
        name="staff_case_handoff_return",
    ),
    path(f"{CASE}/share/", views_case.case_share, name="staff_case_share"),
    path(f"{CASE}/time/", views_case.case_time, name="staff_case_time"),
    path(f"{CASE}/merge/", views_case.case_merge, name="staff_case_merge"),
    path(f"{CASE}/decide/", views_case.case_decide, name="staff_case_decide"),
]
