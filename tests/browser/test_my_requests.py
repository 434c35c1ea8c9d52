"""A citizen follows up their request in a real browser: answers an information request with a
photo, later rates the resolved case; every page visited passes axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import pytest
from PIL import Image

from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import CaseEvent, Rating, Status
from tests.browser.conftest import assert_accessible, log_in
from tests.cases import conftest as cases_conftest
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

filed_case = cases_conftest.filed_case  # the cases' fixture: Charlie's pothole report


def test_citizen_answers_an_information_request_and_rates(page, filed_case, charlie, bob, tmp_path):
    case = filed_case
    handling_actions.change_status(bob, case, Status.IN_PROGRESS)
    handling_actions.request_information(bob, case, text="Please send a photo.", field_code="depth")
    photo = tmp_path / "hole.png"
    Image.new("RGB", (16, 16), (90, 90, 90)).save(photo)

    log_in(page, charlie.email, PASSWORD)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My requests"
    ).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My requests"
    assert_accessible(page)

    page.get_by_role("link", name=case.reference).click()
    page.wait_for_load_state()
    assert "Please send a photo." in page.content()
    assert "How deep is it, in centimetres?" in page.content()
    assert_accessible(page)

    # An empty answer is refused with an alert, and nothing changes.
    page.get_by_role("button", name="Send the information").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() >= 1
    assert_accessible(page)

    page.get_by_label("Your answer").fill("About 20 cm deep; photo attached.")
    page.get_by_label("Files").set_input_files(str(photo))
    page.get_by_role("button", name="Send the information").click()
    page.wait_for_load_state()
    assert "your answer was sent" in page.content()
    assert "About 20 cm deep" in page.content()
    assert_accessible(page)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.INFO_PROVIDED)
    assert event.attachments.count() == 1

    # The administration resolves it; the citizen rates the outcome.
    handling_actions.change_status(bob, case, Status.RESOLVED, note="Filled in.")
    page.reload()
    rating = page.get_by_role("group", name="How satisfied are you with the outcome?")
    rating.locator("label", has_text="4 – good").click()  # the styled label covers the radio
    assert rating.get_by_label("4 – good").is_checked()
    page.get_by_label("Comment (optional)").fill("Quick, thank you.")
    assert_accessible(page)
    page.get_by_role("button", name="Send the rating").click()
    page.wait_for_load_state()
    assert "You rated the outcome 4 out of 5." in page.content()
    assert page.get_by_role("button", name="Send the rating").count() == 0
    assert_accessible(page)
    assert Rating.objects.get(case=case).score == 4

    # The public page of the report: status and timeline, no personal data.
    page.goto(page.base_url + f"/cases/{case.administration.slug}/{case.reference}/")
    assert "Charlie" not in page.locator("main").inner_text()
    assert "Filled in." in page.content()
    assert_accessible(page)


def test_withdraw_confirmation_is_accessible(page, cat, charlie):
    case, _ = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "small"}, description="Hole", lat=43.1, lon=11.1
        ),
    )
    log_in(page, charlie.email, PASSWORD, check_accessible=False)
    page.goto(page.base_url + f"/my/requests/{case.administration.slug}/{case.reference}/")
    page.get_by_role("link", name="Withdraw this request").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Why do you withdraw it? (optional)").fill("Fixed meanwhile")
    page.get_by_role("button", name="Withdraw the request").click()
    page.wait_for_load_state()
    assert "Your request was withdrawn." in page.content()
    assert_accessible(page)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
