"""The residents' community survey in a real browser (Debian's chromium), in Italian then
English: a resident chooses their area and answers, an administrator reads the results by area
(small areas folded into "other areas") and finds what residents say on the Scorecard. axe-core
finds no WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import datetime as dt

import pytest

from insieme.community import actions
from insieme.community.models import Participation, Tally
from insieme.core.models import today_in
from insieme.places.models import Street
from tests.browser.conftest import assert_accessible, log_in_as
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def switch_to(page, language: str) -> None:
    """Choose a language in the header's menu, whatever the language of the page now."""
    page.select_option("#language-select", label=language)
    page.locator("form.lang-switch button").click()
    page.wait_for_load_state()


def agree(page, statement: str, label: str) -> None:
    group = page.get_by_role("group", name=statement)
    group.locator("label").get_by_text(label, exact=True).click()
    assert group.get_by_label(label, exact=True).is_checked()


def test_a_resident_answers_and_an_administrator_reads_the_results(page, montalto, alice, charlie):
    for name, locality in [("Via Roma", ""), ("Piazza del Poggio", "Poggio")]:
        Street.objects.create(administration=montalto, name=name, folded=name, locality=locality)
    today = today_in(montalto)
    round_ = actions.open_round(alice, montalto, today, today + dt.timedelta(days=7))

    log_in_as(page, charlie)
    page.goto(page.base_url + "/community/montalto/survey/")
    switch_to(page, "Italiano")
    assert page.get_by_role("heading", name="Indagine tra i residenti", level=1).count() == 1
    assert_accessible(page)
    page.get_by_label("La zona in cui vivi").select_option(label="Poggio")
    agree(page, "Rapportarsi online con il Comune è semplice.", "In disaccordo")
    agree(page, "Le mie idee per la zona vengono ascoltate.", "Del tutto in disaccordo")
    page.get_by_role("button", name="Invia le mie risposte").click()
    page.wait_for_load_state()
    assert "senza il tuo nome" in page.content()
    assert page.locator("#answered").count() == 1
    assert_accessible(page)
    assert Participation.objects.filter(round=round_, user=charlie).count() == 1
    assert sorted(Tally.objects.filter(n__gt=0).values_list("area", "statement", "score")) == [
        ("l1", "I2", 1),
        ("l1", "S1", 2),
    ]

    # Six more from the main town. Poggio (one person) is folded; folded alone it would be the
    # total minus the town, so the town is folded too and only the total shows.
    for i in range(6):
        actions.answer(make_user(f"r{i}@example.org", f"R {i}"), round_, "town", {"S1": 5})
    log_in_as(page, alice)
    page.goto(page.base_url + "/staff/montalto/community-survey/")
    switch_to(page, "English")
    assert page.locator("#trend-statements").count() == 1
    assert_accessible(page)
    page.locator("#rounds-table a").first.click()
    page.wait_for_load_state()
    assert "7 residents answered" in page.locator("#sentence").inner_text()
    assert "86% (7)" in page.locator("#statement-S1").inner_text()  # six of seven agree
    assert page.locator("#group-town").count() == 0 and page.locator("#group-l1").count() == 0
    assert "Poggio" in page.locator("#folded").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="See it beside the measured indicators on the Scorecard").click()
    page.wait_for_load_state()
    assert "86% agree" in page.locator("#residents-S1").inner_text()
    assert_accessible(page)
