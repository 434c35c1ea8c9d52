"""Staff screens of the core app, mounted under /staff/."""

from django.urls import path

from insieme.core import views_staff as v

urlpatterns = [
    path("", v.staff_home, name="staff_home"),
    path("switch/", v.staff_switch, name="staff_switch"),
    path("<slug:admin_slug>/", v.staff_admin_home, name="staff_admin_home"),
    path("<slug:admin_slug>/settings/", v.staff_settings, name="staff_settings"),
    path("<slug:admin_slug>/departments/", v.staff_departments, name="staff_departments"),
    path(
        "<slug:admin_slug>/departments/new/",
        v.staff_department_create,
        name="staff_department_create",
    ),
    path(
        "<slug:admin_slug>/departments/<id:pk>/",
        v.staff_department_edit,
        name="staff_department_edit",
    ),
    path("<slug:admin_slug>/people/", v.staff_people, name="staff_people"),
    path(
        "<slug:admin_slug>/people/<id:pk>/", v.staff_membership_edit, name="staff_membership_edit"
    ),
    path(
        "<slug:admin_slug>/people/<id:pk>/remove/",
        v.staff_membership_remove,
        name="staff_membership_remove",
    ),
    path("<slug:admin_slug>/partners/", v.staff_partners, name="staff_partners"),
    path("<slug:admin_slug>/partners/new/", v.staff_partner_create, name="staff_partner_create"),
    path("<slug:admin_slug>/partners/<id:pk>/", v.staff_partner_edit, name="staff_partner_edit"),
    path(
        "<slug:admin_slug>/partners/<id:pk>/members/",
        v.staff_partner_member_add,
        name="staff_partner_member_add",
    ),
    path("<slug:admin_slug>/api-keys/", v.staff_apikeys, name="staff_apikeys"),
    path("<slug:admin_slug>/api-keys/new/", v.staff_apikey_create, name="staff_apikey_create"),
    path(
        "<slug:admin_slug>/api-keys/<id:pk>/revoke/",
        v.staff_apikey_revoke,
        name="staff_apikey_revoke",
    ),
    path("<slug:admin_slug>/audit/", v.staff_audit, name="staff_audit"),
    path("<slug:admin_slug>/audit/verify/", v.staff_audit_verify, name="staff_audit_verify"),
]
