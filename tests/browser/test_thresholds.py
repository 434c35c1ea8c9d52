"""Scorecard thresholds in a real browser (Debian's chromium), in Italian: an administrator
follows the Scorecard's link, draws the lines for one indicator (in percent), and the Scorecard
shows its status. axe-core finds no WCAG 2.1 A/AA violation on either page."""

from __future__ import annotations

import pytest
from django.utils import translation

from insieme.core.registry import Scope, indicators
from insieme.insights.models import Status, Threshold
from tests.browser.conftest import assert_accessible, log_in_as
from tests.browser.test_languages import choose_language

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "catalog-s4-traced-fields"


def test_an_administrator_draws_the_lines(page, montalto, alice, cat):
    log_in_as(page, alice)
    page.goto(page.base_url + "/staff/montalto/scorecard/")
    choose_language(page, "Italiano", "Change")
    page.get_by_role(
        "link",
        name="Stabilisci da dove i benefici contano come realizzati e le criticità come presenti",
    ).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Soglie della Scorecard", level=1).count() == 1
    assert_accessible(page)
    row = page.locator(f"#threshold-{KEY}")
    row.get_by_label("Beneficio realizzato da").fill("90")
    row.get_by_label("Criticità presente da").fill("70")
    page.get_by_role("button", name="Salva le soglie").click()
    page.wait_for_load_state()
    pair = Threshold.objects.get(administration=montalto, indicator_key=KEY)
    assert (pair.realised, pair.challenge) == (0.9, 0.7)
    assert_accessible(page)

    # A wrong-way pair is refused at its row, in words.
    row = page.locator(f"#threshold-{KEY}")
    row.get_by_label("Beneficio realizzato da").fill("60")
    page.get_by_role("button", name="Salva le soglie").click()
    page.wait_for_load_state()
    assert "sopra la criticità" in page.locator(f"#threshold-{KEY}").inner_text()
    assert_accessible(page)

    page.goto(page.base_url + "/staff/montalto/scorecard/")
    value = indicators.get(KEY).compute(Scope.of(montalto)).value
    expected = pair.status_of(value, "higher")
    assert value is not None and expected is not None
    with translation.override("it"):
        label = str(Status(expected).label)
    assert page.locator(f"#status-{KEY}").inner_text() == label
    assert_accessible(page)
