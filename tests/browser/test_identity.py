"""Sign-in with a digital identity in a real browser, against the real test provider
(tests/identity/provider): the button on the login page, the provider's own login and consent
pages, back signed in; signing out through the provider; in English and in Italian; a refused
consent. Our pages are checked with axe-core (the provider's are not ours)."""

from __future__ import annotations

import copy

import pytest

from insieme.core.models import User
from insieme.identity.models import Identity
from tests.browser.conftest import assert_accessible
from tests.conftest import make_user
from tests.identity.conftest import oidc, provider  # noqa: F401  (fixtures)
from tests.identity.provider.people import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

START = "a[href^='/accounts/oidc/authenticate/']"


@pytest.fixture
def site(oidc, live_server, settings):  # noqa: F811
    """This site (the live server) registered at the provider, with the content security policy
    that settings.py makes for a configured provider (signing out is a form's redirect there)."""
    oidc.register(
        redirect_uri=f"{live_server.url}/accounts/oidc/callback/",
        logout_uri=f"{live_server.url}/",
    )
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], oidc.url]
    settings.CONTENT_SECURITY_POLICY = policy
    return oidc


@pytest.fixture
def strict_page(browser, live_server):
    """A page whose browser enforces our content security policy (the shared `page` fixture
    bypasses it to inject axe-core): the sign-out redirect must pass it."""
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def _at_provider(page, site, username: str, button: str = "Allow") -> None:
    page.wait_for_load_state()
    assert page.url.startswith(site.url), page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def _signed_in(page) -> bool:
    return page.locator("header form[action='/accounts/logout/'] button").count() == 1


def test_sign_in_with_the_provider_and_sign_out_in_english(page, site):
    page.goto(page.base_url + "/accounts/login/?next=/my/requests/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign in with Test ID").click()
    _at_provider(page, site, "anna")
    assert page.url == page.base_url + "/my/requests/"
    assert _signed_in(page)
    assert_accessible(page)
    anna = User.objects.get(email="anna.neri@example.org")
    assert anna.preferred_language == "en"
    assert Identity.objects.filter(user=anna).exists()

    page.goto(page.base_url + "/accounts/")
    assert page.get_by_text(site.issuer).count() == 1  # the linked identity is listed
    assert_accessible(page)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    # Through the provider's end-session endpoint and back to our home page, signed out.
    assert page.url == page.base_url + "/"
    assert not _signed_in(page)
    assert page.get_by_text("You have logged out.").count() == 1


def test_sign_in_with_the_provider_and_sign_out_in_italian(browser, live_server, site):
    make_user("giulia.bianchi@example.org", "Giulia Bianchi", preferred_language="it")
    context = browser.new_context(bypass_csp=True, locale="it-IT")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "it"
    assert_accessible(page)
    page.locator(START).click()
    _at_provider(page, site, "giulia")
    assert page.url == live_server.url + "/"
    assert page.locator("html").get_attribute("lang") == "it"
    assert _signed_in(page)
    assert_accessible(page)
    assert page.locator("header a[href='/accounts/']").inner_text() == "Giulia"
    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/"
    assert not _signed_in(page)
    assert page.locator("html").get_attribute("lang") == "it"
    context.close()


def test_signing_out_through_the_provider_passes_the_content_security_policy(strict_page, site):
    page = strict_page
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_role("link", name="Sign in with Test ID").click()
    _at_provider(page, site, "anna")
    assert _signed_in(page)
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert page.url == page.base_url + "/", blocked
    assert not _signed_in(page)
    assert not blocked


def test_a_refused_consent_in_the_browser(page, site):
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_role("link", name="Sign in with Test ID").click()
    _at_provider(page, site, "anna", button="Decline")
    assert page.url.startswith(page.base_url + "/accounts/oidc/callback/")
    assert page.get_by_role("heading", name="Sign-in did not succeed").count() == 1
    assert not _signed_in(page)
    assert_accessible(page)
    # Trying again works.
    page.get_by_role("link", name="Sign in with Test ID again").click()
    page.get_by_role("button", name="Allow").click()  # still signed in at the provider
    page.wait_for_load_state()
    assert _signed_in(page)
