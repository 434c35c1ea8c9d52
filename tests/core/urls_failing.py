"""The project's URLs plus one view that fails, for the 500 page (ROOT_URLCONF in tests)."""

from django.urls import path

from insieme.urls import *  # noqa: F403 - every route and the error handlers
from insieme.urls import urlpatterns as project_urlpatterns


def failing_view(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("failing/", failing_view), *project_urlpatterns]
