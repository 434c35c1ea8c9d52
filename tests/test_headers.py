"""Headers and logs (issue 12, item 6): a request in, the headers out, for each class of page.

- no cache keeps an answer that may hold personal data or depends on who asked (no-store);
- answers say what they vary on (Cookie everywhere, the key headers on the REST API);
- a Permissions-Policy switches off the browser features no page uses;
- TRACE and TRACK are refused; /healthz names no database to anonymous callers;
- error reports never show an API key (the access log is checked in tests/test_platform.py).
"""

from __future__ import annotations

import sys

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from insieme.cases.filing.views import SESSION_FILED
from insieme.core import actions as core_actions
from insieme.core.logsafety import ExceptionReporter, mask_secrets
from tests.cases import conftest as cases_fixtures
from tests.conftest import PASSWORD, make_user

filed_case = cases_fixtures.filed_case  # Charlie's report in Montalto, with contact details


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


def case_url(name: str, case) -> str:
    return reverse(name, args=[case.administration.slug, case.reference])


@pytest.fixture
def key(montalto) -> str:
    _row, raw = core_actions.create_api_key(
        None, montalto, name="reader", scopes=["cases:read", "services:read", "open311:write"]
    )
    return raw


# --- anonymous public pages stay cacheable ------------------------------------------------------


def test_public_pages_for_anonymous_visitors_are_not_marked_private(client, filed_case):
    for url in ("/", reverse("catalogue"), case_url("case_public", filed_case)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not no_store(response), url
        assert "cookie" in vary(response), url


def test_public_api_answers_vary_on_every_credential(client, cat):
    response = client.get("/api/v1/services/")
    assert response.status_code == 200
    assert not no_store(response)
    assert {"authorization", "x-api-key", "cookie"} <= vary(response)


# --- personal data and signed-in answers are never stored -----------------------------------


def test_every_page_of_a_signed_in_person_is_no_store(filed_case, charlie, persona_client):
    client = persona_client(charlie)
    for url in (
        "/",
        reverse("catalogue"),
        reverse("account"),
        reverse("my_requests"),
        case_url("my_case", filed_case),
        case_url("case_public", filed_case),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
        assert "private" in response["Cache-Control"], url
        assert "cookie" in vary(response), url


def test_staff_pages_are_no_store(filed_case, bob, persona_client):
    client = persona_client(bob)
    for url in (
        reverse("staff_queue", args=["montalto"]),
        case_url("staff_case", filed_case),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url


def test_anonymous_filers_confirmation_with_their_email_is_no_store(client, filed_case):
    session = client.session
    session[SESSION_FILED] = [f"montalto/{filed_case.reference}"]
    session.save()
    url = reverse("case_filed", args=["montalto", filed_case.service.code, filed_case.reference])
    response = client.get(url)
    assert response.status_code == 200
    assert filed_case.contact_email in response.content.decode()
    assert no_store(response)


def test_login_answer_setting_the_session_cookie_is_no_store(client, db):
    make_user("ada@example.org", "Ada Citizen")
    response = client.post(reverse("login"), {"email": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["sessionid"].value
    assert no_store(response)


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
def test_api_answers_to_a_key_are_no_store_and_vary_on_it(client, filed_case, key, header):
    value = f"Bearer {key}" if header == "HTTP_AUTHORIZATION" else key
    for url in ("/api/v1/cases/", case_url("api:case", filed_case), "/api/v1/services/"):
        response = client.get(url, **{header: value})
        assert response.status_code == 200, url
        assert no_store(response), url
        assert {"authorization", "x-api-key", "cookie"} <= vary(response), url


def test_api_answers_to_a_session_are_no_store(filed_case, charlie, persona_client):
    response = persona_client(charlie).get("/api/v1/cases/")
    assert response.status_code == 200
    assert no_store(response)
    assert {"authorization", "x-api-key", "cookie"} <= vary(response)


def test_open311_answers_to_a_key_are_no_store(client, cat, key):
    listed = client.get("/open311/v2/requests.json", {"jurisdiction_id": "montalto"})
    assert listed.status_code == 200 and not no_store(listed)
    with_key = client.get(
        "/open311/v2/requests.json", {"jurisdiction_id": "montalto", "api_key": key}
    )
    assert no_store(with_key)
    posted = client.post("/open311/v2/requests.json", {"jurisdiction_id": "montalto"})
    assert 400 <= posted.status_code < 500 and no_store(posted)


# --- Permissions-Policy, TRACE -------------------------------------------------------------------


def test_permissions_policy_switches_off_unused_features(client, db):
    policy = client.get("/").headers["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
        assert features[feature] == "()", feature


@pytest.mark.parametrize("method", ["TRACE", "TRACK"])
@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/api/v1/services/", "/open311/v2/discovery.json", "/no-such/"]
)
def test_trace_is_refused(client, db, method, path):
    response = client.generic(method, path)
    assert response.status_code == 405
    assert method not in response["Allow"]
    assert b"TRACE" not in response.content


# --- /healthz ------------------------------------------------------------------------------------


def test_healthz_names_no_database_to_anonymous_callers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": {"status": "ok"}}
    assert no_store(response)


def test_healthz_details_for_operators_and_the_monitoring_token(client, db, settings):
    from django.db import connection

    operator = make_user("ops@example.org", "Ops", is_staff=True)
    citizen = make_user("cit@example.org", "Cit")
    settings.HEALTHZ_TOKEN = "monitoring-token-0123456789"
    staff_client = Client()
    staff_client.force_login(operator)
    citizen_client = Client()
    citizen_client.force_login(citizen)
    assert staff_client.get("/healthz").json()["database"]["vendor"] == connection.vendor
    assert "vendor" not in citizen_client.get("/healthz").json()["database"]
    good = client.get("/healthz", HTTP_X_HEALTH_TOKEN="monitoring-token-0123456789")
    assert good.json()["database"]["vendor"] == connection.vendor
    wrong = client.get("/healthz", HTTP_X_HEALTH_TOKEN="monitoring-token-wrong")
    assert "vendor" not in wrong.json()["database"]
    settings.HEALTHZ_TOKEN = ""
    assert "vendor" not in client.get("/healthz", HTTP_X_HEALTH_TOKEN="").json()["database"]


# --- error reports -------------------------------------------------------------------------------

SECRET = "ins_Secret0123456789abcdefghijklmnopqrstuvwxyz"


def test_error_reports_never_show_an_api_key(settings):
    settings.DEBUG = False
    request = RequestFactory().post(
        f"/open311/v2/requests.json?jurisdiction_id=montalto&api_key={SECRET}",
        {"api_key": SECRET, "description": "A hole"},
    )
    request.user = None

    def authenticate(raw):  # a frame whose local variable holds the key
        raise RuntimeError("database went away")

    try:
        authenticate(SECRET)
    except RuntimeError:
        exc_info = sys.exc_info()
    reporter = ExceptionReporter(request, *exc_info, is_email=True)
    text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    for report in (text, html):
        assert SECRET not in report
        assert SECRET[4:20] not in report
    assert "jurisdiction_id" in text and "A hole" in text  # the rest of the report is kept


def test_django_uses_the_masking_error_reporter():
    from django.views.debug import (
        get_default_exception_reporter_filter,
        get_exception_reporter_class,
    )

    assert get_exception_reporter_class(None) is ExceptionReporter
    filter_ = get_default_exception_reporter_filter()
    request = RequestFactory().post("/x", {"api_key": SECRET, "name": "kept"})
    params = filter_.get_post_parameters(request)
    assert params["api_key"] != SECRET and params["name"] == "kept"


@pytest.mark.parametrize(
    "line",
    [
        f"POST /open311/v2/requests.json?api_key={SECRET}&x=1 HTTP/1.1",
        f"GET /open311/v2/requests.json?jurisdiction_id=a&API_KEY={SECRET[4:]} HTTP/1.1",
        f"GET /x?apikey={SECRET[4:]}",
        f"GET /x?api-key={SECRET[4:]}",
        f"GET /x?token={SECRET[4:]}",
        f"https://example.org/next?api_key%3D{SECRET[4:]}",
        f"Bearer {SECRET}",
    ],
)
def test_mask_secrets_hides_keys_in_any_logged_text(line):
    masked = mask_secrets(line)
    assert SECRET[4:] not in masked
    assert "[masked]" in masked
