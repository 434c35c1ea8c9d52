"""The improvement backlog in a real browser (Debian's chromium), in English and Italian: a
supervisor opens an item from a Scorecard indicator, then closes it as done and reads the
measured effect. axe-core finds no WCAG 2.1 A/AA violation on the pages on the way."""

from __future__ import annotations

import pytest

from insieme.improvements.models import Item, Status
from tests.browser.conftest import assert_accessible, log_in_as

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "catalog-t5-template-share"

WORDS = {
    "en": {
        "link": "Open an improvement item for “Services built on shared templates”",
        "open": "Open the item",
        "done": "Done: measure the indicator again",
        "close": "Close the item",
        "effect": "Measured effect",
    },
    "it": {
        "link": "Apri un'azione di miglioramento per “Servizi costruiti su modelli condivisi”",
        "open": "Apri l'azione",
        "done": "Completata: misura di nuovo l'indicatore",
        "close": "Chiudi l'azione",
        "effect": "Effetto misurato",
    },
}


@pytest.mark.parametrize("language", ["en", "it"])
def test_a_supervisor_opens_an_item_from_the_scorecard_and_closes_it(
    page, montalto, dario, cat, language
):
    words = WORDS[language]
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    log_in_as(page, dario)
    page.goto(page.base_url + "/staff/montalto/scorecard/?scope=self")
    page.get_by_role("link", name=words["link"]).click()
    page.wait_for_load_state()
    assert f"indicator={KEY}" in page.url
    assert_accessible(page)
    page.get_by_role("button", name=words["open"]).click()
    page.wait_for_load_state()
    item = Item.objects.get(administration=montalto)
    assert item.indicator_key == KEY and item.value_before is not None
    assert page.url.endswith(f"/staff/montalto/improvements/{item.pk}/")
    assert_accessible(page)

    # Bootstrap Italia draws the radio on its label, which takes the click.
    page.locator("label", has_text=words["done"]).click()
    assert page.get_by_label(words["done"]).is_checked()
    page.get_by_role("button", name=words["close"]).click()
    page.wait_for_load_state()
    item.refresh_from_db()
    assert item.status == Status.DONE and item.value_after is not None
    assert page.get_by_role("heading", name=words["effect"]).count() == 1
    assert page.locator(".effect-after").inner_text().strip() != "—"
    assert_accessible(page)
