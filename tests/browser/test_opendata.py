"""Open data in a real browser (Debian's chromium), in English then Italian: the data steward
reviews a dataset's preview, withdraws and publishes it, sets a service's text policy and
approves a text; anyone browses the portal and a dataset's page. axe-core finds no WCAG 2.1
A/AA violation on any of these pages."""

from __future__ import annotations

import pytest

from insieme.opendata import publish
from insieme.opendata.models import DatasetSetting, ServiceTextPolicy, TextReview
from tests.browser.conftest import assert_accessible, log_in_as
from tests.browser.test_languages import choose_language
from tests.opendata.conftest import opendata  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_steward_reviews_withdraws_and_publishes(page, opendata, elena):  # noqa: F811
    ServiceTextPolicy.objects.filter(service__code="buche").update(text="reviewed")
    publish.publish(opendata, "public-reports")
    log_in_as(page, elena)
    page.goto(page.base_url + "/staff/montalto/opendata/")
    assert page.get_by_role("heading", name="Open data", level=1).count() == 1
    table = page.get_by_role("table", name="Datasets and their latest version")
    assert "Public reports" in table.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Public reports").click()
    page.wait_for_load_state()
    preview = page.locator("#preview")
    assert "MT-0" in preview.inner_text() and "Mario" not in preview.inner_text()
    assert_accessible(page)
    page.get_by_label("State").select_option("withdrawn")
    page.get_by_label("Reason for withdrawing").fill("A street name points at a person")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "Withdrawn: the catalogue no longer lists it" in page.content()
    assert (
        DatasetSetting.objects.get(administration=opendata, dataset="public-reports").state
        == "withdrawn"
    )
    assert_accessible(page)

    choose_language(page, "Italiano", "Change")
    assert page.get_by_role("heading", name="Segnalazioni pubbliche", level=1).count() == 1
    page.get_by_label("Stato").select_option("published")
    page.get_by_role("button", name="Applica").click()
    page.wait_for_load_state()
    assert (
        DatasetSetting.objects.get(administration=opendata, dataset="public-reports").state
        == "published"
    )
    assert_accessible(page)

    page.goto(page.base_url + "/staff/montalto/opendata/reviews/")
    assert page.get_by_role("heading", name="Testi da rivedere", level=1).count() == 1
    assert_accessible(page)
    page.get_by_role("button", name="Approva").first.click()
    page.wait_for_load_state()
    assert TextReview.objects.filter(state="approved").count() == 1

    page.goto(page.base_url + "/staff/montalto/opendata/services/")
    assert_accessible(page)
    form = page.get_by_role("form", name="Rumore")
    form.get_by_label("Testo libero nei dati aperti").select_option("redacted")
    form.get_by_role("button", name="Salva").click()
    page.wait_for_load_state()
    assert ServiceTextPolicy.objects.get(service__code="rumore").text == "redacted"


def test_anyone_browses_the_portal(page, opendata):  # noqa: F811
    page.goto(page.base_url + "/opendata/")
    assert page.get_by_role("heading", name="Open data", level=1).count() == 1
    assert_accessible(page)
    page.get_by_label("Theme").select_option("GOVE")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Requests per service and month").click()
    page.wait_for_load_state()
    assert page.get_by_role("table", name="The dataset's columns").count() == 1
    assert_accessible(page)
    choose_language(page, "Italiano", "Change")
    assert page.get_by_role("heading", name="Richieste per servizio e mese", level=1).count() == 1
    assert_accessible(page)
    page.goto(page.base_url + "/opendata/")
    assert page.get_by_role("heading", name="Dati aperti", level=1).count() == 1
    assert_accessible(page)
