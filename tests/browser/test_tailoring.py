"""The once-only prefill in a real browser (Debian's chromium), in English and Italian: a
signed-in citizen finds the filing form filled in from their profile and their earlier
application, with a notice and a hint per field, changes one answer and files; the record
counts seven fields kept and one changed. axe-core finds no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import pytest

from insieme.cases.models import Case
from insieme.tailoring.models import PrefillRecord
from tests.browser.conftest import assert_accessible, log_in_as
from tests.catalog.conftest import cat  # noqa: F401  (the catalogue fixture)
from tests.tailoring.conftest import PICKUP_URL, earlier, pickup  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": {
        "isee": "12500.5",
        "notice": "8 fields are already filled in",
        "hint": "you can change it",
    },
    "it": {"isee": "12500,5", "notice": "8 campi sono già compilati", "hint": "puoi modificarlo"},
}


@pytest.mark.parametrize("language", ["en", "it"])
def test_a_citizen_finds_the_form_filled_in_changes_one_answer_and_files(
    page,
    earlier,  # noqa: F811
    charlie,
    language,
):
    words = WORDS[language]
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    log_in_as(page, charlie)
    page.goto(page.base_url + PICKUP_URL)
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language
    notice = page.locator("#prefill-notice")
    assert words["notice"] in notice.inner_text()
    assert earlier.reference in notice.inner_text()
    assert page.locator("#id_contact_email").input_value() == "charlie@example.org"
    assert page.locator("#id_address").input_value() == "Via Roma 12"
    assert page.locator("#id_attr_isee").input_value() == words["isee"]
    assert page.locator("#id_attr_floor_1").is_checked()
    assert (
        page.locator("#id_attr_items_0").is_checked()
        and page.locator("#id_attr_items_1").is_checked()
    )
    # Each filled field says so, and the screen reader hears it with the field.
    assert page.locator(".prefill-hint").count() == 8
    assert words["hint"] in page.locator("#id_attr_plate_helptext").inner_text()
    assert (
        page.locator("#id_attr_plate").get_attribute("aria-describedby") == "id_attr_plate_helptext"
    )
    assert_accessible(page)
    page.locator("#id_attr_plate").fill("ZZ111ZZ")
    page.locator("#filing-form button[type=submit]").click()
    page.wait_for_load_state()
    case = Case.objects.get(service__code="pickup", submitted_by=charlie, answers__plate="ZZ111ZZ")
    assert page.locator("#case-reference").inner_text() == case.reference
    assert_accessible(page)
    record = PrefillRecord.objects.get(case=case)
    assert (record.prefillable, record.offered, record.kept, record.changed, record.cleared) == (
        8,
        8,
        7,
        1,
        0,
    )
    assert record.fields["attr_plate"] == ["earlier_answer", "changed"]
    assert record.fields["attr_isee"] == ["earlier_answer", "kept"]
