"""Staff and account pages in a real browser, checked with axe-core (WCAG 2.1 A and AA)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from insieme.core.models import Membership
from tests.browser.conftest import assert_accessible, log_in_as

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_PAGES = [
    "/staff/",
    "/staff/montalto/",
    "/staff/montalto/settings/",
    "/staff/montalto/departments/",
    "/staff/montalto/departments/new/",
    "/staff/montalto/people/",
    "/staff/montalto/people/invite/",
    "/staff/montalto/partners/",
    "/staff/montalto/partners/new/",
    "/staff/montalto/api-keys/",
    "/staff/montalto/api-keys/new/",
    "/staff/montalto/audit/",
    "/staff/montalto/scorecard/",
    "/accounts/",
    "/accounts/email/change/",
    "/accounts/password/change/",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_administrator_pages_are_accessible(path, page, alice):
    log_in_as(page, alice)
    response = page.goto(page.base_url + path)
    assert response.status == 200, path
    assert_accessible(page)


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/register/", "/accounts/password/reset/"]
)
def test_public_account_pages_are_accessible(path, page, db):
    response = page.goto(page.base_url + path)
    assert response.status == 200, path
    assert_accessible(page)


def test_scorecard_on_the_demo_region_is_accessible(page):
    call_command("demo", stdout=io.StringIO())
    supervisor = Membership.objects.filter(
        role="supervisor", administration__slug="valdoro"
    ).first()
    log_in_as(page, supervisor.user)
    page.goto(page.base_url + "/staff/valdoro/scorecard/?scope=hosted")
    assert page.get_by_role("heading", level=1).count() == 1
    assert "T3" in page.content()
    assert_accessible(page)
