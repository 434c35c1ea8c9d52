"""Staff screens of the improvement backlog under /staff/<administration>/improvements/.

`improvements:staff_new` accepts `?indicator=KEY` (a key of the indicator registry): the form
opens with the source "indicator" and that indicator chosen, so the Scorecard can link every
indicator to it.
"""

from django.urls import path

from insieme.improvements import views_staff

app_name = "improvements"

S = "staff/<slug:admin_slug>/improvements/"

urlpatterns = [
    path(S, views_staff.item_list, name="staff_list"),
    path(S + "new/", views_staff.item_new, name="staff_new"),
    path(S + "<id:pk>/", views_staff.item_detail, name="staff_detail"),
    path(S + "<id:pk>/edit/", views_staff.item_edit, name="staff_edit"),
    path(S + "<id:pk>/status/", views_staff.item_status, name="staff_status"),
    path(S + "<id:pk>/close/", views_staff.item_close, name="staff_close"),
]
