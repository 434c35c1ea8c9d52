"""Public pages under /co-design/, staff screens under /staff/<administration>/co-design/."""

from django.urls import path

from insieme.codesign import views, views_staff

app_name = "codesign"

S = "staff/<slug:admin_slug>/co-design/"
C = S + "<id:pk>/"

urlpatterns = [
    path("co-design/<slug:admin_slug>/changes/<id:pk>/", views.change_page, name="change"),
    path(S, views_staff.change_list, name="staff_changes"),
    path(S + "new/", views_staff.change_new, name="staff_change_new"),
    path(S + "contacts/", views_staff.contact_list, name="staff_contacts"),
    path(S + "ideas/<id:pk>/work-item/", views_staff.idea_work_item, name="staff_work_item"),
    path(C, views_staff.change_page, name="staff_change"),
    path(C + "preview/", views_staff.change_preview, name="staff_change_preview"),
    path(C + "fields/new/", views_staff.field_edit, name="staff_field_new"),
    path(C + "field/<str:code>/", views_staff.field_edit, name="staff_field"),
    path(C + "<slug:what>/", views_staff.change_act, name="staff_change_act"),
]
