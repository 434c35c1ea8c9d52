"""The staff survey in a real browser (Debian's chromium), in Italian then English: an officer
answers a round (leaving most statements as "don't know"), an administrator sees the results
withheld under five people and shown from five, and the Scorecard shows what employees report
beside what is measured. axe-core finds no WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import datetime as dt

import pytest

from insieme.core.models import today_in
from insieme.core.permissions import Role
from insieme.perception import actions
from insieme.perception.models import Answer, Participation
from tests.browser.conftest import assert_accessible, log_in_as
from tests.browser.test_languages import choose_language
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def agree(page, statement: str, label: str) -> None:
    group = page.get_by_role("group", name=statement)
    group.locator("label").get_by_text(label, exact=True).click()
    assert group.get_by_label(label, exact=True).is_checked()


def test_an_officer_answers_and_the_scorecard_shows_it(page, montalto, alice, bob):
    today = today_in(montalto)
    round_ = actions.open_round(alice, montalto, today, today + dt.timedelta(days=7))

    log_in_as(page, bob)
    page.goto(page.base_url + "/staff/montalto/staff-survey/")
    choose_language(page, "Italiano", "Change")
    assert page.get_by_role("heading", name="Indagine del personale", level=1).count() == 1
    assert_accessible(page)
    agree(page, "Il mio carico di lavoro è sostenibile.", "D'accordo")
    agree(page, "Le richieste sono trattate più in fretta di prima.", "Del tutto in disaccordo")
    page.get_by_role("button", name="Invia le mie risposte").click()
    page.wait_for_load_state()
    assert "senza il tuo nome" in page.content()
    assert page.locator("#answered").count() == 1
    assert_accessible(page)
    assert Participation.objects.filter(round=round_, user=bob).count() == 1
    assert sorted(Answer.objects.values_list("statement", "score")) == [("I3a", 4), ("S2", 1)]

    log_in_as(page, alice)
    page.goto(page.base_url + f"/staff/montalto/staff-survey/rounds/{round_.pk}/")
    choose_language(page, "English", "Cambia")
    assert page.locator("#under-threshold").count() == 1
    assert_accessible(page)
    for i in range(4):
        person = make_staff(montalto, Role.OFFICER, f"p{i}@montalto.example", f"P {i}")
        actions.answer(person, round_, {"I3a": 5, "S2": 2})
    page.reload()
    row = page.locator("#statement-I3a")
    assert "100%" in row.inner_text()  # five of five agree
    assert_accessible(page)

    page.get_by_role("link", name="See it beside the measured indicators on the Scorecard").click()
    page.wait_for_load_state()
    assert "100% agree" in page.locator("#perceived-I3").inner_text()
    assert "0% agree" in page.locator("#perceived-S2").inner_text()
    assert page.locator("#perceived-T1").inner_text() == "Not enough answers yet."
    assert_accessible(page)
