"""/api/: the REST API (v1), its OpenAPI schema and its documentation (served locally)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from insieme.api import errors, views
from insieme.api.docs import SwaggerView
from insieme.core.registry import api_routes

app_name = "api"

CASE = "<slug:admin_slug>/<str:reference>"

v1 = [
    path("administrations/", views.AdministrationList.as_view(), name="administrations"),
    path(
        "administrations/<slug:slug>/", views.AdministrationDetail.as_view(), name="administration"
    ),
    path("services/", views.ServiceList.as_view(), name="services"),
    path("services/<id:pk>/", views.ServiceDetail.as_view(), name="service"),
    path("regulations/", views.RegulationList.as_view(), name="regulations"),
    path("regulations/<id:pk>/", views.RegulationDetail.as_view(), name="regulation"),
    path("public-cases/", views.PublicCaseList.as_view(), name="public_cases"),
    path(f"public-cases/{CASE}/", views.PublicCaseDetail.as_view(), name="public_case"),
    path(
        f"public-cases/{CASE}/events/", views.PublicCaseEvents.as_view(), name="public_case_events"
    ),
    path(
        f"public-cases/{CASE}/attachments/",
        views.PublicCaseAttachments.as_view(),
        name="public_case_attachments",
    ),
    path("cases/", views.CaseList.as_view(), name="cases"),
    path(f"cases/{CASE}/", views.CaseDetail.as_view(), name="case"),
    path(f"cases/{CASE}/events/", views.CaseEvents.as_view(), name="case_events"),
    path(f"cases/{CASE}/attachments/", views.CaseAttachments.as_view(), name="case_attachments"),
    path(
        f"cases/{CASE}/attachments/<id:pk>/download/",
        views.CaseAttachmentDownload.as_view(),
        name="case_attachment_download",
    ),
    path(f"cases/{CASE}/rating/", views.CaseRating.as_view(), name="case_rating"),
    path("scorecard/", views.ScorecardView.as_view(), name="scorecard"),
]
# Other apps' read endpoints (participation, results, budgets, ...), registered from their
# AppConfig (core.registry.register_api_routes); their URL names live in their own namespaces.
v1 += [path(routes.prefix, include(routes.urls)) for routes in api_routes]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/", include(v1)),
    re_path(r"^v1/", errors.not_found),
]
