"""The street register's public JSON endpoints: address search, the address nearest a point,
street tiles. The register is public data: anyone may read it, signed in or not."""

from __future__ import annotations

import pytest
from django.test import Client

from insieme.places import lookup
from tests.places.conftest import ROMA_LAT, ROMA_LON, roma_point

pytestmark = pytest.mark.django_db


def search(client, q, **params):
    return client.get("/places/search.json", {"q": q, **params})


def labels(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["label"] for r in response.json()["results"]]


@pytest.mark.parametrize(
    "typed, first",
    [
        ("via roma 12", "Via Roma 12"),
        ("v. Roma 12/a", "Via Roma 12/A"),
        ("VIA ROMA, 7", "Via Roma 7"),
        ("p.za dell'unita d'italia 3", "Piazza dell'Unità d'Italia 3"),
        ("piazza unità italia", "Piazza dell'Unità d'Italia"),
        ("giuseppe garib 2", "Via Giuseppe Garibaldi 2"),
        ("via garibaldy 2", "Via Giuseppe Garibaldi 2"),  # a typo
        ("strada provinciale 12", "Strada provinciale 12"),  # the number is in the name
        ("sp 12 40", "Strada provinciale 12 40"),
        ("vicolo forno", "Vicolo del Forno"),  # a street without numbers: its line
    ],
)
def test_search_finds_what_people_type(client, register, typed, first):
    assert labels(search(client, typed, administration="montalto"))[0] == first


def test_search_offers_the_numbers_a_typed_number_begins(client, register):
    found = labels(search(client, "via roma 1", administration="montalto"))
    assert found[:2] == ["Via Roma 1", "Via Roma 10"]
    assert set(found) <= {f"Via Roma {n}" for n in [1, *range(10, 20), "12/A"]}


def test_search_results_carry_the_place(client, register):
    result = search(client, "via roma 12", administration="montalto").json()["results"][0]
    lat, lon = roma_point(12)
    assert (result["lat"], result["lon"]) == (pytest.approx(lat), pytest.approx(lon))
    assert result["kind"] == "address" and result["administration"] == "montalto"
    assert set(result) == {
        "kind",
        "label",
        "street",
        "number",
        "lat",
        "lon",
        "administration",
        "administration_name",
    }


def test_search_across_every_register_and_in_one(client, register, lagoverde):
    assert labels(search(client, "via roma 3"))[0] == "Via Roma 3"
    assert labels(search(client, "via roma 3", administration="lago-verde")) == []


@pytest.mark.parametrize(
    "params, status",
    [
        ({}, 400),
        ({"q": "   "}, 400),
        ({"q": "x" * 121}, 400),
        ({"q": "via roma", "administration": "nowhere"}, 404),
    ],
)
def test_search_bad_requests(client, register, params, status):
    response = client.get("/places/search.json", params)
    assert response.status_code == status
    if status == 400:
        assert response.json()["error"]


def test_search_uses_a_few_queries(client, register, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        search(client, "via roma 12", administration="montalto")


def test_nearest_names_the_address_next_to_a_point(client, register):
    lat, lon = roma_point(7)
    response = client.get("/places/nearest.json", {"lat": lat + 0.00002, "lon": lon})
    found = response.json()["found"]
    assert found["label"] == "Via Roma 7" and found["kind"] == "address"
    assert 0 <= found["distance"] <= 5


def test_nearest_names_a_street_without_numbers_or_nothing(client, register):
    near_lane = client.get("/places/nearest.json", {"lat": 43.15025, "lon": 11.1505})
    assert near_lane.json()["found"]["label"] == "Vicolo del Forno"
    assert near_lane.json()["found"]["kind"] == "street"
    far = client.get("/places/nearest.json", {"lat": 43.19, "lon": 11.19})
    assert far.json() == {"found": None}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lat": "43.1"},
        {"lat": "abc", "lon": "11"},
        {"lat": "91", "lon": "11"},
        {"lat": "nan", "lon": "1"},
    ],
)
def test_nearest_bad_requests(client, register, params):
    response = client.get("/places/nearest.json", params)
    assert response.status_code == 400 and response.json()["error"]


def tile_of(lat, lon, z):
    import math

    n = 2**z
    x = int((lon + 180) / 360 * n)
    r = math.radians(lat)
    y = int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
    return x, y


def test_street_tiles_are_geojson_cached_with_an_etag(client, register):
    x, y = tile_of(ROMA_LAT, ROMA_LON, 16)
    url = f"/places/tiles/16/{x}/{y}.geojson"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "public" in response["Cache-Control"]
    names = {f["properties"]["name"] for f in response.json()["features"]}
    assert "Via Roma" in names
    roma = next(f for f in response.json()["features"] if f["properties"]["name"] == "Via Roma")
    assert roma["geometry"]["type"] == "LineString"
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_low_zoom_tiles_hold_main_roads_only(client, register):
    x, y = tile_of(ROMA_LAT, ROMA_LON, 12)
    features = client.get(f"/places/tiles/12/{x}/{y}.geojson").json()["features"]
    assert all(f["properties"]["rank"] == 1 for f in features)
    assert "Via Roma" not in {f["properties"]["name"] for f in features}


def test_house_number_tiles(client, register):
    x, y = tile_of(ROMA_LAT, ROMA_LON + 0.0005, lookup.ADDRESS_TILE_ZOOM)
    features = client.get(f"/places/tiles/17/{x}/{y}.geojson").json()["features"]
    assert "12/A" in {f["properties"]["n"] for f in features}


def test_the_etag_changes_when_the_register_is_imported_again(client, register):
    from insieme.places import actions, parsers
    from tests.places.conftest import register_csv

    x, y = tile_of(ROMA_LAT, ROMA_LON, 16)
    url = f"/places/tiles/16/{x}/{y}.geojson"
    first = client.get(url)["ETag"]
    moved = register_csv().replace("Via Roma;1;", "Via Roma;1;").replace("R1-1\n", "R1-1\n", 1)
    moved = moved.replace(f"{roma_point(1)[0]};", f"{roma_point(1)[0] + 0.00001};", 1)
    actions.import_register(None, register.admin, parsers.parse_csv(moved))
    assert client.get(url, HTTP_IF_NONE_MATCH=first).status_code == 200


@pytest.mark.parametrize("path", ["9/1/1", "18/1/1", "16/70000/1", "12/-1/1"])
def test_no_such_tile(client, register, path):
    assert client.get(f"/places/tiles/{path}.geojson").status_code == 404


def test_the_register_is_public_to_anyone(register, charlie, persona_client):
    for client in (Client(), persona_client(charlie)):
        assert labels(search(client, "via roma 12", administration="montalto"))


def test_the_word_index_range_seek_finds_exactly_the_prefixed_words(montalto):
    """The prefix range holds on this database's collation too (PostgreSQL's linguistic
    collations order some characters differently: folded words hold only [0-9a-z])."""
    from insieme.places.models import Street, StreetWord
    from insieme.places.text import prefix_range

    words = [
        "a",
        "a0",
        "a9",
        "aa",
        "az",
        "b",
        "z",
        "zz",
        "zzz",
        "9",
        "09",
        "0a",
        "1",
        "10",
        "19",
        "2",
        "via",
        "viale",
        "vi",
        "vib",
        "vicolo",
        "ciro",
        "civ",
    ]
    street = Street.objects.create(administration=montalto, name="x", folded="x")
    StreetWord.objects.bulk_create(
        [StreetWord(administration=montalto, street=street, word=w) for w in words]
    )
    for prefix in [
        "a",
        "a9",
        "az",
        "z",
        "zz",
        "0",
        "09",
        "1",
        "19",
        "v",
        "vi",
        "via",
        "vic",
        "c",
        "ci",
    ]:
        low, high = prefix_range(prefix)
        found = StreetWord.objects.filter(word__gte=low)
        if high:
            found = found.filter(word__lt=high)
        assert sorted(found.values_list("word", flat=True)) == sorted(
            w for w in words if w.startswith(prefix)
        ), prefix
