"""Data quality at intake (cell D2) per service, on the hand-made cases of
tests/dashboards/conftest.py (`insight`)."""

from __future__ import annotations

from tests.conftest import sign_in
from tests.dashboards.test_panels import rows_of
from tests.dashboards.test_satisfaction import sentence

HEADER = [
    "Service",
    "Administration",
    "Cases filed",
    "Cases staff have opened",
    "Handled as filed",
    "Handled as filed (%)",
    "With an information request",
    "With an information request (%)",
    "Duplicates",
    "Duplicates (%)",
]


def test_data_quality_per_service(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "data-quality")
    assert rows == [
        HEADER,
        # A asked for more, B as filed, C asked and moved by an accepted hand-off, G a duplicate.
        ["Pothole", "Comune di Montalto", "4", "4", "1", "25.0", "2", "50.0", "1", "25.0"],
        # F as filed; H nobody has opened: it counts as filed only.
        ["Street lighting", "Comune di Montalto", "2", "1", "1", "100.0", "0", "0.0", "0", "0.0"],
    ]
    assert sentence(client, "montalto", "data-quality") == (
        "Of the 5 cases staff have opened, 40% were handled as filed (complete, in the right "
        "place, not duplicates) and staff asked the citizen for more on 40%; 17% of the 6 cases "
        "filed were duplicates."
    )


def test_data_quality_filters(client, insight, dario):
    sign_in(client, dario)
    assert rows_of(client, "montalto", "data-quality", channel="phone")[1:] == [
        ["Pothole", "Comune di Montalto", "1", "1", "0", "0.0", "1", "100.0", "0", "0.0"]
    ]
    assert rows_of(client, "montalto", "data-quality", start="2026-02-25")[1:] == [
        ["Street lighting", "Comune di Montalto", "1", "0", "0", "", "0", "", "0", "0.0"]
    ]
