"""The hotspot page in a real browser (Debian's chromium), in English then Italian: the map draws
a circle for each hotspot, the table lists the same hotspots, and axe-core finds no WCAG 2.1
A/AA violation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, log_in_as
from tests.browser.test_languages import choose_language
from tests.hotspots.conftest import computed, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def circles(page) -> int:
    page.wait_for_selector("#hotspot-map path.hotspot-circle", state="attached")
    return page.locator("#hotspot-map path.hotspot-circle").count()


def test_the_map_draws_the_hotspots_the_table_lists(page, computed, dario):  # noqa: F811
    log_in_as(page, dario)
    page.goto(page.base_url + "/staff/montalto/hotspots/")
    assert page.get_by_role("heading", name="Hotspots", level=1).count() == 1
    assert page.locator("#hotspot-map").is_visible()
    assert circles(page) == 2
    table = page.get_by_role("table", name="Hotspots of Comune di Montalto, most reports first")
    assert table.locator("tbody tr").count() == 2
    assert "Via Alfa" in table.inner_text()
    assert_accessible(page)

    choose_language(page, "Italiano", "Change")
    assert page.get_by_role("heading", name="Punti caldi", level=1).count() == 1
    assert circles(page) == 2
    table = page.get_by_role(
        "table", name="Punti caldi di Comune di Montalto, prima quelli con più segnalazioni"
    )
    assert table.locator("tbody tr").count() == 2
    assert "Apri un'azione di miglioramento" in table.inner_text()
    assert_accessible(page)

    page.get_by_label("Canale").select_option("phone")
    page.get_by_role("button", name="Mostra").click()
    page.wait_for_load_state()
    assert circles(page) == 1
    assert_accessible(page)
