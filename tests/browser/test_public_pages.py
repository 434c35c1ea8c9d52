"""Public pages in a real browser: language switch, skip link, accessibility."""

from tests.browser.conftest import assert_accessible


def test_home_is_accessible_and_switches_language(page, db):
    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)
    page.select_option("#language-select", "it")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "it"
    assert_accessible(page)


def test_skip_link_reaches_main_by_keyboard(page, db):
    page.goto(page.base_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
