"""The home page in both languages and the paginated work queue at 1280 px, in a real browser:
no WCAG 2.1 A/AA violation (axe-core), nothing wider than the screen, and the queue's pages
reachable by keyboard (a skip link to the results, page links that leave focus on them)."""

from __future__ import annotations

import pytest

from insieme.cases.filing import actions as filing_actions
from tests.browser.conftest import assert_accessible, log_in_as
from tests.cases.conftest import INSIDE_MONTALTO
from tests.cases.handling.test_queue import make_cases, olga, roads  # noqa: F401
from tests.catalog.conftest import cat  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def _fits(page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{page.url}: {scroll} px wide at {inner} px"


@pytest.mark.parametrize(
    ("locale", "heading", "search"),
    [
        ("en-GB", "Report a problem", "Search services"),
        ("it-IT", "Segnala un problema", "Cerca servizi"),
    ],
)
def test_home_page_in_both_languages(browser, live_server, cat, charlie, locale, heading, search):  # noqa: F811
    filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "large"}, description="Buca", **INSIDE_MONTALTO
        ),
    )
    context = browser.new_context(
        bypass_csp=True, locale=locale, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name=heading).count() == 1
    assert_accessible(page)
    _fits(page)
    page.get_by_label(search).fill("pothole")
    page.get_by_label(search).press("Enter")
    page.wait_for_load_state()
    assert "/services/?q=pothole" in page.url
    context.close()


def test_paginated_queue_at_1280_by_keyboard(page, cat, olga):  # noqa: F811
    make_cases(cat.pothole, 120)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in_as(page, olga)
    page.goto(page.base_url + "/staff/montalto/cases/")
    results = page.locator("#queue-results")
    assert results.get_by_role("heading", name="Cases 1–50 of 120").count() == 1
    assert page.locator("table.queue-table tbody tr").count() == 50
    _fits(page)
    table_box = page.evaluate(
        "(() => { const w = document.querySelector('.queue-table-wrapper');"
        " return [w.scrollWidth, w.clientWidth]; })()"
    )
    assert table_box[0] <= table_box[1], "the table overflows its box at 1280 px"
    assert_accessible(page)

    # Past the breadcrumb, a skip link (shown when focused) takes focus to the results.
    page.locator("main nav.breadcrumb-container a").last.focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the cases")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to the cases"
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "queue-results"

    pages = page.get_by_role("navigation", name="Work queue pages")
    assert pages.get_by_role("link", name="Page 1").get_attribute("aria-current") == "page"
    pages.get_by_role("link", name="Next page").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "page=2" in page.url
    assert page.evaluate("document.activeElement.id") == "queue-results"
    assert results.get_by_role("heading", name="Cases 51–100 of 120").count() == 1
    assert pages.get_by_role("link", name="Page 2").get_attribute("aria-current") == "page"
    _fits(page)
    assert_accessible(page)

    # Bulk actions act on the rows ticked on this page.
    first = page.locator("table.queue-table tbody tr").first.locator("input[name=case]")
    first.check()
    page.get_by_label("Assign to").select_option(str(olga.pk))
    page.get_by_role("button", name="Assign selected").click()
    page.wait_for_load_state()
    assert "1 case done." in page.locator(".messages").inner_text()
