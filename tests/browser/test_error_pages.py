"""Error pages in a real browser, in English and Italian: styled, accessible (axe-core, WCAG 2.1
A and AA), each with a way on."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.browser.conftest import assert_accessible, log_in_as

LANGUAGES = {"en": "What you can do", "it": "Cosa si può fare"}


def in_language(page, language: str) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.base_url}]
    )


def check(page, language: str, heading: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.get_by_role("heading", name=LANGUAGES[language]).count() == 1
    assert page.locator("main a").count() >= 2  # somewhere to go next
    assert_accessible(page)


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Page not found"), ("it", "Pagina non trovata")]
)
def test_404(page, db, language, heading):
    in_language(page, language)
    response = page.goto(page.base_url + "/no-such-page/")
    assert response.status == 404
    check(page, language, heading)


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "You may not open this page"), ("it", "Non è possibile aprire questa pagina")],
)
def test_403(page, alice, language, heading):
    log_in_as(page, alice)  # an administrator: filing for citizens is not her role
    in_language(page, language)
    response = page.goto(page.base_url + "/staff/montalto/assisted/")
    assert response.status == 403
    check(page, language, heading)


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "This request could not be understood"),
        ("it", "Non è stato possibile capire questa richiesta"),
    ],
)
def test_400(page, db, language, heading):
    in_language(page, language)
    too_many_fields = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = page.goto(page.base_url + "/services/?" + too_many_fields)
    assert response.status == 400
    check(page, language, heading)


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "This form could not be sent"), ("it", "Non è stato possibile inviare il modulo")],
)
def test_csrf_failure(page, db, language, heading):
    in_language(page, language)
    page.goto(page.base_url + "/accounts/login/")
    page.context.clear_cookies(name=settings.CSRF_COOKIE_NAME)  # as after a long pause
    page.locator("main form").first.evaluate("form => form.submit()")
    page.wait_for_load_state()
    check(page, language, heading)


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Something went wrong"), ("it", "Qualcosa non ha funzionato")]
)
def test_500(page, db, settings, language, heading):
    settings.ROOT_URLCONF = "tests.core.urls_failing"
    in_language(page, language)
    response = page.goto(page.base_url + "/failing/")
    assert response.status == 500
    check(page, language, heading)
