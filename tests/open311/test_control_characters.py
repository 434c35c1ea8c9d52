"""Open311 refuses control characters (NUL among them) in every parameter, in its own error
format (JSON or XML by the path's suffix), and files nothing; tabs and line breaks stay text
where a text has several lines (the description, answers)."""

from __future__ import annotations

import pytest

from insieme.cases.models import Case
from insieme.open311.models import RequestToken
from tests.open311.conftest import BASE, file_request, parse_xml

pytestmark = pytest.mark.django_db

CONTROLS = ["\x00", "\x01", "\x1b", "\x9b"]


@pytest.mark.parametrize("char", CONTROLS)
@pytest.mark.parametrize(
    "param",
    [
        "description",
        "first_name",
        "last_name",
        "email",
        "phone",
        "address_string",
        "device_id",
        "account_id",
        "attribute[notes]",
        "service_code",
        "jurisdiction_id",
        "api_key",
    ],
)
def test_a_control_character_in_any_parameter_is_refused(client, world, param, char):
    response = file_request(client, world, **{param: f"Via{char}Roma"})
    assert response.status_code == 400, response.content
    (error,) = response.json()
    assert error["code"] == 400
    description = error["description"]
    assert description.startswith(f"{param}: ") and "control character" in description
    assert not Case.objects.exists() and not RequestToken.objects.exists()


def test_a_control_character_in_a_parameter_name_is_refused(client, world):
    response = file_request(client, world, **{"attribute[no\x00tes]": "x"})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_the_error_comes_in_xml_for_xml(client, world):
    response = file_request(client, world, fmt="xml", description="a\x00b")
    assert response.status_code == 400
    root = parse_xml(response.content)
    assert root.tag == "errors" and root.findtext("error/code") == "400"
    assert "description" in root.findtext("error/description")


@pytest.mark.parametrize("param", ["first_name", "email", "address_string"])
def test_a_line_break_in_a_one_line_parameter_is_refused(client, world, param):
    response = file_request(client, world, **{param: "Via\nRoma"})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_tabs_and_line_breaks_in_the_description_and_answers_are_text(client, world):
    response = file_request(
        client, world, description="First\r\nsecond\tline", **{"attribute[notes]": "a\nb"}
    )
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    assert case.description == "First\nsecond\tline"


@pytest.mark.parametrize(
    "path",
    [
        "requests/%00.json",
        "requests/a%01b.xml",
        "tokens/%00.json",
        "services/%00.json",
        "requests.json?jurisdiction_id=mont%00alto",
        "requests.json?jurisdiction_id=montalto&service_request_id=%00",
        "requests.xml?jurisdiction_id=montalto&start_date=2026-01-01%00",
        "services.json?jurisdiction_id=%1b",
    ],
)
def test_a_control_character_in_the_url_is_refused_in_the_format_asked(client, world, path):
    response = client.get(BASE + path)
    assert response.status_code == 400
    if ".xml" in path:
        assert parse_xml(response.content).findtext("error/code") == "400"
    else:
        assert response.json()[0]["code"] == 400
