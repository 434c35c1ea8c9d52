"""The project's URLs plus a view that meets the database gone (ROOT_URLCONF in tests)."""

from django.db import OperationalError
from django.urls import path

from insieme.urls import *  # noqa: F403 - every route and the error handlers
from insieme.urls import urlpatterns as project_urlpatterns


def database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [path("database-gone/", database_gone, name="database_gone"), *project_urlpatterns]
