from django.urls import path

from insieme.places import views

urlpatterns = [
    path(
        "places/tiles/<int:z>/<int:x>/<int:y>.geojson",
        views.street_tile,
        name="places_street_tile",
    ),
    path("places/search.json", views.search, name="places_search"),
    path("places/nearest.json", views.nearest, name="places_nearest"),
]
