"""Participation (cells I1 and I2): ideas, supports and comments per month, and the people
taking part in each process, on the hand-made processes of tests/dashboards/conftest.py
(`insight`). Counts only: no person is named."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import sign_in
from tests.dashboards.conftest import PERIOD
from tests.dashboards.test_panels import rows_of
from tests.dashboards.test_satisfaction import sentence


def test_ideas_supports_and_comments_per_month(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "ideas-monthly")
    assert rows == [
        [
            "Month",
            "Ideas by citizens",
            "Ideas by employees",
            "Ideas by partner organisations",
            "All ideas",
            "Supports",
            "Comments",
        ],
        # I1, I2, I5 (I4 is hidden, I3 is January's, I7 Lago Verde's); the held comment is out.
        ["2026-02", "1", "1", "1", "3", "5", "3"],
        ["2026-03", "1", "0", "0", "1", "0", "0"],  # I6, 1 March at 00:30 in Rome
    ]
    assert sentence(client, "montalto", "ideas-monthly") == (
        "4 ideas in the period (2 by citizens, 1 by employees, 1 by partner organisations), "
        "about 2.0 a month, with 5 supports and 3 comments."
    )


def test_people_taking_part_in_each_process(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "participants")
    assert rows == [
        [
            "Process",
            "Administration",
            "Ideas",
            "Supports",
            "Comments",
            "Citizens",
            "Employees",
            "Partner organisations' members",
            "All people",
        ],
        # Charlie proposed; Charlie supported I5 in Bilancio, then proposed I6 there: once.
        ["Bilancio", "Comune di Montalto", "2", "1", "1", "1", "1", "1", "3"],
        # Charlie and Sara (she commented and supported: once); Bob proposed, Dario supported
        # twice: once; Paola supported.
        ["Piazza verde", "Comune di Montalto", "2", "4", "2", "2", "2", "1", "5"],
    ]
    assert sentence(client, "montalto", "participants") == (
        "Counting each person once per process, 8 took part in 2 processes in the period, 4.0 "
        "per process: 3 citizens, 3 employees and 2 members of partner organisations."
    )


def test_the_service_filter_selects_the_processes_about_it(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "participants", service=insight.lighting.pk)
    assert [r[0] for r in rows[1:]] == ["Piazza verde"]
    rows = rows_of(client, "montalto", "ideas-monthly", service=insight.lighting.pk)
    assert rows[1] == ["2026-02", "1", "1", "0", "2", "4", "2"]
    assert rows_of(client, "montalto", "participants", service=insight.cat.pothole.pk)[1:] == []


def test_filters_that_do_not_apply_leave_participation_and_say_so(client, insight, dario):
    sign_in(client, dario)
    url = reverse("dashboards:page", args=["montalto"])
    for key in ("ideas-monthly", "participants"):
        plain = client.get(url, {**PERIOD, "format": "csv", "panel": key}).content
        other = {**PERIOD, "channel": "phone", "department": insight.parks.pk}
        assert client.get(url, {**other, "format": "csv", "panel": key}).content == plain
        html = client.get(url, other).content.decode()
        note = html[html.index(f'id="ignored-{key}"') :].split("</p>", 1)[0]
        assert "do not apply to this panel (see what it counts): department, channel." in note


def test_no_person_is_named(client, insight, dario, rita):
    sign_in(client, dario)
    html = client.get(reverse("dashboards:page", args=["montalto"]), PERIOD).content.decode()
    csvs = [rows_of(client, "montalto", key) for key in ("participants", "ideas-monthly")]
    for name in ("Charlie", "Sara", "Paola", "Girasole", "Dan"):
        assert name not in html
        assert all(name not in cell for rows in csvs for row in rows for cell in row)


def test_each_administration_counts_its_own(client, insight, rita):
    sign_in(client, rita)
    rows = rows_of(client, "valdoro", "participants")
    assert [r[0] for r in rows[1:]] == ["Bilancio", "Lago", "Piazza verde"]
    rows = rows_of(client, "valdoro", "ideas-monthly", member="lago-verde")
    assert rows[1] == ["2026-02", "1", "0", "0", "1", "0", "0"]
