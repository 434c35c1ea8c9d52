"""The street register on the maps, in a real browser (Debian's chromium): the filing map draws
the streets as vector lines with their names at street zoom (no tile server), the address field
searches the register (a combobox: type, choose with the keyboard), the pin names the nearest
address, and the case is filed there; in English and Italian, and on a 390-px-wide screen.
axe-core finds no WCAG 2.1 A/AA violation, with the suggestions open too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from insieme.cases.models import Case
from tests.browser.conftest import assert_accessible, log_in_as
from tests.catalog.conftest import cat  # noqa: F401  (the catalogue fixture)
from tests.places.conftest import register, roma_point  # noqa: F401  (the register fixture)

pytestmark = pytest.mark.django_db(transaction=True)

FILE_URL = "/services/montalto/pothole/file/"


def new_page(browser, live_server, user, locale="en-GB", **context):
    ctx = browser.new_context(bypass_csp=True, locale=locale, **context)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.base_url = live_server.url
    log_in_as(page, user)
    return page


def choose_address(page, typed: str, option: str) -> None:
    """Type, then choose the first suggestion (which must be `option`) with the keyboard."""
    field = page.locator("#id_address")
    field.fill(typed)
    listbox = page.get_by_role("listbox")
    # the suggestions for what was typed last (not those of an earlier keystroke)
    expect(listbox.get_by_role("option").first).to_have_text(option)
    field.press("ArrowDown")
    expect(field).to_have_attribute("aria-activedescendant", re.compile(r".+"))
    field.press("Enter")
    expect(listbox).to_be_hidden()


def streets_drawn(page) -> int:
    return page.locator(".leaflet-streets-pane path").count()


def test_file_at_an_address_found_on_the_street_map(browser, live_server, cat, register, charlie):  # noqa: F811
    page = new_page(browser, live_server, charlie)
    page.goto(page.base_url + FILE_URL)
    map_el = page.locator("#map-picker")
    map_el.wait_for(state="visible")
    assert_accessible(page)
    field = page.get_by_role("combobox", name="Street and house number")
    field.fill("via roma 1")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_have_text("Via Roma 1")
    expect(page.locator("#address-status")).to_contain_text("places found")
    assert_accessible(page)  # with the suggestions open

    choose_address(page, "via roma 12", "Via Roma 12")
    lat, lon = roma_point(12)
    expect(page.get_by_label("Latitude")).to_have_value(f"{lat:.6f}")
    expect(page.get_by_label("Longitude")).to_have_value(f"{lon:.6f}")
    expect(page.locator("#address-status")).to_have_text("Chosen: Via Roma 12.")
    # the pin, the streets as vector lines, and the street's name along it at street zoom
    expect(page.locator('.leaflet-overlay-pane path[stroke="#a61919"]')).to_have_count(1)
    expect(page.locator("text.street-label", has_text="Via Roma").first).to_be_visible()
    assert streets_drawn(page) >= 2
    assert not page.locator(".leaflet-tile-pane img").count()  # no tile server needed
    assert_accessible(page)

    # pointing at the map names the nearest address
    box = map_el.bounding_box()
    map_el.click(position={"x": box["width"] / 2 - 40, "y": box["height"] / 2 + 20})
    expect(page.locator("#address-status")).to_contain_text("Nearest address: Via Roma")
    named = field.input_value()
    assert re.fullmatch(r"Via Roma \d+(/A)?", named), named

    page.locator("label[for=id_attr_size_1]").click()
    page.get_by_label("Describe the problem or your request").fill("Buca davanti al portone")
    page.get_by_role("button", name="File the request").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert case.address == named
    assert abs(case.lat - lat) < 0.001 and abs(case.lon - lon) < 0.002
    assert_accessible(page)


def test_the_street_map_in_italian(browser, live_server, cat, register, charlie):  # noqa: F811
    charlie.preferred_language = "it"
    charlie.save(update_fields=["preferred_language"])
    page = new_page(browser, live_server, charlie, locale="it-IT")
    page.goto(page.base_url + FILE_URL)
    page.locator("#map-picker").wait_for(state="visible")
    assert page.locator("html").get_attribute("lang") == "it"
    field = page.get_by_role("combobox", name="Via e numero civico")
    assert field.count() == 1
    field.fill("p.za unità italia 3")
    expect(page.locator("#address-status")).to_contain_text("luogo trovato")
    assert_accessible(page)
    choose_address(page, "v. roma 7", "Via Roma 7")
    expect(page.locator("#address-status")).to_have_text("Scelto: Via Roma 7.")
    expect(page.locator("text.street-label", has_text="Via Roma").first).to_be_visible()
    assert_accessible(page)


def test_the_map_and_search_fit_a_narrow_screen(browser, live_server, cat, register, charlie):  # noqa: F811
    page = new_page(
        browser, live_server, charlie, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page.goto(page.base_url + FILE_URL)
    map_el = page.locator("#map-picker")
    map_el.wait_for(state="visible")
    page.locator("#id_address").fill("via roma 1")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_be_visible()
    for box in (map_el.bounding_box(), listbox.bounding_box()):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    choose_address(page, "via roma 12", "Via Roma 12")
    expect(page.locator("text.street-label", has_text="Via Roma").first).to_be_visible()


def test_search_an_address_on_the_public_map(browser, live_server, cat, register, charlie):  # noqa: F811
    page = new_page(browser, live_server, charlie)
    page.goto(page.base_url + "/services/map/")
    page.locator("#map-picker").wait_for(state="visible")
    choose_address(page, "via roma 12", "Via Roma 12 — Comune di Montalto")
    page.get_by_role("button", name="Show services here").click()
    page.wait_for_load_state()
    expect(
        page.get_by_role("heading", name="Services of Comune di Montalto for this place")
    ).to_be_visible()
    assert_accessible(page)


def test_last_used_addresses_are_offered_first(browser, live_server, cat, register, charlie):  # noqa: F811
    from insieme.cases.filing import actions as filing_actions

    lat, lon = roma_point(5)
    filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "small"},
            description="x",
            lat=lat,
            lon=lon,
            address="Via Roma 5",
        ),
    )
    page = new_page(browser, live_server, charlie)
    page.goto(page.base_url + FILE_URL)
    page.locator("#map-picker").wait_for(state="visible")
    field = page.locator("#id_address")
    field.focus()
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_text(["Via Roma 5"])
    field.press("ArrowDown")
    field.press("Enter")  # the earlier address, looked up in the register
    expect(listbox.get_by_role("option").first).to_have_text("Via Roma 5")
    field.press("ArrowDown")
    field.press("Enter")
    expect(page.get_by_label("Latitude")).to_have_value(f"{lat:.6f}")
