"""The workload view and assisted filing in a real browser (Debian's chromium): a supervisor sees
an overloaded officer and reassigns one of their cases in one click; an officer files for a
citizen at the counter. axe-core finds no WCAG 2.1 A/AA violation on these pages."""

from __future__ import annotations

import pytest

from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Case
from insieme.core import actions as core_actions
from insieme.core.permissions import Role
from tests.browser.conftest import assert_accessible, log_in_as
from tests.cases.conftest import INSIDE_MONTALTO
from tests.catalog.conftest import cat  # noqa: F401  (the catalogue fixture)
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_supervisor_reassigns_from_the_workload_view(page, cat, montalto, charlie):  # noqa: F811
    roads = cat.department
    sam = make_staff(montalto, Role.SUPERVISOR, "sam@m.example", "Sam Sup", department=roads)
    olga = make_staff(montalto, Role.OFFICER, "o1@m.example", "Olga One", department=roads)
    otto = make_staff(montalto, Role.OFFICER, "o3@m.example", "Otto Three", department=roads)
    core_actions.update_membership(None, olga.memberships.get(), capacity=2)
    core_actions.update_membership(None, otto.memberships.get(), capacity=5)
    core_actions.update_membership(None, sam.memberships.get(), capacity=0)
    cases = [
        filing_actions.submit_case(
            charlie,
            filing_actions.Filing(
                cat.pothole, answers={"size": "small"}, description=f"Buca {i}", **INSIDE_MONTALTO
            ),
        )[0]
        for i in range(3)
    ]
    # test setup: all three on Olga (2 / 2 would be full; 3 / 2 is over capacity)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(assignee=olga)

    log_in_as(page, sam)
    page.goto(page.base_url + "/staff/montalto/workload/")
    assert_accessible(page)
    assert "Olga One" in page.locator("#alert-overload").inner_text()
    olga_row = page.locator(f"#person-{olga.pk}")
    assert "3 / 2" in olga_row.inner_text()
    button = page.get_by_role("button", name="to Otto Three").first
    button.click()
    page.wait_for_load_state()
    assert "is now with Otto Three" in page.locator(".messages").inner_text()
    assert "2 / 2" in page.locator(f"#person-{olga.pk}").inner_text()
    assert "1 / 5" in page.locator(f"#person-{otto.pk}").inner_text()
    assert_accessible(page)
    assert Case.objects.filter(assignee=otto).count() == 1


def test_officer_files_for_a_citizen_at_the_counter(page, cat, montalto, bob, charlie):  # noqa: F811
    from insieme.catalog import actions as catalog_actions

    catalog_actions.update_service(None, cat.pothole, channels=["web", "phone", "counter"])
    log_in_as(page, bob)
    page.goto(page.base_url + "/staff/montalto/assisted/")
    assert_accessible(page)
    page.get_by_role("link", name=cat.pothole.name).click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("The citizen's account e-mail").fill(charlie.email)
    page.locator("label[for=id_channel_0]").click()  # Bootstrap Italia styles the label
    page.locator("label[for=id_attr_size_1]").click()
    page.get_by_label("Describe the problem or your request").fill("Buca allo sportello")
    page.get_by_label("Latitude").fill(str(INSIDE_MONTALTO["lat"]))
    page.get_by_label("Longitude").fill(str(INSIDE_MONTALTO["lon"]))
    page.get_by_role("button", name="File on the citizen's behalf").click()
    page.wait_for_load_state()
    # without consent nothing is filed
    assert page.locator("#error-summary").count() == 1
    assert not Case.objects.exists()
    assert_accessible(page)
    page.locator("label[for=id_consent_noted]").click()
    page.get_by_role("button", name="File on the citizen's behalf").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert page.locator("#case-reference").inner_text() == case.reference
    assert case.channel == "counter" and case.filed_by == bob and case.submitted_by == charlie
    assert_accessible(page)
