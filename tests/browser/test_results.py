"""Results in a real browser (Debian's chromium): a citizen follows a result and sees it
confirmed; a service manager records progress on a part and the plan's rolled-up progress shows.
axe-core finds no WCAG 2.1 A/AA violation on the pages visited."""

from __future__ import annotations

import pytest

from insieme.results import actions
from insieme.results.models import Result, ResultFollow
from tests.browser.conftest import assert_accessible, log_in_as

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_citizen_follows_a_result(page, montalto, carla, charlie):
    result = actions.create_result(
        carla,
        montalto,
        title="Nuove panchine",
        translations={"en": {"title": "New benches"}},
    )
    actions.set_progress(carla, result, progress=40, note="Ordinate le panchine.")
    url = f"{page.base_url}/results/montalto/{result.pk}/"

    page.goto(url)
    assert page.get_by_role("link", name="Log in to follow this result").count() == 1
    assert_accessible(page)

    log_in_as(page, charlie)
    page.goto(url)
    assert "40% done" in page.locator("main").inner_text()
    page.get_by_role("button", name="Follow this result").click()
    page.wait_for_load_state()
    assert "You follow this result" in page.locator(".messages").inner_text()
    assert page.get_by_role("button", name="Stop following").count() == 1
    assert ResultFollow.objects.filter(user=charlie, result=result).exists()
    assert_accessible(page)


def test_a_service_manager_records_progress_and_the_plan_rolls_up(page, montalto, carla):
    plan = actions.create_result(carla, montalto, title="Piano del verde")
    trees = actions.create_result(carla, montalto, title="Alberi", parent=plan, weight=3)
    actions.create_result(carla, montalto, title="Aiuole", parent=plan, weight=1)

    log_in_as(page, carla)
    page.goto(f"{page.base_url}/staff/montalto/results/{trees.pk}/")
    assert_accessible(page)
    page.get_by_label("Progress (%)").fill("80")
    page.get_by_label("What happened (published on the result's page)").fill("Piantati 40 alberi.")
    page.get_by_role("button", name="Record progress").click()
    page.wait_for_load_state()
    assert "The progress is recorded." in page.locator(".messages").inner_text()

    page.goto(f"{page.base_url}/results/montalto/{plan.pk}/")
    assert "60% done" in page.locator("main").inner_text()  # (80*3 + 0*1) / 4
    assert page.locator("progress").first.get_attribute("value") == "60"
    assert Result.objects.get(pk=plan.pk).progress == 60
    assert_accessible(page)
