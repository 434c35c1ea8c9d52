"""Data protection: a person's own data under /accounts/data/, the data steward's screens under
/staff/<administration>/privacy/."""

from django.urls import path

from insieme.privacy import (
    views_account,
    views_consent,
    views_export,
    views_findings,
    views_retention,
    views_staff,
)

app_name = "privacy"

S = "staff/<slug:admin_slug>/privacy/"

urlpatterns = [
    path("accounts/data/", views_account.my_data, name="my_data"),
    path("accounts/data/export.json", views_export.export_json, name="export_json"),
    path("accounts/data/export/", views_export.export_page, name="export_page"),
    path("accounts/data/consents/", views_consent.consents_page, name="consents"),
    path(S, views_staff.home, name="staff_home"),
    path(S + "requests/<id:pk>/", views_staff.close_request, name="staff_request_close"),
    path(S + "findings/", views_findings.findings, name="staff_findings"),
    path(S + "retention/", views_retention.retention_page, name="staff_retention"),
    path(S + "findings/<id:pk>/", views_findings.resolve, name="staff_finding_resolve"),
]
