"""Phones and the Content Security Policy, in a real browser.

At 320 and 390 px wide (WCAG 2.1 success criterion 1.4.10, Reflow, which axe does not check) no
main page scrolls sideways; a citizen files a report with the map at 390 px, follows it in My
requests and reads its public page, each page free of WCAG 2.1 A/AA violations. These pages run
under the app's own CSP (no bypass): the browser reports no violation, and the design system's
script is loaded per component, not as its whole bundle.
"""

from __future__ import annotations

import pytest

from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Case
from tests.browser.conftest import AXE, CHROMIUM, WCAG_TAGS, _unavailable
from tests.cases.conftest import INSIDE_MONTALTO
from tests.catalog.conftest import cat  # noqa: F401  (the catalogue fixture)

pytestmark = pytest.mark.django_db(transaction=True)

# Collected before any page script runs; the policy's own reports (securitypolicyviolation).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`.trim());
});
"""


@pytest.fixture
def phone(browser, live_server):
    """A page under the app's real CSP, 390 px wide, collecting CSP reports and console errors."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.base_url = live_server.url
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.scripts = []
    page.on(
        "request", lambda r: page.scripts.append(r.url) if r.resource_type == "script" else None
    )
    yield page
    context.close()


def check(page, width: int | None = None) -> None:
    """No sideways scrolling, no CSP report, no console error, no WCAG 2.1 A/AA violation."""
    if width:
        page.set_viewport_size({"width": width, "height": 844})
    page.wait_for_load_state("networkidle")
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{page.url} scrolls sideways at {inner} px ({scroll} px wide)"
    assert page.evaluate("window.__csp") == [], page.url
    assert page.console_errors == [], page.url  # CSP refusals, missing files, script errors
    if not AXE.exists():
        _unavailable(f"{AXE} not found (run `make assets`)")
    # Evaluated through the DevTools protocol, which the page's CSP does not govern.
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join('; ')}`)",
        WCAG_TAGS,
    )
    assert violations == [], f"{page.url}: {violations}"


OVERLAPS = """
() => {
  const boxes = (sel) => [...document.querySelectorAll(sel)]
    .filter((el) => el.offsetParent !== null)
    .map((el) => [el, el.getBoundingClientRect()]);
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
    && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const found = [];
  const others = boxes("main legend, main label, main p, main h1, main h2, main .map-picker, "
    + "main input:not([type=radio]):not([type=checkbox]), main textarea, main select");
  for (const [label, box] of boxes("main label")) {
    for (const [other, otherBox] of others) {
      if (other === label || label.contains(other) || other.contains(label)) continue;
      if (other.id && other.id === label.htmlFor) continue;  // a field drawn by its own label
      if (hit(box, otherBox)) found.push(`${label.textContent.trim()} / ${other.tagName} ${other.textContent.trim().slice(0, 30)}`);
    }
  }
  return found;
}
"""


def assert_no_overlapping_labels(page) -> None:
    assert page.evaluate(OVERLAPS) == [], page.url


def _log_in(page, user) -> None:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base_url}]
    )


def test_citizen_files_with_the_map_and_follows_up_on_a_phone(phone, cat, charlie):  # noqa: F811
    assert CHROMIUM
    page = phone
    _log_in(page, charlie)
    page.goto(page.base_url + "/services/montalto/pothole/file/")
    map_el = page.locator("#map-picker")
    map_el.wait_for(state="visible")
    check(page)
    assert_no_overlapping_labels(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_no_overlapping_labels(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("label[for=id_attr_size_1]").click()
    page.get_by_label("Describe the problem or your request").fill("Buca enorme in piazza")
    map_el.click()  # the map is fitted to Montalto: its centre lies inside
    assert page.get_by_label("Latitude").input_value() != ""
    page.get_by_role("button", name="File the request").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert page.locator("#case-reference").inner_text() == case.reference
    check(page)

    page.goto(page.base_url + "/my/requests/")
    assert page.get_by_role("link", name=case.reference).count() == 1
    check(page)
    check(page, 320)
    page.get_by_role("link", name=case.reference).click()
    page.wait_for_load_state()
    check(page, 390)

    page.goto(page.base_url + f"/cases/montalto/{case.reference}/")
    assert page.get_by_role("heading", level=1).count() == 1
    check(page)
    check(page, 320)
    # Only the design system's per-component modules, never its whole bundle.
    assert not [u for u in page.scripts if "bootstrap-italia.bundle" in u]
    assert [u for u in page.scripts if "/plugins/track-focus" in u]


@pytest.mark.parametrize("width", [320, 390])
def test_public_pages_reflow_without_csp_reports(phone, cat, alice, width):  # noqa: F811
    case, _ = filing_actions.submit_case(
        alice,
        filing_actions.Filing(
            cat.pothole, answers={"size": "large"}, description="Buca", **INSIDE_MONTALTO
        ),
    )
    page = phone
    page.set_viewport_size({"width": width, "height": 844})
    for path in [
        "/",
        "/services/",
        "/services/montalto/pothole/",
        "/services/montalto/pothole/file/",
        "/services/map/",
        f"/cases/montalto/{case.reference}/",
        "/accounts/login/",
        "/accounts/register/",
    ]:
        page.goto(page.base_url + path)
        check(page)


def test_staff_pages_reflow_on_a_phone(phone, cat, bob):  # noqa: F811
    page = phone
    _log_in(page, bob)
    for path in ["/staff/", "/staff/montalto/cases/"]:
        page.goto(page.base_url + path)
        check(page, 390)
        check(page, 320)
