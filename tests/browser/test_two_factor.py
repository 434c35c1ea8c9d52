"""Two-step sign-in in a real browser, in English and in Italian, checked with axe-core: an
administrator sets up the authenticator app at first sign-in, saves the recovery codes, and signs
in with a code the next time; the two-step page of the account is accessible too."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from insieme.core import twofactor
from tests.browser.conftest import assert_accessible, log_in, log_in_as
from tests.conftest import PASSWORD, fresh_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_sets_up_the_app_then_signs_in_with_a_code(page, alice):
    # First sign-in: the password, then the set-up page, the recovery codes, then the staff area
    # (log_in checks each page with axe-core).
    log_in(page, alice.email, PASSWORD)
    assert page.url.endswith("/")
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).count() == 1
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    # Next time: the password, then the code page.
    page.goto(page.base_url + "/accounts/login/?next=/staff/")
    page.get_by_label("E-mail address").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/accounts/two-step/code/" in page.url
    assert_accessible(page)
    page.get_by_label("Code").fill(fresh_code(twofactor.totp_device(alice)))
    page.locator("main").get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.url.endswith("/staff/")


def test_the_two_step_page_of_the_account_is_accessible(page, alice):
    log_in_as(page, alice)
    response = page.goto(page.base_url + "/accounts/two-step/")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Two-step sign-in"
    assert_accessible(page)


def test_in_italian(browser, live_server, alice):
    context = browser.new_context(bypass_csp=True, locale="it-IT")
    context.add_cookies([{"name": "django_language", "value": "it", "url": live_server.url}])
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Indirizzo e-mail").fill(alice.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Accedi").click()
        page.wait_for_load_state()
        assert "/accounts/two-step/set-up/" in page.url
        assert page.locator("html").get_attribute("lang") == "it"
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Configura l'accesso in due passaggi"
        )
        assert_accessible(page)
        device = TOTPDevice.objects.get(user=alice, confirmed=False)
        page.get_by_label("Codice").fill(twofactor.current_code(device))
        page.locator("main").get_by_role("button", name="Attiva l'accesso in due passaggi").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "I suoi codici di recupero"
        assert_accessible(page)
        page.locator("main").get_by_role("link", name="Li ho salvati, continua").click()
        page.wait_for_load_state()

        page.context.clear_cookies()
        context.add_cookies([{"name": "django_language", "value": "it", "url": live_server.url}])
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Indirizzo e-mail").fill(alice.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Accedi").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "Accesso in due passaggi"
        assert_accessible(page)
        page.goto(live_server.url + "/accounts/two-step/")  # held: back to the code page
        assert "/accounts/two-step/code/" in page.url
        page.get_by_label("Codice").fill(fresh_code(twofactor.totp_device(alice)))
        page.locator("main").get_by_role("button", name="Continua").click()
        page.wait_for_load_state()
        page.goto(live_server.url + "/accounts/two-step/")
        assert page.get_by_role("heading", level=1).inner_text() == "Accesso in due passaggi"
        assert_accessible(page)
    finally:
        context.close()
