"""The staff page and its CSV: who may read them, what they show (the same hotspots on the map
and in the table, never a report or a person), the filters, and bad input answered 400."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from insieme.hotspots import actions
from insieme.hotspots.models import Hotspot
from tests.conftest import sign_in
from tests.hotspots.conftest import EMAIL, PERSON

pytestmark = pytest.mark.django_db

PAGE = "/staff/montalto/hotspots/"
CSV = "/staff/montalto/hotspots/hotspots.csv"


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def map_data(response) -> list[dict]:
    html = response.content.decode()
    marker = '<script id="hotspot-data" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


def test_the_urls_are_named():
    assert reverse("hotspots:staff_map", args=["montalto"]) == PAGE
    assert reverse("hotspots:staff_csv", args=["montalto"]) == CSV


@pytest.mark.parametrize("persona", ["alice", "carla", "dario", "elena"])
def test_readers_see_the_two_hotspots_on_the_map_and_in_the_table(
    client, computed, persona, request
):
    sign_in(client, request.getfixturevalue(persona))
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "in at least 4 of the last 6 four-week periods" in html
    assert html.count('class="hotspot-row"') == 2
    assert "Via Alfa" in html
    assert len(map_data(response)) == 2
    assert set(map_data(response)[0]) == {"lat", "lon", "radius", "label", "growing"}


def test_no_report_and_no_person_reaches_the_page_or_the_csv(client, computed, dario):
    sign_in(client, dario)
    for url in (PAGE, CSV):
        text = client.get(url).content.decode()
        for private in (PERSON, EMAIL, "T-0", "Buca davanti", "Via Alfa 3"):
            assert private not in text, (url, private)


def test_outsiders_get_404_and_officers_403(client, computed, bob, charlie, oscar):
    for url in (PAGE, CSV):
        assert client.get(url).status_code == 302  # to the login page
        for person, status in ((bob, 403), (charlie, 404), (oscar, 404)):
            sign_in(client, person)
            assert client.get(url).status_code == status, (person, url)
            client.logout()
    sign_in(client, oscar)
    assert client.get("/staff/lago-verde/hotspots/").status_code == 200
    assert client.get("/staff/nowhere/hotspots/").status_code == 404


def test_a_region_sees_the_hotspots_of_the_municipalities_it_hosts(client, computed, rita):
    sign_in(client, rita)
    response = client.get("/staff/valdoro/hotspots/")
    assert response.status_code == 200
    assert response.content.decode().count('class="hotspot-row"') == 3
    slugs = sorted(
        r["administration"] for r in rows_of(client.get("/staff/valdoro/hotspots/hotspots.csv"))
    )
    assert slugs == ["lago-verde", "montalto", "montalto"]


def test_the_csv_carries_raw_numbers(client, computed, dario):
    sign_in(client, dario)
    response = client.get(CSV)
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    assert len(rows) == 2
    alfa = next(r for r in rows if r["street"] == "Via Alfa")
    assert alfa["reports"] == "36" and alfa["periods_with_cluster"] == "6"
    period_columns = [k for k in alfa if k.startswith("reports_from_")]
    assert len(period_columns) == 6 and {alfa[k] for k in period_columns} == {"6"}
    assert float(alfa["latitude"]) == pytest.approx(43.05, abs=2e-4)


def test_text_that_looks_like_a_formula_is_kept_as_text(client, computed, dario):
    Hotspot.objects.filter(street="Via Alfa").update(street="=HYPERLINK(1)")
    sign_in(client, dario)
    (row,) = [r for r in rows_of(client.get(CSV)) if "HYPERLINK" in r["street"]]
    assert row["street"] == "'=HYPERLINK(1)"


def test_filters_slice_the_counts_and_hide_what_falls_below_the_minimum(
    client, computed, world, dario
):
    sign_in(client, dario)
    # Potholes are all at Via Alfa: one hotspot left, with its 36 reports.
    (row,) = rows_of(client.get(CSV, {"service": world.potholes.pk}))
    assert row["street"] == "Via Alfa" and row["reports"] == "36"
    # By phone: two a period at Via Alfa, twelve in all; none at the other place.
    (row,) = rows_of(client.get(CSV, {"channel": "phone"}))
    assert row["reports"] == "12"
    assert rows_of(client.get(CSV, {"department": world.roads.pk}))[0]["street"] == "Via Alfa"
    # One period: six reports each, still at the minimum of four.
    first, last = computed[0].period_bounds()[2]
    rows = rows_of(client.get(CSV, {"start": first.isoformat(), "end": last.isoformat()}))
    assert len(rows) == 2 and {r["reports"] for r in rows} == {"6"}
    # One period by phone: two reports, below the minimum: nothing is shown.
    assert rows_of(client.get(CSV, {"channel": "phone", "start": first, "end": last})) == []
    response = client.get(PAGE, {"channel": "phone", "start": first, "end": last})
    assert (
        response.status_code == 200
        and "No hotspot matches these filters." in response.content.decode()
    )


@pytest.mark.parametrize(
    "query, message",
    [
        ({"service": "999999"}, "There is no such service here"),
        ({"department": "999999"}, "There is no such department here"),
        ({"channel": "pigeon"}, "There is no such channel"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "The period ends before it starts"),
        ({"start": "99999-01-01"}, "Enter the first day as YYYY-MM-DD"),
        ({"end": "2026-02-30"}, "Enter the last day as YYYY-MM-DD"),
        ({"channel": "web\x01"}, ""),
        ({"service": "abc"}, ""),
    ],
)
def test_impossible_filters_answer_400_with_a_clear_message(
    client, computed, dario, query, message
):
    sign_in(client, dario)
    page = client.get(PAGE, query)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert client.get(CSV, query).status_code == 400


def test_another_administrations_service_is_no_choice_here(client, computed, world, dario):
    sign_in(client, dario)
    assert client.get(PAGE, {"service": world.boats.pk}).status_code == 400


def test_the_improvement_link_is_for_those_who_manage_items(client, computed, dario, elena):
    sign_in(client, dario)
    html = client.get(PAGE).content.decode()
    assert html.count("Open an improvement item") == 2
    start = html.index('href="/staff/montalto/improvements/new/?')
    href = html[start + 6 : html.index('"', start + 6)].replace("&amp;", "&")
    query = parse_qs(urlsplit(href).query)
    assert query["source"] == ["hotspot"]
    (detail,) = query["detail"]
    assert len(detail) <= 300 and "reports within" in detail and PERSON not in detail
    client.logout()
    sign_in(client, elena)  # a data steward reads hotspots but manages no item
    assert "Open an improvement item" not in client.get(PAGE).content.decode()


def test_before_any_run_the_page_says_so(client, world, dario):
    sign_in(client, dario)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "No hotspots have been computed here yet" in response.content.decode()
    assert rows_of(client.get(CSV)) == []


def test_the_dashboard_links_to_the_page(client, montalto, dario, bob):
    sign_in(client, dario)
    assert PAGE in client.get("/staff/montalto/").content.decode()
    client.logout()
    sign_in(client, bob)
    assert PAGE not in client.get("/staff/montalto/").content.decode()


def test_the_page_reads_the_stored_run_without_clustering(
    client, computed, dario, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(actions, "detect", None)  # any clustering would fail
    sign_in(client, dario)
    client.get(PAGE)
    with django_assert_max_num_queries(20):
        assert client.get(PAGE).status_code == 200
