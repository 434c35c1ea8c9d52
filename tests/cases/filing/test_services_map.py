"""Find a service on the map (/services/map/): the administration at a point, its published
located services linking to the filing form with the place, and open public reports nearby
(public data only, a fixed number of queries)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Case
from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from insieme.core import actions as core_actions
from tests.cases.conftest import INSIDE_MONTALTO, PII_DESCRIPTION

URL = "/services/map/"
REGION_SQUARE = {
    "type": "Polygon",
    "coordinates": [[[10.5, 42.5], [12.0, 42.5], [12.0, 44.0], [10.5, 44.0], [10.5, 42.5]]],
}
IN_REGION_ONLY = {"lat": 43.5, "lon": 11.5}  # inside the region, outside Montalto


def _report(user, service, description: str, lat: float, lon: float) -> Case:
    case, _created = filing_actions.submit_case(
        user,
        filing_actions.Filing(
            service, answers={"size": "large"}, description=description, lat=lat, lon=lon
        ),
    )
    return case


def _search(client, **params):
    return client.get(URL, params)


def test_the_url_is_services_map_and_does_not_clash_with_the_catalogue():
    assert reverse("services_map") == URL


def test_the_empty_page_shows_the_map_form_and_the_served_boundaries(client, cat):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="map-picker"' in html and 'id="boundary-data"' in html
    assert "Show services here" in html
    assert response.context["administrations"] == [cat.pothole.administration]
    assert 'id="map-results"' not in html


def test_a_point_inside_montalto_lists_its_located_published_services(client, cat, montalto):
    catalog_actions.create_service(
        None,
        montalto,
        code="counter-only",
        name="Bench repair",
        group="Parks",
        channels=["counter"],
        status=Service.Status.PUBLISHED,
    )
    catalog_actions.create_service(
        None,
        montalto,
        code="certificate",
        name="Birth certificate",
        located=False,
        channels=["web"],
        status=Service.Status.PUBLISHED,
    )
    catalog_actions.create_service(
        None,
        montalto,
        code="hidden",
        name="Unpublished lamp",
        channels=["web"],
        status=Service.Status.DRAFT,
    )
    response = _search(client, **INSIDE_MONTALTO)
    assert response.status_code == 200
    assert response.context["admin"] == montalto
    html = response.content.decode()
    assert "Pothole" in html and "Bench repair" in html
    assert "Birth certificate" not in html and "Unpublished lamp" not in html
    assert [g["name"] for g in response.context["groups"]] == ["Parks", "Roads"]
    file_url = reverse("case_file", args=["montalto", "pothole"])
    assert f"{file_url}?lat=43.123457&amp;lon=11.123457" in html
    # a service not offered online links to its catalogue page instead
    assert reverse("catalogue_service", args=["montalto", "counter-only"]) in html


def test_the_address_is_carried_over_to_the_filing_link(client, cat):
    response = _search(client, **INSIDE_MONTALTO, address="Via Roma 12")
    assert "address=Via+Roma+12" in response.content.decode()


def test_the_municipality_is_chosen_rather_than_the_region_hosting_it(client, cat, region):
    core_actions.update_administration(None, region, boundary=REGION_SQUARE)
    catalog_actions.create_service(
        None,
        region,
        code="roads",
        name="Regional road damage",
        channels=["web"],
        status=Service.Status.PUBLISHED,
    )
    inside_both = _search(client, **INSIDE_MONTALTO)
    assert inside_both.context["admin"].slug == "montalto"
    assert "Regional road damage" not in inside_both.content.decode()
    region_only = _search(client, **IN_REGION_ONLY)
    assert region_only.context["admin"] == region
    assert "Regional road damage" in region_only.content.decode()


def test_a_point_outside_every_boundary_says_so_and_lists_nothing(client, cat):
    response = _search(client, lat="45.0", lon="9.0")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This place is outside the areas served here" in html
    assert response.context["admin"] is None and response.context["groups"] == []
    assert 'id="map-results"' not in html


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "abc", "lon": "11.1"},
        {"lat": "43.1", "lon": ""},
        {"lat": "91", "lon": "11.1"},
        {"lat": "43.1", "lon": "-181"},
        {"lat": "nan", "lon": "11.1"},
        {"lat": "inf", "lon": "11.1"},
        {"lat": "1e400", "lon": "11.1"},
        {"address": "Via Roma 12"},
    ],
)
def test_invalid_input_is_a_form_error_not_a_crash(client, cat, params):
    response = _search(client, **params)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert 'id="error-summary"' in response.content.decode()
    assert response.context["admin"] is None


def test_no_administrations_yet_is_not_an_error(client, db):
    assert client.get(URL).status_code == 200
    assert _search(client, **INSIDE_MONTALTO).status_code == 200


def test_nearby_open_public_reports_are_listed_without_personal_data(client, filed_case, alice):
    far = _report(alice, filed_case.service, "Far away", 43.14, 11.14)
    response = _search(client, lat="43.1238", lon="11.1231")  # about 50 m away
    html = response.content.decode()
    assert [r.reference for r in response.context["reports"]] == [filed_case.reference]
    assert far.reference not in html
    public_url = reverse("case_public", args=["montalto", filed_case.reference])
    assert public_url in html
    assert 'id="nearby-data"' in html  # the markers
    for secret in (
        "charlie.private@example.org",
        "charlie.contact@example.org",
        "charlie@example.org",
        "Charlie Citizen",
        "333 123 4567",
        "765 4321",
        "RSSMRA85T10A562S",
        "Mario",
        str(filed_case.lat),  # markers are as approximate as the public case page
        str(filed_case.lon),
    ):
        assert secret not in html, secret
    assert "Buca enorme" in html  # the redacted excerpt
    assert PII_DESCRIPTION not in html


def test_closed_and_private_reports_are_not_listed(client, filed_case):
    Case.objects.filter(pk=filed_case.pk).update(status="resolved")
    assert _search(client, **INSIDE_MONTALTO).context["reports"] == []
    Case.objects.filter(pk=filed_case.pk).update(status="submitted", is_public=False)
    assert _search(client, **INSIDE_MONTALTO).context["reports"] == []


def test_reports_within_500_metres_newest_twenty(client, cat, charlie):
    lat, lon = INSIDE_MONTALTO["lat"], INSIDE_MONTALTO["lon"]
    near = [_report(charlie, cat.pothole, f"Buca {i}", lat + 0.0001 * i, lon) for i in range(22)]
    # about 490 m north is in; about 560 m is out (the grid alone would keep it)
    edge = _report(charlie, cat.pothole, "Edge", lat + 0.0044, lon)
    out = _report(charlie, cat.pothole, "Out", lat + 0.005, lon)
    refs = [r.reference for r in _search(client, lat=lat, lon=lon).context["reports"]]
    assert len(refs) == 20
    assert refs[0] == edge.reference  # newest first
    assert out.reference not in refs
    assert near[0].reference not in refs and near[1].reference not in refs  # the oldest


def test_query_count_does_not_grow_with_nearby_reports(
    client, cat, charlie, django_assert_max_num_queries
):
    lat, lon = INSIDE_MONTALTO["lat"], INSIDE_MONTALTO["lon"]
    _report(charlie, cat.pothole, "One", lat, lon)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(URL, INSIDE_MONTALTO)
    for i in range(15):
        _report(charlie, cat.pothole, f"Buca {i}", lat, lon)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(URL, INSIDE_MONTALTO)
    assert len(response.context["reports"]) == 16


def test_the_filing_form_is_prefilled_from_the_map_link(persona_client, cat, charlie):
    url = reverse("case_file", args=["montalto", "pothole"])
    response = persona_client(charlie).get(url, {**INSIDE_MONTALTO, "address": "Via Roma 12"})
    form = response.context["form"]
    assert form.initial["lat"] == INSIDE_MONTALTO["lat"]
    assert form.initial["lon"] == INSIDE_MONTALTO["lon"]
    assert form.initial["address"] == "Via Roma 12"
    assert 'value="Via Roma 12"' in response.content.decode()


@pytest.mark.parametrize(
    "params", [{"lat": "45.0", "lon": "9.0"}, {"lat": "abc", "lon": "11.1"}, {"lat": "43.1"}]
)
def test_the_filing_form_ignores_a_bad_or_outside_place(persona_client, cat, charlie, params):
    url = reverse("case_file", args=["montalto", "pothole"])
    response = persona_client(charlie).get(url, params)
    assert response.status_code == 200
    form = response.context["form"]
    assert "lat" not in form.initial and "lon" not in form.initial
