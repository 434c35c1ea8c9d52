"""Staff URLs of case handling (case), under /staff/<administration>/: the case page and one
POST URL per action."""

from django.urls import path

from insieme.cases import views_case as v

CASE = "<slug:admin_slug>/cases/<str:reference>"

urlpatterns = [
    path(f"{CASE}/", v.case_page, name="staff_case"),
    path(f"{CASE}/attachments/<id:pk>/", v.case_attachment, name="staff_case_attachment"),
    path(f"{CASE}/reply/", v.case_reply, name="staff_case_reply"),
    path(f"{CASE}/status/", v.case_status, name="staff_case_status"),
    path(f"{CASE}/assign/", v.case_assign, name="staff_case_assign"),
    path(f"{CASE}/info/", v.case_information, name="staff_case_info"),
    path(f"{CASE}/handoff/", v.case_handoff, name="staff_case_handoff"),
    path(
        f"{CASE}/handoff/<id:pk>/accept/",
        v.case_handoff_accept,
        name="staff_case_handoff_accept",
    ),
    path(
        f"{CASE}/handoff/<id:pk>/return/",
        v.case_handoff_return,
        name="staff_case_handoff_return",
    ),
    path(f"{CASE}/share/", v.case_share, name="staff_case_share"),
    path(f"{CASE}/time/", v.case_time, name="staff_case_time"),
    path(f"{CASE}/merge/", v.case_merge, name="staff_case_merge"),
    path(f"{CASE}/decide/", v.case_decide, name="staff_case_decide"),
]
