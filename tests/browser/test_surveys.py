"""Surveys in a real browser (Debian's chromium): a citizen finds the survey on a service's
page, sends it once with a required question left out (the error is at the question), then
answers and reaches the thank-you page; a service manager opens the results and downloads the
CSV. axe-core finds no WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import csv
import io

import pytest

from insieme.surveys.models import Response
from tests.browser.conftest import assert_accessible, log_in_as
from tests.surveys.conftest import make_service, make_survey

pytestmark = pytest.mark.django_db(transaction=True)


def choose(page, question: str, option: str) -> None:
    """Tick an option as a person does: by clicking its label (Bootstrap Italia draws the box)."""
    group = page.get_by_role("group", name=question)
    group.locator("label").get_by_text(option, exact=True).click()
    assert group.get_by_label(option, exact=True).is_checked()


def test_a_citizen_answers_and_a_manager_reads_the_results(page, montalto, carla, charlie):
    make_survey(montalto, carla, service=make_service(montalto))

    log_in_as(page, charlie)
    page.goto(page.base_url + "/services/montalto/parks/")
    page.get_by_role("link", name="Satisfaction").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Satisfaction", level=1).count() == 1
    assert_accessible(page)

    # The required scale is left out: the page says so at the question and keeps the rest.
    choose(page, "1. How did you use the service?", "At the counter")
    choose(page, "2. What would you improve?", "Opening hours")
    page.get_by_label("4. A suggestion?").fill("Più orari al sabato")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    assert "This question needs an answer." in page.locator("#error-summary").inner_text()
    assert page.get_by_label("4. A suggestion?").input_value() == "Più orari al sabato"
    assert_accessible(page)
    assert not Response.objects.exists()

    choose(page, "3. How satisfied are you?", "4")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Thank you").count() == 1
    assert_accessible(page)
    response = Response.objects.get()
    assert response.user == charlie
    assert sorted(a.number or 0 for a in response.answers.all()) == [0, 0, 0, 4]

    # The service manager reads the results and downloads the export.
    log_in_as(page, carla)
    page.goto(page.base_url + "/staff/montalto/surveys/")
    assert_accessible(page)
    page.get_by_role("link", name="Results Satisfaction").click()
    page.wait_for_load_state()
    assert "Più orari al sabato" in page.locator("main").inner_text()
    assert page.locator("main table").count() == 3
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the responses (CSV)").click()
    download = info.value
    with open(download.path(), encoding="utf-8-sig") as exported:
        body = exported.read()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][3] == "1. How did you use the service?"
    assert rows[1][3:] == ["At the counter", "Opening hours", "4", "Più orari al sabato"]
    assert "charlie" not in body.lower()
