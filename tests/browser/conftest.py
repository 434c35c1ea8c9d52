"""Headless Debian chromium driven by Playwright (no browser download), with axe-core checks.

Under CI=true a missing chromium fails the run; elsewhere browser tests skip with a visible reason.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test itself
# (creating data, reading results) are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("INSIEME_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} not found (run `make chromium` as root)")
    if not AXE.exists():
        _unavailable(f"{AXE} not found (run `make assets`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _server_quiet_before_flush(request):
    """A test may end while the browser still waits for an answer (a search typed, a page that
    fetches more). The live server would then be reading a table on the connection that the
    database's teardown empties, and the flush fails ("database table is locked"), taking the next
    test with it. So, before that teardown: close every browser context of the test, then wait
    until the server's request threads have finished."""
    if "browser" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so torn down after this
    yield
    for context in list(request.getfixturevalue("browser").contexts):
        context.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        busy = [t for t in threading.enumerate() if t.name.endswith("(process_request_thread)")]
        if not busy:
            return
        try:
            busy[0].join(timeout=0.1)
        except RuntimeError:  # started a moment ago, not running yet: not joinable
            time.sleep(0.05)
    pytest.fail("the live server was still answering a request 30 s after the test ended")


@pytest.fixture
def page(browser, live_server):
    # bypass_csp lets the test inject axe-core; the app's own pages never need it.
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the current page for WCAG 2.1 A and AA; return the violations.

    A click on a link returns before the next page has loaded: injecting axe-core in
    between finds no document head, or loses its context when the old page goes. So the
    page's load is awaited first, and a run that the navigation cut short is tried again
    on the page that replaced it.
    """
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                WCAG_TAGS,
            )
        except PlaywrightError as error:
            navigating = "appendChild" in str(error) or "context was destroyed" in str(error)
            if not navigating or attempt == 2:
                raise
            page.wait_for_timeout(200)
            continue
        return result["violations"]
    raise AssertionError("unreachable")


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    if violations:
        lines = [f"{page.url}:"]
        for v in violations:
            targets = "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
            lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} -> {targets}")
        pytest.fail("\n".join(lines))


def log_in(page, email: str, password: str, check_accessible: bool = True) -> None:
    """Log in through the login form, as a person would."""
    page.goto(page.base_url + "/accounts/login/")
    if check_accessible:
        assert_accessible(page)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if "/accounts/two-step/" in page.url:
        give_second_factor(page, email, check_accessible)
    assert page.get_by_role("button", name="Log out").count() == 1, page.content()[:2000]


def give_second_factor(page, email: str, check_accessible: bool = True) -> None:
    """The second step of signing in, as a person with an authenticator app does it: on the set-up
    page, type the key shown into the "app" (computed here) and confirm; on the code page, enter
    the code the app shows."""
    from insieme.core import twofactor
    from insieme.core.models import User

    user = User.objects.get(email__iexact=email)
    main = page.locator("main")
    if "/set-up/" in page.url:
        if check_accessible:
            assert_accessible(page)
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=False).latest("pk")
        assert twofactor.secret_text(device) == page.locator("#two-factor-key").inner_text()
        page.get_by_label("Code").fill(twofactor.current_code(device))
        main.get_by_role("button", name="Turn on two-step sign-in").click()
        page.wait_for_load_state()
        assert main.locator(".recovery-codes li").count() == 10
        if check_accessible:
            assert_accessible(page)
        main.get_by_role("link", name="I have saved them, continue").click()
    else:
        if check_accessible:
            assert_accessible(page)
        from tests.conftest import fresh_code

        page.get_by_label("Code").fill(fresh_code(twofactor.totp_device(user)))
        main.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def log_in_as(page, user) -> None:
    """Shortcut for pages checked after the login journey: reuse a test client's session."""
    from django.conf import settings
    from django.test import Client

    from tests.conftest import sign_in

    client = sign_in(Client(), user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base_url}]
    )
