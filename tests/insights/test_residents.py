"""The Scorecard shows, per cell, what residents say (the community survey) beside what the
platform measures and what employees report, on the page and in the API; nothing under five
people and nothing about a person."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from insieme.community import actions
from insieme.core.models import today_in
from tests.conftest import make_user, sign_in


def answered_round(montalto, alice, n: int, answers: dict):
    today = today_in(montalto)
    round_ = actions.open_round(alice, montalto, today - dt.timedelta(days=1), today)
    for i in range(n):
        user = make_user(f"res{i}@example.org", f"Resident {i}")
        actions.answer(user, round_, "all", answers)
    return round_


def test_the_page_shows_what_residents_say(client, montalto, alice):
    answered_round(montalto, alice, 5, {"S1": 5, "T2": 2})
    sign_in(client, alice)
    html = client.get(reverse("scorecard", args=[montalto.slug])).content.decode()
    assert "What residents say" in html
    start = html.index('id="residents-S1"')
    assert (
        "100% agree" in html[start : start + 400]
        and "5 residents have answered" in html[start : start + 600]
    )
    start = html.index('id="residents-T2"')
    assert "0% agree" in html[start : start + 400]
    start = html.index('id="residents-D1"')
    assert "answers to show." in html[start : start + 200]


def test_under_five_people_nothing_shows(client, montalto, alice):
    answered_round(montalto, alice, 4, {"S1": 5})
    sign_in(client, alice)
    html = client.get(reverse("scorecard", args=[montalto.slug])).content.decode()
    assert 'class="residents"' not in html
    body = client.get("/api/v1/scorecard/", {"administration": "montalto"}).json()
    assert all(c["residents"] is None for c in body["cells"])


def test_the_api_gives_the_residents_side(client, montalto, alice):
    answered_round(montalto, alice, 6, {"S1": 4, "D3": 1})
    sign_in(client, alice)
    body = client.get("/api/v1/scorecard/", {"administration": "montalto"}).json()
    cells = {c["code"]: c for c in body["cells"]}
    s1 = cells["S1"]["residents"]
    assert (s1["respondents"], s1["answers"], s1["agree_share"], s1["mean"]) == (6, 6, 1.0, 4.0)
    assert s1["rounds"][0]["administration"] == "montalto"
    assert s1["statements"][0]["code"] == "S1"
    assert cells["D3"]["residents"]["agree_share"] == 0.0
    assert cells["D1"]["residents"] is None  # residents are not asked about it
    assert "Resident" not in str(body) and "example.org" not in str(body)
