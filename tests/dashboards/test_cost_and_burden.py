"""Cost per case by channel and the burden per service (the Standard Cost Model, cells S1 and
S3), on the hand-made cases of tests/dashboards/conftest.py (`insight`)."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import sign_in
from tests.dashboards.conftest import PERIOD
from tests.dashboards.test_panels import rows_of


def test_cost_per_case_by_channel(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "cost-per-case")
    assert rows[0] == [
        "Channel",
        "Cases with logged time",
        "Minutes logged",
        "Minutes per case",
        "Cost (EUR)",
        "Cost per case (EUR)",
        "Saved per case against the counter (EUR)",
    ]
    # Pothole at 32 EUR an hour, Street lighting at 40; D's 20 minutes of 25 January are
    # before the period, E's 600 are Lago Verde's.
    assert rows[1:] == [
        ["Web", "2", "60", "30.0", "32.0", "16.0", "32.0"],  # A 45 + B 15 minutes
        ["App", "1", "30", "30.0", "20.0", "20.0", "28.0"],  # F, at 40 EUR an hour
        ["API", "0", "0", "", "0.0", "", ""],
        ["Counter", "1", "90", "90.0", "48.0", "48.0", "0.0"],
        ["Phone", "1", "60", "60.0", "32.0", "32.0", "16.0"],
        ["E-mail", "0", "0", "", "0.0", "", ""],
        ["All channels", "5", "240", "48.0", "132.0", "26.4", ""],
    ]


def test_cost_sentence_names_the_dearest_channel_and_the_best_saving(client, insight, dario):
    sign_in(client, dario)
    html = client.get(reverse("dashboards:page", args=["montalto"]), PERIOD).content.decode()
    assert (
        "Staff time logged in the period on 5 cases cost 132.00 EUR, 26.40 EUR per case; the "
        "dearest channel per case is counter (48.00 EUR). Against the counter (48.00 EUR per "
        "case), web saves 32.00 EUR per case."
    ) in html


def test_cost_filters_select_the_cases_the_time_was_logged_on(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "cost-per-case", service=insight.lighting.pk)
    assert rows[-1] == ["All channels", "1", "30", "30.0", "20.0", "20.0", ""]
    rows = rows_of(client, "montalto", "cost-per-case", department=insight.roads.pk)
    assert rows[-1][:3] == ["All channels", "3", "150"]  # A, B and D (C has no department)


def test_burden_per_service(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "burden")
    assert rows[0] == [
        "Service",
        "Administration",
        "Cases",
        "Information-request loops",
        "Citizen hours",
        "Staff hours",
        "Total hours",
        "Staff cost (EUR)",
        "Staff cost per case (EUR)",
    ]
    assert rows[1:] == [
        # A, B, C, G: 10 minutes × (4 cases + 3 loops) = 70 min; 120 staff minutes at 32 EUR.
        ["Pothole", "Comune di Montalto", "4", "3", "1.2", "2.0", "3.2", "64.0", "16.0"],
        # F, H: 30 minutes × 2 = 60 min; 30 staff minutes at 40 EUR.
        ["Street lighting", "Comune di Montalto", "2", "0", "1.0", "0.5", "1.5", "20.0", "10.0"],
    ]


def test_burden_sentence(client, insight, dario):
    sign_in(client, dario)
    html = client.get(reverse("dashboards:page", args=["montalto"]), PERIOD).content.decode()
    assert (
        "The period&#x27;s 6 cases took citizens about 2.2 hours and staff 2.5 hours (84.00 EUR "
        "of staff time); Pothole weighs most on citizens (1.2 hours)."
    ) in html


def test_burden_in_the_region_keeps_each_administration_apart(client, insight, rita):
    sign_in(client, rita)
    rows = rows_of(client, "valdoro", "burden")
    by = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert by[("Boat mooring permit", "Comune di Lago Verde")][:2] == ["1", "0"]
    assert by[("Boat mooring permit", "Comune di Lago Verde")][3] == "10.0"  # 600 minutes
    assert len(by) == 3
