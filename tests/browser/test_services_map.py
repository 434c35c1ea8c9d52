"""Finding a service on the map in a real browser (Debian's chromium): point at a place in
Montalto, show the services there, follow one to its filing form with the place prefilled;
axe-core finds no WCAG 2.1 A/AA violation on the map page."""

from __future__ import annotations

import pytest

from insieme.cases.filing import actions as filing_actions
from tests.browser.conftest import assert_accessible, log_in_as
from tests.catalog.conftest import cat  # noqa: F401  (the catalogue fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_find_a_service_on_the_map_and_file_there(page, cat, alice, charlie):  # noqa: F811
    existing, _ = filing_actions.submit_case(
        alice,
        filing_actions.Filing(
            cat.pothole, answers={"size": "large"}, description="Buca in piazza", lat=43.1, lon=11.1
        ),
    )
    log_in_as(page, charlie)
    page.goto(page.base_url + "/services/")
    page.get_by_role("link", name="Report a problem on the map").click()
    page.wait_for_load_state()
    map_el = page.locator("#map-picker")
    map_el.wait_for(state="visible")
    assert_accessible(page)
    map_el.click()  # the map is fitted to Montalto's square (the only area served): its centre
    lat = float(page.get_by_label("Latitude").input_value())
    lon = float(page.get_by_label("Longitude").input_value())
    assert 43.0 < lat < 43.2 and 11.0 < lon < 11.2
    map_el.focus()
    page.keyboard.press("ArrowUp")  # the keyboard moves the marker too
    assert float(page.get_by_label("Latitude").input_value()) > lat
    page.get_by_role("button", name="Show services here").click()
    page.wait_for_load_state()
    page.locator("#map-picker").wait_for(state="visible")
    assert page.get_by_role("heading", name="Services of Comune di Montalto for this place").count()
    table = page.get_by_role("table")
    assert table.get_by_role("link", name=existing.reference).count() == 1
    assert_accessible(page)
    page.get_by_role("link", name="Pothole").click()
    page.wait_for_load_state()
    assert "/services/montalto/pothole/file/" in page.url
    assert 43.0 < float(page.get_by_label("Latitude").input_value()) < 43.2
    assert 11.0 < float(page.get_by_label("Longitude").input_value()) < 11.2


def test_typed_coordinates_outside_every_area(page, cat):  # noqa: F811
    page.goto(page.base_url + "/services/map/")
    page.get_by_label("Latitude").fill("45.0")
    page.get_by_label("Longitude").fill("9.0")
    page.get_by_role("button", name="Show services here").click()
    page.wait_for_load_state()
    assert (
        "This place is outside the areas served here" in page.locator("#map-outside").inner_text()
    )
    assert_accessible(page)
