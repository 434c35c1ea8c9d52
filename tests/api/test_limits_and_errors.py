"""Rate limits, the one error shape for every error class, and list mechanics (cursor
pagination, filters, ordering)."""

from __future__ import annotations

import base64

import pytest

from insieme.cases.models import Case
from tests.api.conftest import file_case
from tests.api.test_cases import new_case_body

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


@pytest.fixture
def small_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "api_key": "3/minute",
            "api_user": "3/minute",
            "api_address": "2/minute",
        },
    }


def test_rate_limit_per_address(api, small_rates, montalto):
    client = api()
    assert [client.get("/api/v1/administrations/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/administrations/")
    assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 65  # the window and at most one slice (5 s)
    other = api()
    other.defaults["REMOTE_ADDR"] = "10.0.0.9"
    assert other.get("/api/v1/administrations/").status_code == 200


def test_rate_limit_per_key(api, small_rates, make_key, montalto):
    one, two = make_key(montalto, "cases:read"), make_key(montalto, "cases:read")
    statuses = [api(key=one).get("/api/v1/cases/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert api(key=two).get("/api/v1/cases/").status_code == 200  # its own budget


def test_throttled_post_creates_nothing(api, small_rates, make_key, montalto, lights):
    client = api(key=make_key(montalto, "cases:write"))
    for _ in range(3):
        client.get("/api/v1/services/")
    response = client.post(
        "/api/v1/cases/", new_case_body(lights), format="json", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert_error(response, 429, "throttled")
    assert not Case.objects.exists()


def test_error_shapes(api, settings, make_key, montalto, lights, charlie_case):
    key = make_key(montalto, "cases:read", "cases:write")
    client = api(key=key)
    assert_error(api().get("/api/v1/cases/"), 401, "not_authenticated")
    assert_error(api(key="ins_nope").get("/api/v1/cases/"), 401, "authentication_failed")
    assert_error(
        api(key=make_key(montalto, "services:read")).get("/api/v1/cases/"), 403, "permission_denied"
    )
    assert_error(client.get("/api/v1/cases/montalto/2000-999999/"), 404, "not_found")
    assert_error(client.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(client.delete("/api/v1/services/"), 405, "method_not_allowed")
    error = assert_error(client.post("/api/v1/cases/", {}, format="json"), 400, "validation_error")
    assert "service" in error["fields"]
    broken = client.post("/api/v1/cases/", "{not json", content_type="application/json")
    assert_error(broken, 400, "parse_error")
    form = client.post("/api/v1/cases/", {"service": lights.pk})  # multipart form
    assert_error(form, 415, "unsupported_media_type")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "INSIEME_MAX_BODY_BYTES": 100}
    big = client.post("/api/v1/cases/", new_case_body(lights, description="x" * 200), format="json")
    assert_error(big, 413, "request_too_large")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "INSIEME_MAX_BODY_BYTES": 100_000}
    first = client.post(
        "/api/v1/cases/", new_case_body(lights), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert first.status_code == 201
    again = client.post("/api/v1/cases/", {"service": 0}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert_error(again, 409, "idempotency_key_reused")


def test_cursor_pagination_and_ordering(api, make_key, montalto, lights, charlie):
    cases = [file_case(charlie, lights, description=f"light {i}") for i in range(5)]
    client = api(key=make_key(montalto, "cases:read"))
    seen, url = [], "/api/v1/cases/?page_size=2&ordering=submitted_at"
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen += [c["reference"] for c in body["results"]]
        url = body["next"]
    assert seen == [c.reference for c in cases]
    newest = client.get("/api/v1/cases/?page_size=1").json()["results"][0]
    assert newest["reference"] == cases[-1].reference  # default: newest first
    for cursor in [base64.b64encode(b"o=x").decode(), base64.b64encode(b"p=noon").decode()]:
        bad = client.get(f"/api/v1/cases/?cursor={cursor}")
        assert_error(bad, 400, "validation_error")


def test_filters(api, make_key, bob, montalto, lights, cat, charlie):
    from insieme.cases.handling import actions as handling_actions

    open_case = file_case(charlie, lights)
    done = file_case(charlie, lights, description="another")
    handling_actions.change_status(bob, done, "resolved")
    client = api(key=make_key(montalto, "cases:read"))

    def refs(query):
        response = client.get(f"/api/v1/cases/?{query}")
        assert response.status_code == 200, response.content
        return {c["reference"] for c in response.json()["results"]}

    assert refs("status=resolved") == {done.reference}
    assert refs("status=submitted&status=resolved") == {open_case.reference, done.reference}
    assert refs("open=true") == {open_case.reference}
    assert refs(f"service={lights.pk}") == {open_case.reference, done.reference}
    assert refs(f"service={cat.pothole.pk}") == set()
    assert refs("service_code=lights&administration=montalto") == {
        open_case.reference,
        done.reference,
    }
    after = done.submitted_at.isoformat()
    assert refs(f"submitted_after={after.replace('+', '%2B')}") == {done.reference}
    assert refs("updated_before=2000-01-01T00:00:00Z") == set()
    assert_error(client.get("/api/v1/cases/?status=bogus"), 400, "validation_error")
    assert_error(client.get("/api/v1/cases/?submitted_after=yesterday"), 400, "validation_error")
    public = api().get("/api/v1/public-cases/?status=resolved").json()["results"]
    assert [c["reference"] for c in public] == [done.reference]
