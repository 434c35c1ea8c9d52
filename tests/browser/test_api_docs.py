"""The REST API's documentation page works offline in a real browser and passes axe-core."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_render_the_schema_and_are_accessible(page):
    requests_elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: requests_elsewhere.append(r.url) if not r.url.startswith(page.base_url) else None,
    )
    page.goto(page.base_url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")  # the operations, from /api/schema/
    assert page.locator(".swagger-ui .opblock").count() >= 15
    assert requests_elsewhere == []  # no CDN
    assert_accessible(page)


def test_an_opened_operation_is_accessible_in_try_it_out_mode(page):
    """Opened, with "Try it out" pressed, the case list's operation shows its filters as inputs
    and its enum filters (status, kind, ordering) as selects: each has an accessible name."""
    page.goto(page.base_url + "/api/docs/")
    operation = page.locator(".swagger-ui .opblock-get").filter(
        has=page.locator(".opblock-summary-path", has_text="/api/v1/cases/")
    )
    operation.first.locator(".opblock-summary-control").click()
    page.get_by_role("button", name="Try it out").first.click()
    selects = page.locator(".swagger-ui .opblock-body select")
    selects.first.wait_for()
    assert selects.count() >= 2
    names = page.evaluate(
        "() => [...document.querySelectorAll('.opblock-body select')]"
        ".map(s => s.getAttribute('aria-label') || '')"
    )
    assert all(names), names
    assert any(name.startswith("Value of status") for name in names), names
    assert_accessible(page)
