"""An officer handles a case in a real browser, from assignment to resolution: assigns it to
herself, replies from a response template, moves it along, asks the citizen for missing
information (the citizen answers on "My requests"), hands it off to another department, which
sends it back, and resolves it. Every case page visited passes axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import re

import pytest

from insieme.cases.models import Case, CaseEvent, Handoff, ResponseTemplate, Status, TimeLog
from insieme.core import actions as core_actions
from insieme.core.permissions import Role
from tests.browser.conftest import assert_accessible, log_in, log_in_as
from tests.cases import conftest as cases_conftest
from tests.conftest import PASSWORD, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

filed_case = cases_conftest.filed_case  # Charlie's pothole report, led by Roads


def _goto_case(page, case) -> None:
    page.goto(page.base_url + f"/staff/{case.administration.slug}/cases/{case.reference}/")
    page.wait_for_load_state()


def _submit(page, section: str, button: str) -> None:
    page.get_by_role("region", name=section).get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_officer_handles_a_case_from_assignment_to_resolution(
    page, filed_case, cat, montalto, charlie
):
    case = filed_case
    rosa = make_staff(
        montalto,
        Role.OFFICER,
        "rosa@montalto.example",
        "Rosa Roads",
        department=cat.department,
    )
    parks = core_actions.create_department(None, montalto, name="Parks", code="parks")
    paolo = make_staff(
        montalto, Role.OFFICER, "paolo@montalto.example", "Paolo Parks", department=parks
    )
    ResponseTemplate.objects.create(
        administration=montalto,
        service=cat.pothole,
        name="Repair scheduled",
        body="Dear {name}, the repair of {reference} is scheduled.",
        status=Status.ACKNOWLEDGED,
    )

    # The officer logs in and opens the case: nobody has it yet.
    log_in(page, rosa.email, PASSWORD, check_accessible=False)
    _goto_case(page, case)
    assert page.get_by_role("heading", level=1).inner_text() == f"Case {case.reference}"
    assert "Nobody: in the department's queue" in page.locator("#case-assignee").inner_text()
    assert_accessible(page)

    # Assign to me.
    _submit(page, "Assignment", "Assign to me")
    assert "The case is assigned to you." in page.content()
    assert "Rosa Roads" in page.locator("#case-assignee").inner_text()

    # A reply from a template: the preview fills the placeholders; the officer edits it.
    reply = page.get_by_role("region", name="Reply or internal note")
    reply.get_by_label("Response template").select_option(label="Repair scheduled")
    reply.get_by_role("button", name="Use this template").click()
    page.wait_for_load_state()
    reply = page.get_by_role("region", name="Reply or internal note")
    text = reply.get_by_label("Text")
    assert text.input_value() == (
        f"Dear Charlie Citizen, the repair of {case.reference} is scheduled."
    )
    assert_accessible(page)
    text.fill(text.input_value() + " We will be there next week.")
    reply.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert "The reply was sent." in page.content()
    assert "Acknowledged" in page.locator("#case-status").inner_text()
    timeline = page.locator("#timeline")
    assert "We will be there next week." in timeline.inner_text()

    # An internal note is labelled as such and left out of the citizen's exchange.
    reply = page.get_by_role("region", name="Reply or internal note")
    reply.locator("label", has_text="Internal note").click()
    reply.get_by_label("Text").fill("The asphalt crew is booked for Tuesday.")
    reply.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert "The internal note was saved." in page.content()
    note = page.locator("#timeline li", has_text="asphalt crew")
    assert note.locator(".badge", has_text="Internal").count() == 1
    page.get_by_role("link", name="Exchange with the citizen").click()
    page.wait_for_load_state()
    assert "asphalt crew" not in page.locator("#timeline").inner_text()
    assert "next week" in page.locator("#timeline").inner_text()
    assert_accessible(page)

    # In progress.
    status = page.get_by_role("region", name="Status")
    status.get_by_label("New status").select_option(label="In progress")
    status.get_by_role("button", name="Change the status").click()
    page.wait_for_load_state()
    assert "In progress" in page.locator("#case-status").inner_text()

    # Ask the citizen for the missing depth: the SLA pauses.
    info = page.get_by_role("region", name="Ask the citizen for missing information")
    info.get_by_label("What is missing").select_option(
        label="How deep is it, in centimetres? (depth)"
    )
    info.get_by_label("Message to the citizen").fill("How deep is the hole?")
    info.get_by_role("button", name="Ask the citizen").click()
    page.wait_for_load_state()
    assert "SLA paused" in page.locator("#case-due").inner_text()
    assert_accessible(page)

    # The citizen answers on "My requests".
    page.context.clear_cookies()
    log_in_as(page, charlie)
    page.goto(page.base_url + f"/my/requests/{case.administration.slug}/{case.reference}/")
    assert "How deep is the hole?" in page.content()
    page.get_by_label("Your answer").fill("About 20 cm.")
    page.get_by_role("button", name="Send the information").click()
    page.wait_for_load_state()
    assert "your answer was sent" in page.content()

    # Back to the officer: the answer is on the timeline, the case back in progress.
    page.context.clear_cookies()
    log_in_as(page, rosa)
    _goto_case(page, case)
    answer = page.locator("#timeline li", has_text="About 20 cm.")
    assert answer.locator(".badge", has_text="From the citizen").count() == 1
    assert "In progress" in page.locator("#case-status").inner_text()
    assert "SLA paused" not in page.locator("#case-due").inner_text()

    # A hand-off to Parks, which sends it back.
    departments = page.get_by_role("region", name="Other departments")
    departments.get_by_text("Hand off to another department").click()
    departments.get_by_label("Hand off to").select_option(label="Parks")
    departments.get_by_label("Reason").fill("The roots of the plane tree lifted the asphalt.")
    departments.get_by_role("button", name="Hand off").click()
    page.wait_for_load_state()
    assert "it stays here until they accept it" in page.content()
    assert "A hand-off to Parks waits for their answer." in page.content()
    assert_accessible(page)

    page.context.clear_cookies()
    log_in_as(page, paolo)  # an officer of Parks, the receiving department
    _goto_case(page, case)
    pending = page.get_by_role("region", name="Hand-off waiting for an answer")
    assert "plane tree" in pending.inner_text()
    assert_accessible(page)
    pending.get_by_label("Why do you send it back?").fill("The asphalt is the road's.")
    pending.get_by_role("button", name="Send it back").click()
    page.wait_for_load_state()
    assert "The case was sent back to Roads." in page.content()
    handoff = Handoff.objects.get(case=case)
    assert handoff.state == Handoff.State.RETURNED

    # The officer logs her time (prefilled from the cost model) and resolves the case.
    page.context.clear_cookies()
    log_in_as(page, rosa)
    _goto_case(page, case)
    assert "Sent back because: The asphalt is the road's." in page.content()
    time = page.get_by_role("region", name="Log time")
    assert time.get_by_label("Minutes").input_value() == "12"
    time.get_by_label("Minutes").fill("25")
    time.get_by_role("button", name="Log the time").click()
    page.wait_for_load_state()
    assert "25 minutes logged." in page.content()
    status = page.get_by_role("region", name="Status")
    status.get_by_label("New status").select_option(label="Resolved")
    status.get_by_label("Public note (optional)").fill("Repaired.")
    status.get_by_role("button", name="Change the status").click()
    page.wait_for_load_state()
    assert re.search(r"The status is now .Resolved.", page.content())
    assert_accessible(page)

    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.RESOLVED
    assert case.assignee_id == rosa.pk
    assert case.department_id == cat.department.pk
    assert case.staff_minutes == 25 and TimeLog.objects.filter(case=case).count() == 1
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    for kind in ("assigned", "public_reply", "internal_note", "info_requested", "info_provided"):
        assert kind in kinds
    assert "handoff" in kinds and "handoff_returned" in kinds
    assert parks.pk == handoff.to_department_id


def test_bad_input_and_stale_form_are_accessible(page, filed_case, bob):
    case = filed_case
    log_in_as(page, bob)
    _goto_case(page, case)
    # Empty minutes: the error sits next to the field and the page stays accessible.
    time = page.get_by_role("region", name="Log time")
    time.get_by_label("Minutes").fill("")
    time.get_by_role("button", name="Log the time").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() >= 1
    assert_accessible(page)
    # Someone else changes the case while the page is open: the form comes back with 409.
    from insieme.cases.handling import actions as handling_actions

    handling_actions.change_status(bob, Case.objects.get(pk=case.pk), Status.ACKNOWLEDGED)
    status = page.get_by_role("region", name="Status")
    status.get_by_label("New status").select_option(label="In progress")
    status.get_by_role("button", name="Change the status").click()
    page.wait_for_load_state()
    assert "Someone else changed this case meanwhile" in page.content()
    assert_accessible(page)
    assert Case.objects.get(pk=case.pk).status == Status.ACKNOWLEDGED


def test_application_decision_and_merge_suggestions_are_accessible(
    page, cat, montalto, charlie, bob
):
    from insieme.cases.filing import actions as filing_actions
    from insieme.catalog import actions as catalog_actions
    from insieme.catalog.models import Service

    service = catalog_actions.create_service(
        None,
        montalto,
        code="permit",
        name="Parking permit",
        group="Mobility",
        kind="application",
        located=False,
        channels=["web"],
        department=cat.department,
        status=Service.Status.PUBLISHED,
    )
    catalog_actions.add_trace(None, service, provision=cat.provision)
    application, _created = filing_actions.submit_case(
        charlie, filing_actions.Filing(service, description="Permit please")
    )
    log_in_as(page, bob)
    _goto_case(page, application)
    decision = page.get_by_role("region", name="Decision")
    decision.locator("label", has_text="Refused").click()
    decision.get_by_label("Reasons").fill("The street is not in a permit zone.")
    decision.get_by_label("Provision applied").select_option(index=1)
    assert_accessible(page)
    decision.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert "The decision was recorded: Refused." in page.content()
    assert_accessible(page)
    assert Case.objects.get(pk=application.pk).status == Status.REFUSED

    # Two reports of one pothole: the second's page suggests merging it into the first.
    first, _ = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large"},
            description="Buca in via Roma 12",
            **cases_conftest.INSIDE_MONTALTO,
        ),
    )
    second, _ = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large"},
            description="Buca in via Roma 12",
            **cases_conftest.INSIDE_MONTALTO,
        ),
    )
    _goto_case(page, second)
    merge = page.get_by_role("region", name="Merge a duplicate")
    assert first.reference in merge.inner_text()
    assert_accessible(page)
    merge.get_by_role("button", name=f"Merge this case into {first.reference}").click()
    page.wait_for_load_state()
    assert f"This case was closed as a duplicate of {first.reference}." in page.content()
    assert_accessible(page)
    assert Case.objects.get(pk=second.pk).duplicate_of_id == first.pk
