"""Malformed input to the work queue answers 400 with a clear message, never a server error:
dates outside the calendar in its filters, and case ids no row can have in its bulk actions."""

from __future__ import annotations

import pytest

from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Status
from insieme.core.permissions import Role
from tests.conftest import make_staff

QUEUE = "/staff/montalto/cases/"
BULK = QUEUE + "bulk/"


@pytest.fixture
def olga(cat, montalto):
    """An officer of Roads, the department of the pothole service."""
    return make_staff(
        montalto, Role.OFFICER, "olga@montalto.example", "Olga Roads", department=cat.department
    )


@pytest.fixture
def case(cat, charlie):
    filed, _created = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "large"}, description="A deep hole", lat=43.1, lon=11.1
        ),
    )
    return filed


@pytest.mark.parametrize("name", ["submitted_from", "submitted_to"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1799-12-31", "3000-01-01"])
def test_a_date_outside_the_calendar_is_a_form_error(persona_client, olga, case, name, day):
    response = persona_client(olga).get(QUEUE, {name: day})
    assert response.status_code == 400
    assert "Enter a date between 1800-01-01 and 2999-12-31." in response.content.decode()


def test_dates_within_the_calendar_filter_as_before(persona_client, olga, case):
    client = persona_client(olga)
    wide = client.get(QUEUE, {"submitted_from": "1800-01-01", "submitted_to": "2999-12-31"})
    assert wide.status_code == 200 and case.reference in wide.content.decode()
    later = client.get(QUEUE, {"submitted_from": "2999-12-31"})
    assert later.status_code == 200 and case.reference not in later.content.decode()


@pytest.mark.parametrize(
    "bad", ["9" * 30, "9223372036854775808", "²", "١٢", "-1", "0", "1e3", "\x00"]
)
def test_a_case_id_no_row_can_have_is_refused(persona_client, olga, case, bad):
    response = persona_client(olga).post(
        BULK, {"action": "status", "to_status": Status.ACKNOWLEDGED, "case": [case.pk, bad]}
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED  # nothing done: the selection as a whole is refused


def test_the_largest_row_id_is_an_id_like_any_other(persona_client, olga, case):
    response = persona_client(olga).post(
        BULK,
        {
            "action": "status",
            "to_status": Status.ACKNOWLEDGED,
            "case": [case.pk, "9223372036854775807"],
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ACKNOWLEDGED


@pytest.mark.parametrize("field", ["note", "query"])
def test_a_control_character_in_a_bulk_field_is_refused(persona_client, olga, case, field):
    response = persona_client(olga).post(
        BULK,
        {"action": "status", "to_status": Status.ACKNOWLEDGED, "case": [case.pk], field: "a\x00"},
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
