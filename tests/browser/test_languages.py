"""Both languages in a real browser, with axe-core on every page (issue 12, item 9): the
language menu names each language in itself, catalogue content follows the reader's language
(its untranslated parts marked with their own), and staff see the Scorecard and the
translations screen in the language they chose."""

from __future__ import annotations

import pytest

from insieme.catalog import actions
from tests.browser.conftest import assert_accessible, log_in_as


@pytest.fixture
def lights(cat, montalto):
    return actions.create_service(
        None,
        montalto,
        code="luci",
        name="Illuminazione pubblica guasta",
        description="Lampioni spenti o danneggiati.",
        channels=["web"],
        located=False,
        anonymous_allowed=True,
        department=cat.department,
        language="it",
        translations={"en": {"name": "Street light out"}},
        attributes=[
            {
                "code": "guasto",
                "datatype": "singlevaluelist",
                "label": "Che cosa succede?",
                "required": True,
                "order": 10,
                "values": [{"key": "spento", "name": "Spento"}],
                "translations": {
                    "en": {"label": "What is happening?", "values": {"spento": "Off"}}
                },
            },
        ],
    )


def choose_language(page, name: str, button: str) -> None:
    page.select_option("#language-select", label=name)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def menu(page) -> list[tuple[str, str]]:
    options = page.locator("#language-select option")
    return [
        (options.nth(i).get_attribute("lang"), options.nth(i).inner_text().strip())
        for i in range(options.count())
    ]


def test_citizen_pages_in_both_languages(page, lights):
    page.goto(page.base_url + "/services/montalto/luci/file/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert menu(page) == [("en", "English"), ("it", "Italiano")]
    assert page.get_by_role("heading", level=1).inner_text().endswith("Street light out")
    assert page.get_by_text("What is happening?").count() >= 1
    # The description has no English: shown in Italian, marked as such.
    page.goto(page.base_url + "/services/montalto/luci/")
    assert page.locator('p[lang="it"]', has_text="Lampioni spenti o danneggiati.").is_visible()
    assert_accessible(page)

    choose_language(page, "Italiano", "Change")
    assert page.locator("html").get_attribute("lang") == "it"
    assert menu(page) == [("en", "English"), ("it", "Italiano")]
    assert page.get_by_role("heading", level=1).inner_text() == "Illuminazione pubblica guasta"
    assert_accessible(page)
    page.goto(page.base_url + "/services/montalto/luci/file/")
    assert page.get_by_text("Che cosa succede?").count() >= 1
    assert_accessible(page)
    page.goto(page.base_url + "/services/")
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "it"])
def test_staff_pages_in_each_language(page, carla, lights, language):
    log_in_as(page, carla)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    for path, words in (
        ("/staff/montalto/scorecard/", {"en": "Public promises kept", "it": "Promesse pubbliche"}),
        ("/staff/montalto/services/translations/", {"en": "Missing in", "it": "Mancant"}),
        (
            f"/staff/montalto/services/{lights.pk}/edit/",
            {"en": "Name (English)", "it": "(inglese)"},
        ),
    ):
        page.goto(page.base_url + path)
        assert page.locator("html").get_attribute("lang") == language
        assert words[language] in page.content(), path
        assert_accessible(page)
