"""Error pages: 400, 403 (and the CSRF failure), 404, 429 and 500 are the site's own pages, in
the person's language, each saying what to do next; the 500 page needs no database."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from insieme.core import views_errors
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

SKIP_LINK = 'href="#main"'  # the base layout's skip link: the page is the site's own


def styled(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert SKIP_LINK in body and 'class="it-header-wrapper"' in body
    assert body.count("<h1") == 1
    return body


@pytest.mark.parametrize(
    ("language", "heading", "next_step"),
    [
        ("en", "Page not found", "Check the address for typing mistakes."),
        ("it", "Pagina non trovata", "Controllare che l'indirizzo sia scritto bene."),
    ],
)
def test_404_is_styled_translated_and_says_what_next(client, language, heading, next_step):
    body = styled(client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language), 404)
    assert f'<html lang="{language}">' in body
    assert heading in body and next_step in body
    assert reverse("catalogue") in body and reverse("login") in body


def test_404_for_a_signed_in_person_points_at_their_requests(client, charlie):
    client.force_login(charlie)
    body = styled(client.get("/my/requests/montalto/2026-999999/"), 404)
    assert reverse("my_requests") in body and "Log out" in body


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "You may not open this page"), ("it", "Non è possibile aprire questa pagina")],
)
def test_403_is_styled_and_translated(client, alice, language, heading):
    sign_in(client, alice)  # an administrator: filing for citizens is not her role
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("staff_file_for_citizen", args=["montalto"]))
    body = styled(response, 403)
    assert heading in body


def test_400_is_styled(client):
    body = styled(client.get("/", HTTP_HOST="not-an-allowed-host.example"), 400)
    assert "This request could not be understood" in body
    assert "Go back, check what you entered and send it again." in body


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "This form could not be sent"), ("it", "Non è stato possibile inviare il modulo")],
)
def test_csrf_failure_is_styled_and_translated(language, heading):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"), {"email": "a@example.org", "password": "x"}, HTTP_ACCEPT_LANGUAGE=language
    )
    body = styled(response, 403)
    assert heading in body


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Wait 2 minutes, then try again."), ("it", "Attendere 2 minuti, poi riprovare.")],
)
def test_429_is_styled_translated_and_says_when(language, text):
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=language)
    request.user = AnonymousUser()
    with translation.override(language):
        response = views_errors.too_many_requests(request, retry_after=90)
    body = styled(response, 429)
    assert text in body and response["Retry-After"] == "90"


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Something went wrong"), ("it", "Qualcosa non ha funzionato")]
)
def test_500_is_styled_and_translated(settings, charlie, language, heading):
    settings.ROOT_URLCONF = "tests.core.urls_failing"
    client = Client(raise_request_exception=False)
    client.force_login(charlie)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    body = styled(client.get("/failing/"), 500)
    assert heading in body and f'<html lang="{language}">' in body
    assert "a bug in a view" not in body  # nothing of the error reaches the person


def test_500_page_reads_nothing_from_the_database(django_assert_num_queries):
    request = RequestFactory().get("/anything/")
    with django_assert_num_queries(0):
        response = views_errors.server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
