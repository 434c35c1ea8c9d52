"""The demand forecasts page in a real browser (Debian's chromium), in Italian then English: a
service manager reads the forecasts and the open alert, acknowledges it, and the alert leaves the
page. axe-core finds no WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import pytest

from insieme.forecasts import actions
from insieme.forecasts.models import Alert, Trigger
from tests.browser.conftest import assert_accessible, log_in_as
from tests.forecasts.conftest import NOW, STEADY, fill, make_service

pytestmark = pytest.mark.django_db(transaction=True)


def choose_language(page, name: str) -> None:
    """The header's language menu (its button is found by place: its label is translated)."""
    page.select_option("#language-select", label=name)
    page.locator("form.lang-switch button[type=submit]").click()
    page.wait_for_load_state()


def test_a_manager_reads_the_forecasts_and_acknowledges_an_alert(page, montalto, carla):
    fill(make_service(montalto), STEADY)
    surge = make_service(montalto, "verde", "Verde pubblico")
    fill(surge, STEADY[:-1] + [60])
    actions.compute(montalto, trigger=Trigger.COMMAND, now=NOW)
    alert = Alert.objects.get()

    log_in_as(page, carla)
    page.goto(page.base_url + "/staff/montalto/forecasts/")
    choose_language(page, "Italiano")
    assert page.get_by_role("heading", name="Previsioni della domanda", level=1).count() == 1
    assert "Aspettatevi circa" in page.content()
    assert page.locator(f"#alert-{alert.pk}").count() == 1
    assert_accessible(page)

    choose_language(page, "English")
    assert page.get_by_role("heading", name="Demand forecasts", level=1).count() == 1
    page.select_option("#id_service", label="Verde pubblico")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Verde pubblico", level=3).count() == 1
    assert page.get_by_role("heading", name="Buche stradali", level=3).count() == 0
    assert_accessible(page)

    page.locator(f"#alert-{alert.pk}").get_by_role("button").click()
    page.wait_for_load_state()
    assert "The alert is acknowledged." in page.content()
    assert page.locator("#no-alerts").count() == 1
    assert_accessible(page)
    alert.refresh_from_db()
    assert alert.acknowledged_by == carla
