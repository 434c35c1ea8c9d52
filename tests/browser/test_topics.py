"""The topics page in a real browser (Debian's chromium), in Italian then English: a supervisor
reads Montalto's topics, filters them by source, opens a topic's page and follows the link that
opens an improvement item. axe-core finds no WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import pytest

from insieme.topics import actions
from tests.browser.conftest import assert_accessible, log_in_as
from tests.catalog.conftest import cat  # noqa: F401 (fixture)
from tests.topics.conftest import LIGHTS, POTHOLES, WITH_PII, file_report

pytestmark = pytest.mark.django_db(transaction=True)


def choose_language(page, name: str) -> None:
    """The site's language menu, whatever its button says in the current language."""
    page.select_option("#language-select", label=name)
    page.locator("form:has(#language-select) button").first.click()
    page.wait_for_load_state()


def test_a_supervisor_reads_the_topics(page, montalto, cat, charlie, dario):  # noqa: F811
    for text in [*POTHOLES, *LIGHTS, WITH_PII]:
        file_report(cat, charlie, text)
    run = actions.compute(None, montalto, seed=7)

    log_in_as(page, dario)
    page.goto(page.base_url + "/staff/montalto/topics/")
    choose_language(page, "Italiano")
    assert page.get_by_role("heading", name="Temi nei testi liberi", level=1).count() == 1
    assert "rientrano in 2 temi" in page.content()
    assert page.locator("table tbody tr").count() == 2
    assert "mario.rossi.private" not in page.content()
    assert_accessible(page)

    page.select_option("#id_source", label="Idee")
    page.get_by_role("button", name="Mostra").click()
    page.wait_for_load_state()
    assert "Nessun tema comprende testi di questa fonte." in page.content()
    assert_accessible(page)

    page.goto(page.base_url + "/staff/montalto/topics/")
    choose_language(page, "English")
    topic = run.topics.get(number=1)
    page.get_by_role("link", name=topic.label, exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=f"Topic: {topic.label}", level=1).count() == 1
    assert page.get_by_role("heading", name="Top terms", level=2).count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Open an improvement item").click()
    page.wait_for_load_state()
    assert "/staff/montalto/improvements/new/?source=topic" in page.url
