"""The Scorecard report in a real browser (Debian's chromium): an administrator opens it from
the staff dashboard, chooses a day, and the report shows the seventeen cells; axe-core finds no
WCAG 2.1 A/AA violation, in English and in Italian."""

from __future__ import annotations

import pytest

from insieme.core.cells import CELLS
from tests.browser.conftest import assert_accessible, log_in_as

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("language", "link", "button", "heading"),
    [
        ("en", "Scorecard report", "Show the report", "Scorecard report — Comune di Montalto"),
        (
            "it",
            "Rapporto della Scorecard",
            "Mostra il rapporto",
            "Rapporto della Scorecard — Comune di Montalto",
        ),
    ],
)
def test_an_administrator_reads_the_report(page, montalto, alice, language, link, button, heading):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    log_in_as(page, alice)
    page.goto(page.base_url + "/staff/montalto/")
    page.get_by_role("link", name=link, exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == heading
    page.locator("#id_as_of").fill("2026-09-30")
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert "as_of=2026-09-30" in page.url
    for code in CELLS:
        assert page.locator(f"#report-cell-{code}").count() == 1, code
    assert page.locator("#report-pdf").get_attribute("href").endswith("format=pdf")
    assert_accessible(page)
