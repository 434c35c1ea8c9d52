"""The dashboards in a real browser under the app's own Content Security Policy (no bypass), in
English then Italian: every chart is drawn (an SVG in an image labelled with its sentence), a
filter narrows the figures, the browser reports no CSP violation and no console error, and
axe-core finds no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import AXE, WCAG_TAGS, _unavailable, log_in_as
from tests.browser.test_languages import choose_language
from tests.browser.test_phone_and_csp import WATCH_CSP
from tests.dashboards.conftest import PERIOD, clock, insight, known  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def strict(browser, live_server):
    """A page under the app's real CSP, collecting CSP reports and console errors."""
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.base_url = live_server.url
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def check(page) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == [], page.url
    assert page.console_errors == [], page.url
    if not AXE.exists():
        _unavailable(f"{AXE} not found (run `make assets`)")
    page.evaluate(AXE.read_text())  # through the DevTools protocol, outside the page's CSP
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join('; ')}`)",
        WCAG_TAGS,
    )
    assert violations == [], f"{page.url}: {violations}"


def charts_drawn(page) -> int:
    boxes = page.locator(".dashboard-chart")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        assert box.is_visible()
        assert box.get_attribute("role") == "img"
        assert box.get_attribute("aria-label")
        assert box.locator("svg").count() >= 1
    return boxes.count()


def test_the_charts_render_and_filter_in_both_languages(strict, insight, dario):  # noqa: F811
    page = strict
    log_in_as(page, dario)
    query = "&".join(f"{k}={v}" for k, v in PERIOD.items())
    page.goto(page.base_url + "/staff/montalto/dashboards/?" + query)
    assert charts_drawn(page) == 19
    sentence = page.locator("#sentence-demand-weekly").inner_text()
    assert sentence.startswith("Requests rose 500%")  # A, B, C, F, G, H against D
    assert page.locator(".dashboard-chart").first.get_attribute("aria-label") == sentence
    check(page)

    page.get_by_label("Channel", exact=True).select_option(label="Phone")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "channel=phone" in page.url
    cells = page.locator("#table-demand-weekly tbody td").all_inner_texts()
    assert cells == ["0", "0", "1", "0"]
    assert charts_drawn(page) == 19
    check(page)

    choose_language(page, "Italiano", "Change")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Cruscotti")
    assert charts_drawn(page) == 19
    check(page)
