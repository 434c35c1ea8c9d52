"""Shares by area and round with known answers; nothing from fewer than five people; small
areas folded into "other areas" so that no small group is shown or derivable by subtraction."""

from __future__ import annotations

import csv
import io
import random

import pytest
from django.urls import reverse

from insieme.community import actions, results
from insieme.community.models import Round
from insieme.core.models import today_in
from tests.community.conftest import DAY, residents
from tests.conftest import sign_in


@pytest.mark.parametrize(
    ("counts", "folded"),
    [
        ({"a": 10, "b": 8}, set()),
        ({"a": 10, "b": 8, "c": 3}, {"b", "c"}),  # c alone would be total − a − b
        ({"a": 10, "b": 3, "c": 2}, {"b", "c"}),  # together they make five: "other areas"
        ({"a": 10, "b": 4}, {"a", "b"}),  # only the total is left
        ({"a": 4}, {"a"}),
        ({"a": 0, "b": 6}, set()),  # an area nobody answered from hides nothing
    ],
)
def test_fold(counts, folded):
    assert results.fold(counts, 5) == folded


def test_fold_never_leaves_a_small_remainder():
    rng = random.Random(7)
    for _trial in range(2000):
        counts = {
            f"a{i}": rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 14]) for i in range(rng.randint(1, 6))
        }
        folded = results.fold(counts, 5)
        shown = [n for k, n in counts.items() if k not in folded and n]
        assert all(n >= 5 for n in shown)
        total = sum(counts.values())
        if total < 5:  # the total is not shown either
            assert not shown
            continue
        remainder = total - sum(shown)
        assert remainder == 0 or remainder >= 5, counts


def answer_all(round_, plan: list[tuple[str, dict]], start: int = 0) -> None:
    for person, (area, answers) in zip(residents(len(plan), start), plan, strict=True):
        actions.answer(person, round_, area, answers)


# Six from the main town, five from Poggio, two from Santa Croce.
TOWN = [
    {"S1": 4, "T2": 4},
    {"S1": 4, "T2": 5},
    {"S1": 5, "T2": 1},
    {"S1": 2, "T2": 2},
    {"S1": 1},
    {"S1": 3},
]
POGGIO = [{"S1": 5, "T2": 5}] * 5
CROCE = [{"S1": 1, "T2": 1}, {"S1": 1, "T2": 4}]
PLAN = [("town", a) for a in TOWN] + [("l1", a) for a in POGGIO] + [("l2", a) for a in CROCE]


def row(found, code):
    return next(r for r in found["rows"] if r["statement"].code == code)


def test_nothing_is_shown_under_five_people(client, montalto, alice, round_):
    answer_all(round_, [("town", {"S1": 5})] * 4)
    found = results.round_results(round_)
    assert found["people"] == 4 and not found["enough"] and not found["groups"]
    assert all(r["total"] is None for r in found["rows"])
    sign_in(client, alice)
    html = client.get(reverse("community:round", args=[montalto.slug, round_.pk])).content.decode()
    assert 'id="under-threshold"' in html and 'id="results-table"' not in html
    assert "Fewer than 5 residents have answered" in html
    lines = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("community:round_csv", args=[montalto.slug, round_.pk]))
                .content.decode()
                .lstrip("\ufeff")
            )
        )
    )
    assert lines == [results.CSV_COLUMNS]
    answer_all(round_, [("town", {"S1": 4})], start=10)
    assert results.round_results(round_)["enough"]


def test_shares_by_area_with_small_areas_folded(client, montalto, alice, round_):
    answer_all(round_, PLAN)
    found = results.round_results(round_)
    assert found["people"] == 13
    # Santa Croce (2) is too small; folded alone it would be the total minus the others, so
    # Poggio (5, the smallest shown) is folded with it: "other areas" has seven.
    assert [(g["key"], g["people"]) for g in found["groups"]] == [("town", 6), ("other", 7)]
    assert found["folded"] == ["Poggio", "Santa Croce"]
    s1 = row(found, "S1")
    town, other = s1["cells"]
    assert (town["answers"], town["agree"]) == (6, 3)
    assert (other["answers"], other["agree"]) == (7, 5)
    assert (s1["total"]["answers"], s1["total"]["agree"]) == (13, 8)
    assert s1["total"]["mean"] == round((4 + 4 + 5 + 2 + 1 + 3 + 25 + 2) / 13, 2)
    # T2: four answers in town (two said nothing) — hidden, and "other areas" with it, since
    # it would be the total minus the town; the total (eleven) is shown.
    t2 = row(found, "T2")
    assert t2["cells"] == [None, None]
    assert (t2["total"]["answers"], t2["total"]["agree"]) == (11, 8)
    assert row(found, "D3")["total"] is None  # nobody answered it

    sign_in(client, alice)
    html = client.get(reverse("community:round", args=[montalto.slug, round_.pk])).content.decode()
    assert 'id="results-table"' in html and "Other areas" in html
    assert 'id="group-l1"' not in html and 'id="group-l2"' not in html
    assert "50%" in html and "71%" in html and "62%" in html
    assert "13 residents answered. Most agreed" in html

    body = client.get(reverse("community:round_csv", args=[montalto.slug, round_.pk]))
    assert body["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(body.content.decode().lstrip("\ufeff"))))
    s1_lines = {(r["group"], r["answers"], r["agree"]) for r in lines if r["statement"] == "S1"}
    assert s1_lines == {
        ("Comune di Montalto, main town", "6", "3"),
        ("Other areas", "7", "5"),
        ("All areas", "13", "8"),
    }
    assert {r["group"] for r in lines if r["statement"] == "T2"} == {"All areas"}
    assert not any(r["group"] in ("Poggio", "Santa Croce") for r in lines)
    assert "@" not in body.content.decode() and "Resident" not in body.content.decode()


def test_areas_big_enough_are_shown_on_their_own(montalto, round_):
    answer_all(
        round_, [("town", {"S1": 4})] * 6 + [("l1", {"S1": 1})] * 5 + [("l2", {"S1": 5})] * 5
    )
    found = results.round_results(round_)
    assert [g["key"] for g in found["groups"]] == ["town", "l1", "l2"] and not found["folded"]
    assert [c["agree_share"] for c in row(found, "S1")["cells"]] == [1.0, 0.0, 1.0]


def test_results_over_rounds(client, montalto, alice, localities):
    today = today_in(montalto)
    first = actions.open_round(alice, montalto, today - 40 * DAY, today + 7 * DAY)
    answer_all(first, [("town", {"S1": 2})] * 5)
    Round.objects.filter(pk=first.pk).update(closes_on=today - 30 * DAY)
    second = actions.open_round(alice, montalto, today - DAY, today + DAY)
    answer_all(second, [("town", {"S1": 5})] * 4 + [("town", {"S1": 1})], start=20)
    trend = results.over_time(montalto)
    assert [f["round"].pk for f in trend["rounds"]] == [first.pk, second.pk]
    s1 = next(r for r in trend["statements"] if r["statement"].code == "S1")
    assert [c["agree_share"] for c in s1["cells"]] == [0.0, 0.8]
    town = trend["areas"][0]
    assert [c["share"] for c in town["cells"]] == ["0%", "80%"]
    sign_in(client, alice)
    html = client.get(reverse("community:rounds", args=[montalto.slug])).content.decode()
    assert 'id="trend-statements"' in html and 'id="trend-areas"' in html and "80%" in html


def test_the_scorecard_gets_the_latest_round_and_the_region_pools(
    montalto, lagoverde, alice, oscar, localities
):
    from insieme.core.registry import Scope

    today = today_in(montalto)
    mont = actions.open_round(alice, montalto, today - DAY, today + DAY)
    answer_all(mont, [("town", {"S1": 5, "T2": 4})] * 5)
    lv = actions.open_round(oscar, lagoverde, today - DAY, today + DAY)
    # Lago Verde: six people, only three answer T2 — its T2 total is never pooled.
    answer_all(lv, [("all", {"S1": 1, "T2": 1})] * 3 + [("all", {"S1": 2})] * 3, start=30)
    cells = results.community(Scope.of(montalto))
    assert cells["S1"]["agree_share"] == 1.0 and cells["S1"]["respondents"] == 5
    assert cells["I3"] is None and "D1" not in cells  # not answered / not asked of residents
    region = results.community(Scope.of(montalto.parent, [montalto.parent, montalto, lagoverde]))
    assert (region["S1"]["answers"], region["S1"]["agree"]) == (11, 5)
    assert (region["T2"]["answers"], region["T2"]["agree"]) == (5, 5)
    assert region["S1"]["respondents"] == 11
