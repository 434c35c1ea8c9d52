"""Filing online: /services/<administration>/<service code>/file/ and what follows it."""

from django.urls import path

from insieme.cases.filing import views as views_filing
from insieme.cases.filing import views_map

P = "services/<slug:admin_slug>/<str:code>/"

urlpatterns = [
    path("services/map/", views_map.services_map, name="services_map"),
    path(P + "file/", views_filing.case_file, name="case_file"),
    path(P + "filed/<str:reference>/", views_filing.case_filed, name="case_filed"),
    path(P + "me-too/<str:reference>/", views_filing.case_me_too, name="case_me_too"),
    path(P + "following/<str:reference>/", views_filing.case_followed, name="case_followed"),
]
