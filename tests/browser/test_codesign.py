"""Adopting a service change in a real browser: a service manager opens the draft made from an
accepted idea, adds a field and a channel, previews the service beside the proposal, opens it
for comments, adopts it, and sees the service changed with the link back to the process and the
idea; the public sees the same link. axe-core finds no WCAG 2.1 A/AA violation on any page."""

from __future__ import annotations

import pytest

from insieme.codesign import actions
from insieme.codesign.models import ServiceChange
from insieme.participation import actions as participation
from tests.browser.conftest import assert_accessible, log_in_as
from tests.participation.conftest import make_idea, make_process

pytestmark = pytest.mark.django_db(transaction=True)


def test_adopting_a_service_change(page, montalto, carla, charlie, cat):
    process = make_process(montalto, carla, services=[cat.pothole])
    idea = make_idea(process, charlie, title="Dire se i pedoni sono in pericolo")
    participation.answer_idea(carla, idea, kind="accepted", text="Buona idea")
    change = actions.start_change(carla, cat.pothole, idea=idea, title="Pedoni e app")
    base = page.base_url
    staff = f"{base}/staff/montalto/co-design/{change.pk}/"

    log_in_as(page, carla)
    # The idea's staff page shows the work item and the proposal.
    page.goto(f"{base}/staff/montalto/participation/ideas/{idea.pk}/")
    assert page.get_by_role("heading", name="Work item and service changes").count() == 1
    assert_accessible(page)

    page.goto(staff)
    assert page.get_by_role("heading", name=change.title, level=1).count() == 1
    assert_accessible(page)

    # A field added to the report form...
    page.get_by_role("link", name="Add a field").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.fill("input[name=label]", "Il pericolo riguarda i pedoni?")
    page.fill("input[name=label__en]", "Are pedestrians at risk?")
    page.fill("input[name=code]", "pedestrians")
    page.select_option("select[name=datatype]", "singlevaluelist")
    page.fill("textarea[name=values]", "yes | Sì\nno | No")
    page.fill("textarea[name=values__en]", "yes | Yes\nno | No")
    page.get_by_role("button", name="Save the field in the proposal").click()
    page.wait_for_load_state()
    assert "The field is saved in the proposal." in page.content()

    # ...and a channel added.
    page.locator("label", has_text="App").first.click()
    assert page.get_by_label("App", exact=True).is_checked()
    page.get_by_role("button", name="Save channels and SLA").click()
    page.wait_for_load_state()
    assert "Channels and SLA are saved in the proposal." in page.content()
    assert_accessible(page)

    # The preview: the service now and as proposed, and the differences.
    page.get_by_role("link", name="Preview side by side").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="The service now").count() == 1
    assert page.get_by_role("heading", name="As proposed").count() == 1
    proposed_form = page.get_by_role("form", name="The form as proposed")
    assert proposed_form.get_by_text("Are pedestrians at risk?").count() == 1
    assert page.get_by_role("form", name="The form now").get_by_text("pedestrians").count() == 0
    assert page.get_by_role("cell", name="App", exact=True).count() == 1
    assert_accessible(page)

    page.goto(staff)
    page.get_by_role("button", name="Open for comments").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Adopt: change the service").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/staff/montalto/services/{cat.pothole.pk}/")
    assert "The proposal is adopted: the service has changed." in page.content()
    panel = page.locator("#codesign-staff-service").locator("..")
    assert "through co-design" in panel.inner_text()
    assert panel.get_by_role("link", name="Ideas for the parks").count() == 1
    assert panel.get_by_role("link", name=idea.title).count() == 1
    assert_accessible(page)

    change.refresh_from_db()
    assert change.status == ServiceChange.Status.ADOPTED
    assert cat.pothole.attributes.filter(code="pedestrians").exists()
    cat.pothole.refresh_from_db()
    assert "app" in cat.pothole.channels

    # The public service page links back to the process and the idea, and to what changed.
    page.goto(f"{base}/services/montalto/pothole/")
    panel = page.locator("#codesign-service").locator("..")
    assert panel.get_by_role("link", name=idea.title).count() == 1
    assert_accessible(page)
    panel.get_by_role("link", name="what changed").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="As proposed").count() == 1
    assert_accessible(page)
