"""Cases fixtures: cases filed through insieme.cases.filing.actions.submit_case (the one write path)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from insieme.cases.filing import actions as filing_actions

INSIDE_MONTALTO = {"lat": 43.1234567, "lon": 11.1234567}  # within the SQUARE of tests/conftest.py
PII_DESCRIPTION = (
    "Buca enorme in via Roma 12. Scrivetemi a charlie.private@example.org o chiamate "
    "+39 333 123 4567; codice fiscale RSSMRA85T10A562S."
)


@pytest.fixture
def filed_case(cat, charlie):
    """Charlie's pothole report in Montalto, with contact details and a private free-text answer."""
    case, _created = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large", "notes": "My neighbour Mario fell here"},
            description=PII_DESCRIPTION,
            address="Via Roma 12",
            contact_name="Charlie Citizen",
            contact_email="charlie.contact@example.org",
            contact_phone="+39 347 765 4321",
            **INSIDE_MONTALTO,
        ),
    )
    return case


# A Tuesday morning in Rome, away from weekends and the nights the clocks change.
CLOCK_START = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    """A controlled clock standing still at CLOCK_START: every `timezone.now()` reads it, and
    only `clock.shift(timedelta)` moves it. Request it before the fixtures that write."""
    with time_machine.travel(CLOCK_START, tick=False) as traveller:
        yield traveller
