"""Malformed input to the REST API answers 4xx in the API's own error format, never an HTML 500:
JSON nested deeper than any document, control characters in any text of a body, in a query
parameter or in a path, and ids no row can have."""

from __future__ import annotations

import json

import pytest

from insieme.cases.models import Case
from insieme.core.safe_input import MAX_JSON_DEPTH
from tests.api.test_cases import new_case_body
from tests.api.test_limits_and_errors import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(api, make_key, montalto):
    return api(key=make_key(montalto, "cases:read", "cases:write"))


def post_raw(client, body: str, **headers):
    return client.post("/api/v1/cases/", body, content_type="application/json", **headers)


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_past_python_s_own_limit_is_a_parse_error(writer, lights, opening):
    response = post_raw(writer, opening * 100_000)
    assert_error(response, 400, "parse_error")
    assert Case.objects.count() == 0


def test_json_nested_deeper_than_any_document_is_refused(writer, lights):
    deep = {"answers": {"colour": "white"}}
    inner = deep["answers"]
    for _level in range(MAX_JSON_DEPTH):
        inner["x"] = {}
        inner = inner["x"]
    body = {**new_case_body(lights), "answers": deep["answers"]}
    error = assert_error(post_raw(writer, json.dumps(body)), 400, "validation_error")
    assert any(path.startswith("answers.x.x") for path in error["fields"])
    assert Case.objects.count() == 0


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800"])
@pytest.mark.parametrize("field", ["description", "address", "contact_name"])
def test_a_control_character_in_any_text_is_refused_and_named(writer, lights, field, char):
    body = json.dumps(new_case_body(lights, **{field: f"Via{char}Roma"}))
    error = assert_error(post_raw(writer, body), 400, "validation_error")
    assert "control character" in error["fields"][field][0]
    assert Case.objects.count() == 0


def test_a_control_character_in_an_answer_or_a_key_is_refused(writer, lights):
    body = new_case_body(lights, answers={"colour": "white", "pole": "P\x0b9"})
    error = assert_error(post_raw(writer, json.dumps(body)), 400, "validation_error")
    assert list(error["fields"]) == ["answers.pole"]
    body = new_case_body(lights, answers={"colour": "white", "po\x00le": "P9"})
    assert_error(post_raw(writer, json.dumps(body)), 400, "validation_error")
    assert Case.objects.count() == 0


def test_tabs_and_line_breaks_are_text(writer, lights):
    body = new_case_body(lights, description="First line\r\nSecond\tline")
    response = post_raw(writer, json.dumps(body))
    assert response.status_code == 201, response.content
    assert Case.objects.get().description == "First line\nSecond\tline"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/?status=%00",
        "/api/v1/cases/?q%00=1",
        "/api/v1/cases/montalto/%00/",
        "/api/v1/public-cases/?administration=a%01b",
        "/api/v1/services/?administration=%00",
    ],
)
def test_a_control_character_in_the_url_is_a_bad_request_in_the_api_format(writer, url):
    assert_error(writer.get(url), 400, "bad_request")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/services/99999999999999999999999/",
        "/api/v1/services/9223372036854775808/",
        "/api/v1/regulations/0/",
    ],
)
def test_an_id_no_row_can_have_is_not_found(writer, url):
    assert_error(writer.get(url), 404, "not_found")


@pytest.mark.parametrize("day", ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "1799-12-31"])
def test_a_date_filter_outside_the_calendar_is_refused(writer, day):
    error = assert_error(
        writer.get("/api/v1/cases/", {"submitted_after": day}), 400, "validation_error"
    )
    assert "between 1800-01-01 and 2999-12-31" in error["fields"]["submitted_after"][0]
