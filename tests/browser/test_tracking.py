"""The private tracking page of a filer without an account, in a real browser: accessible in
both languages, and its 429 page once an address has tried too many wrong links."""

from __future__ import annotations

import pytest
from django.conf import settings

from insieme.cases import tracking
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.catalog import actions as catalog_actions
from insieme.core import throttle
from tests.browser.conftest import assert_accessible
from tests.cases.conftest import INSIDE_MONTALTO
from tests.catalog.conftest import cat  # noqa: F401 (the catalogue fixture)


@pytest.fixture
def tracked_case(cat):  # noqa: F811
    catalog_actions.update_service(None, cat.pothole, anonymous_allowed=True)
    case, _created = filing_actions.submit_case(
        None,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large"},
            description="Buca davanti a casa mia",
            contact_email="ada@example.org",
            **INSIDE_MONTALTO,
        ),
    )
    handling_actions.change_status(None, case, "in_progress")
    handling_actions.request_information(None, case, text="How deep is it?", field_code="depth")
    return case


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "The administration needs more information"), ("it", "L'amministrazione")],
)
def test_tracking_page(page, tracked_case, language, heading):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.base_url}]
    )
    response = page.goto(page.base_url + tracking.tracking_path(tracked_case))
    assert response.status == 200 and response.headers["referrer-policy"] == "no-referrer"
    assert tracked_case.reference in page.get_by_role("heading", level=1).inner_text()
    assert heading in page.locator("#info-heading").inner_text()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Too many requests"), ("it", "Troppe richieste")]
)
def test_429_after_wrong_links(page, tracked_case, settings, monkeypatch, language, heading):
    settings.LOGIN_RATE_LIMIT = 2
    monkeypatch.setattr(throttle, "clock", lambda: 1_000_000_050.0)  # one window throughout
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.base_url}]
    )
    for i in range(2):
        assert page.goto(page.base_url + f"/track/wrong-{i}.x/").status == 404
    response = page.goto(page.base_url + tracking.tracking_path(tracked_case))
    assert response.status == 429
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_accessible(page)
