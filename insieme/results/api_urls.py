"""/api/v1/results/: read endpoints of results (registered with core.registry.ApiRoutes)."""

from django.urls import path

from insieme.results import api

app_name = "results_api"

urlpatterns = [
    path("", api.ResultList.as_view(), name="results"),
    path("<id:pk>/", api.ResultDetail.as_view(), name="result"),
]
