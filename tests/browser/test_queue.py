"""The work queue in a real browser: an officer filters overdue cases, saves the view, and takes
two cases in bulk; axe-core finds no WCAG 2.1 A/AA violation on the queue page."""

from __future__ import annotations

import pytest

from insieme.cases.models import Case, DueState, SavedView
from tests.browser.conftest import assert_accessible, log_in, log_in_as

# Fixtures of the queue's own tests (staff_case_url: a stand-in case page, if still missing).
from tests.cases.handling.test_queue import (  # noqa: F401
    make_cases,
    olga,
    parks,
    roads,
    sara,
    staff_case_url,
)
from tests.catalog.conftest import cat  # noqa: F401
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_filters_saves_a_view_and_takes_cases_in_bulk(page, cat, olga, parks):  # noqa: F811
    late = make_cases(cat.pothole, 3, due_state=DueState.OVERDUE)
    on_time = make_cases(cat.pothole, 2)
    elsewhere = make_cases(cat.pothole, 1, department=parks, due_state=DueState.OVERDUE)
    log_in(page, olga.email, PASSWORD, check_accessible=False)
    page.goto(page.base_url + "/staff/montalto/cases/")
    assert page.get_by_role("heading", level=1).inner_text() == "Work queue"
    assert_accessible(page)
    table = page.locator("table.queue-table")
    assert table.locator("tbody tr").count() == 5
    assert elsewhere[0].reference not in table.inner_text()

    page.locator("label[for=id_overdue]").click()  # Bootstrap Italia draws the box on the label
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert table.locator("tbody tr").count() == 3
    assert on_time[0].reference not in table.inner_text()
    assert_accessible(page)

    page.get_by_label("Save these filters as").fill("My late cases")
    page.get_by_role("button", name="Save view").click()
    page.wait_for_load_state()
    assert "overdue=on" in SavedView.objects.get(user=olga).query.split("&")
    page.get_by_role("link", name="My late cases").click()
    page.wait_for_load_state()
    assert page.get_by_label("Overdue").is_checked()

    page.get_by_label(f"Select {late[0].reference}").check()
    page.get_by_label(f"Select {late[1].reference}").check()
    page.get_by_label("Assign to").select_option(str(olga.pk))
    page.get_by_role("button", name="Assign selected").click()
    page.wait_for_load_state()
    assert "2 cases done." in page.locator(".messages").inner_text()
    assert page.get_by_label("Overdue").is_checked()  # back on the same filters
    assert set(Case.objects.filter(assignee=olga).values_list("pk", flat=True)) == {
        late[0].pk,
        late[1].pk,
    }
    assert "Olga Roads" in table.inner_text()
    assert_accessible(page)


def test_supervisors_queue_with_errors_is_accessible(page, cat, sara):  # noqa: F811
    make_cases(cat.pothole, 2, due_state=DueState.DUE_SOON)
    log_in_as(page, sara)
    page.goto(page.base_url + "/staff/montalto/cases/?lat=43.1&submitted_from=nonsense")
    assert page.get_by_role("alert").count() == 1  # the filter errors, summarised
    assert page.get_by_label("Reason to assign beyond capacity").count() == 1
    assert_accessible(page)
