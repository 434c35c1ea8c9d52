"""Filing without JavaScript where the administration has a street register: the form asks for
the street and house number, checks it against the register (unknown street, several streets,
missing or unknown number with the nearest ones suggested) and files the case at the address's
coordinates, still within the administration's boundary. The public map takes an address too."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from insieme.cases.models import Case
from insieme.core import actions as core_actions
from tests.cases.filing.test_filing import report_data
from tests.catalog.conftest import cat  # noqa: F401  (the catalogue fixture)
from tests.places.conftest import register, roma_point  # noqa: F401  (the register fixture)

pytestmark = pytest.mark.django_db

FILE_URL = "/services/montalto/pothole/file/"


@pytest.fixture
def citizen(client, charlie):
    client.force_login(charlie)
    return client


def test_the_form_asks_for_street_and_number(cat, register, citizen):  # noqa: F811
    body = citizen.get(FILE_URL).content.decode()
    assert "Street and house number" in body
    assert "Write the street and the house number nearest to the place" in body
    # the coordinates are a fold-out option, the map an enhancement
    assert '<details class="mb-3" id="coordinates">' in body
    assert "or write its latitude and longitude, or write its address" not in body
    assert 'data-search-url="/places/search.json?administration=montalto"' in body


def test_an_address_of_the_register_places_the_case(cat, register, citizen):  # noqa: F811
    data = report_data(citizen, lat="", lon="", address="via roma 12")
    response = citizen.post(FILE_URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    lat, lon = roma_point(12)
    assert (case.lat, case.lon) == (pytest.approx(lat), pytest.approx(lon))
    assert case.address == "Via Roma 12"
    assert case.cell_row is not None


@pytest.mark.parametrize(
    "address, message",
    [
        (
            "Via Rma 12",
            "There is no street “Via Rma” in Comune di Montalto. Did you mean: Via Roma?",
        ),
        ("Via Sconosciuta 3", "There is no street “Via Sconosciuta” in Comune di Montalto."),
        ("Garibaldi 2", "Several streets match “Garibaldi”: Piazza Garibaldi, Via Giuseppe"),
        ("Via Roma", "Add the house number nearest to the place: Via Roma has numbers 1 to 20."),
        ("Via Roma 99", "Via Roma has no number 99. The nearest numbers are: 16, 17, 18, 19, 20."),
        ("Via Roma 12/B", "Via Roma has no number 12/B. The nearest numbers are: 10, 11, 12, 12/A"),
        ("", "Write the street and the house number of the place, e.g. Via Roma 12."),
    ],
)
def test_an_address_the_register_does_not_hold_is_refused_with_help(
    cat,  # noqa: F811
    register,  # noqa: F811
    citizen,
    address,
    message,
):
    response = citizen.post(FILE_URL, report_data(citizen, lat="", lon="", address=address))
    assert response.status_code == 400
    body = response.content.decode()
    assert message.replace("’", "&#x27;") in body.replace("&#x27;", "'"), body[:4000]
    assert 'href="#id_address"' in body  # listed in the error summary, linked to the field
    assert not Case.objects.exists()


def test_a_point_on_the_map_needs_no_register_address(cat, register, citizen):  # noqa: F811
    data = report_data(citizen, lat="43.15", lon="11.15", address="dietro la scuola")
    assert citizen.post(FILE_URL, data).status_code == 302
    assert Case.objects.get().address == "dietro la scuola"


def test_the_address_must_still_lie_within_the_boundary(cat, register, citizen, montalto):  # noqa: F811
    elsewhere = {
        "type": "Polygon",
        "coordinates": [
            [[11.15, 43.15], [11.2, 43.15], [11.2, 43.2], [11.15, 43.2], [11.15, 43.15]]
        ],
    }
    core_actions.update_administration(None, montalto, boundary=elsewhere)
    response = citizen.post(FILE_URL, report_data(citizen, lat="", lon="", address="Via Roma 12"))
    assert response.status_code == 400
    assert "This place is outside Comune di Montalto" in response.content.decode()
    assert not Case.objects.exists()


def test_assisted_filing_takes_a_register_address(cat, register, bob):  # noqa: F811
    client = Client()
    client.force_login(bob)
    url = reverse("staff_file_for_citizen_form", args=["montalto", "pothole"])
    data = {
        "citizen_email": "",
        "channel": "phone",
        "consent_noted": "on",
        "attr_size": "large",
        "description": "Buca davanti al civico 7",
        "lat": "",
        "lon": "",
        "address": "v. roma 7",
        "contact_name": "Ada Rossi",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.address == "Via Roma 7"
    assert case.lat == pytest.approx(roma_point(7)[0])


def test_the_public_map_places_an_address_without_javascript(cat, register, client):  # noqa: F811
    response = client.get(reverse("services_map"), {"address": "Via Roma 12, Montalto"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="map-results"' in body and "Services of Comune di Montalto" in body
    assert "lat=43.099910" in body  # carried to the filing form with the address
    bad = client.get(reverse("services_map"), {"address": "Via Nessuna 3"})
    assert bad.status_code == 400
    assert "No street of the register matches" in bad.content.decode() or (
        "There is no street" in bad.content.decode()
    )
