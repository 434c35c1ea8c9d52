"""Casting a budget ballot in a real browser (Debian's chromium): a citizen verifies themselves
against the resident register, opens the ballot, picks projects and watches the live total, sees
the over-budget message, then casts a valid ballot and sees the confirmation. axe-core finds no
WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import pytest

from insieme.budgets import actions
from insieme.budgets.models import Ballot
from insieme.participation.models import PhaseKind
from tests.browser.conftest import assert_accessible, log_in_as
from tests.budgets.conftest import (
    REGISTER_CSV,
    SARA_CF,
    add_projects,
    budget_url,
    make_budget,
)
from tests.conftest import make_user
from tests.participation.conftest import make_process

pytestmark = pytest.mark.django_db(transaction=True)


def tick(page, project) -> None:
    """Tick or untick a project's box by clicking its label, as a person does (the design
    system draws the box on the label)."""
    page.locator(f"label[for=project-{project.pk}]").click()


def test_casting_a_budget_ballot(page, montalto, carla, elena):
    process = make_process(montalto, carla, slug="bilancio", current=PhaseKind.VOTING)
    budget = make_budget(process, carla)
    projects = add_projects(budget, carla)  # 60k, 30k, 25k, 10k of 100k
    actions.upload_register(elena, montalto, REGISTER_CSV)
    sara = make_user("sara@example.org", "Sara Rossi")

    # The budget page, to a visitor.
    page.goto(page.base_url + budget_url(budget))
    assert page.get_by_role("link", name="Log in to vote").count() == 1
    assert_accessible(page)

    # Signed in but not verified: the way to verify.
    log_in_as(page, sara)
    page.goto(page.base_url + budget_url(budget))
    page.get_by_role("link", name="Verify that you are a resident").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Fiscal code").fill(SARA_CF)
    page.get_by_label("Birth date").fill("1980-01-01")
    page.get_by_role("button", name="Verify me").click()
    page.wait_for_load_state()
    assert "/ballot/" in page.url  # back to the ballot it came from
    assert_accessible(page)

    # The live total follows the boxes; over the budget, the warning shows.
    total = page.locator("#ballot-total")
    tick(page, projects[0])
    tick(page, projects[1])
    assert "90,000" in total.inner_text()
    assert page.locator("[data-over]").is_hidden()
    tick(page, projects[2])
    assert "115,000" in total.inner_text()
    assert page.locator("[data-over]").is_visible()
    assert_accessible(page)

    # Cast over the budget: refused, with the amounts.
    page.get_by_role("button", name="Cast my ballot").click()
    page.wait_for_load_state()
    assert "more than the budget of €" in page.locator("#error-summary").inner_text()
    assert not Ballot.objects.exists()
    assert_accessible(page)

    # One box less: it fits, and is cast.
    tick(page, projects[2])
    tick(page, projects[3])
    assert page.locator("[data-over]").is_hidden()
    page.get_by_role("button", name="Cast my ballot").click()
    page.wait_for_load_state()
    assert "Thank you: your ballot is cast." in page.locator("#ballot-cast").inner_text()
    assert_accessible(page)
    ballot = Ballot.objects.get(voter=sara)
    assert sorted(ballot.choices.values_list("project_id", flat=True)) == sorted(
        [projects[0].pk, projects[1].pk, projects[3].pk]
    )
