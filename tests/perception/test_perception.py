"""The staff perception survey (issue 14): rounds opened by an administrator, answered once and
anonymously by the administration's own employees, results only from five people, and the
Scorecard's "what employees report" side beside the measured indicators (page and API)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from insieme.core.models import AuditEntry, today_in
from insieme.core.permissions import Role
from insieme.core.registry import Scope
from insieme.perception import actions, results
from insieme.perception.models import Answer, Participation, Round
from insieme.perception.statements import STATEMENTS
from tests.conftest import make_staff, sign_in

DAY = dt.timedelta(days=1)


@pytest.fixture
def round_(montalto, alice) -> Round:
    today = today_in(montalto)
    return actions.open_round(alice, montalto, today - DAY, today + 7 * DAY)


def staff(montalto, n: int, start: int = 0) -> list:
    return [
        make_staff(montalto, Role.OFFICER, f"o{i}@montalto.example", f"Officer {i}")
        for i in range(start, start + n)
    ]


def page(admin) -> str:
    return reverse("perception:answer", args=[admin.slug])


def post_answers(client, admin, answers: dict) -> object:
    return client.post(page(admin), {f"s-{k}": v for k, v in answers.items()})


def test_an_employee_answers_once_and_anonymously(client, montalto, bob, round_):
    sign_in(client, bob)
    form = client.get(page(montalto))
    assert form.status_code == 200
    html = form.content.decode()
    assert 'id="survey-form"' in html
    assert all(f'name="s-{s.code}"' in html for s in STATEMENTS)
    response = post_answers(client, montalto, {"D1": 4, "I3a": 2, "T2": 0, "S2": ""})
    assert response.status_code == 302
    assert Participation.objects.filter(round=round_, user=bob).count() == 1
    stored = sorted(Answer.objects.filter(round=round_).values_list("statement", "score"))
    assert stored == [("D1", 4), ("I3a", 2)]  # "don't know" and blank are not stored
    # The answers carry nobody: no field of theirs points to a person.
    assert {f.name for f in Answer._meta.get_fields()} == {"id", "round", "statement", "score"}
    assert 'id="answered"' in client.get(page(montalto)).content.decode()
    again = post_answers(client, montalto, {"D1": 5})
    assert again.status_code == 409
    assert Answer.objects.filter(round=round_).count() == 2
    # Answering is not audited (an entry would name the person beside the moment).
    assert not AuditEntry.objects.filter(action__startswith="perception.answer").exists()


def test_a_double_submission_counts_once(montalto, bob, round_):
    actions.answer(bob, round_, {"D1": 3})
    with pytest.raises(actions.AlreadyAnswered):
        actions.answer(bob, round_, {"D1": 5})
    assert Answer.objects.filter(round=round_).count() == 1


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"D1": 7}, "Answers go from 1 to 5."),
        ({"D1": "x"}, "Answers go from 1 to 5."),
        ({"D1": -1}, "Answers go from 1 to 5."),
        ({"ZZ": 3}, "Unknown statement"),
        ({"D1": 0}, "Answer at least one statement"),
        ({}, "Answer at least one statement"),
    ],
)
def test_bad_answers_are_refused_with_a_message(client, montalto, bob, round_, answers, message):
    sign_in(client, bob)
    response = post_answers(client, montalto, answers)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Participation.objects.exists() and not Answer.objects.exists()


def test_no_open_round(client, montalto, bob, alice, round_):
    actions.close_round(alice, round_)
    sign_in(client, bob)
    assert 'id="no-round"' in client.get(page(montalto)).content.decode()
    response = post_answers(client, montalto, {"D1": 3})
    assert response.status_code == 400 and "No round" in response.content.decode()
    with pytest.raises(Exception, match="not open"):
        actions.answer(bob, round_, {"D1": 3})


def test_who_may_answer_and_manage(client, montalto, lagoverde, bob, oscar, rita, alice, round_):
    assert client.get(page(montalto)).status_code == 302  # to sign in
    sign_in(client, oscar)  # another municipality's administrator
    assert client.get(page(montalto)).status_code == 404
    client.logout()
    sign_in(client, rita)  # the region's staff read Montalto through hosting, but do not answer
    assert client.get(page(montalto)).status_code == 403
    assert post_answers(client, montalto, {"D1": 3}).status_code == 403
    client.logout()
    sign_in(client, bob)  # an officer answers, does not manage rounds
    rounds = reverse("perception:rounds", args=[montalto.slug])
    assert client.get(rounds).status_code == 403
    close = reverse("perception:round_close", args=[montalto.slug, round_.pk])
    assert client.post(close).status_code == 403
    assert (
        client.get(reverse("perception:round", args=[montalto.slug, round_.pk])).status_code == 403
    )
    client.logout()
    sign_in(client, oscar)
    assert (
        client.get(reverse("perception:round", args=[lagoverde.slug, round_.pk])).status_code == 404
    )
    assert not Round.objects.get(pk=round_.pk).closed_early


def test_an_administrator_opens_and_closes_rounds(client, montalto, alice):
    sign_in(client, alice)
    url = reverse("perception:rounds", args=[montalto.slug])
    today = today_in(montalto)
    response = client.post(url, {"opens_on": today, "closes_on": today + 14 * DAY})
    assert response.status_code == 302
    made = Round.objects.get(administration=montalto)
    assert AuditEntry.objects.filter(
        action="perception.round_opened", object_id=str(made.pk)
    ).exists()
    for data, message in [
        ({"opens_on": today + DAY, "closes_on": today + 5 * DAY}, "Another round"),
        ({"opens_on": today + 30 * DAY, "closes_on": today + 20 * DAY}, "cannot close before"),
        ({"opens_on": today + 30 * DAY, "closes_on": today + 200 * DAY}, "at most 92 days"),
        ({"opens_on": today - 30 * DAY, "closes_on": today - 20 * DAY}, "still be open"),
        ({"opens_on": "not a date", "closes_on": today}, "Enter a valid date"),
        ({"opens_on": "2026-02-30", "closes_on": today}, "Enter a valid date"),
    ]:
        bad = client.post(url, data)
        assert bad.status_code == 400, data
        assert message in bad.content.decode(), data
    assert Round.objects.count() == 1
    close = reverse("perception:round_close", args=[montalto.slug, made.pk])
    assert client.post(close).status_code == 302
    made.refresh_from_db()
    assert made.closed_early and not made.is_open(today)
    # Closed early, its days are free for a new round.
    assert client.post(url, {"opens_on": today, "closes_on": today + DAY}).status_code == 302


def test_results_only_from_five_people(client, montalto, alice, round_):
    people = staff(montalto, 4)
    for i, person in enumerate(people):
        # D1: 4, 5, 2, 4 ... ; I3b answered by two only.
        answers = {"D1": [4, 5, 2, 4][i], "I3a": 4}
        if i < 2:
            answers["I3b"] = 1
        actions.answer(person, round_, answers)
    sign_in(client, alice)
    detail = reverse("perception:round", args=[montalto.slug, round_.pk])
    html = client.get(detail).content.decode()
    assert 'id="under-threshold"' in html and 'id="results-table"' not in html
    scope = Scope.of(montalto)
    assert all(v is None for v in results.perceived(scope).values())
    assert (
        "Not enough answers yet."
        in client.get(reverse("scorecard", args=[montalto.slug])).content.decode()
    )

    fifth = staff(montalto, 1, start=9)[0]
    actions.answer(fifth, round_, {"D1": 1, "I3a": 5})
    found = results.round_results(round_)
    assert found["participants"] == 5 and found["enough"]
    d1 = next(r["figures"] for r in found["statements"] if r["statement"].code == "D1")
    assert (d1["answers"], d1["agree"]) == (5, 3)  # 4, 5, 4 agree; 2 and 1 do not
    assert d1["mean"] == pytest.approx((4 + 5 + 2 + 4 + 1) / 5)
    i3b = next(r["figures"] for r in found["statements"] if r["statement"].code == "I3b")
    assert i3b is None  # two answers: not shown
    html = client.get(detail).content.decode()
    assert 'id="results-table"' in html and "60%" in html and "Fewer than 5 answers" in html

    cells = results.perceived(scope)
    assert cells["D1"]["agree_share"] == pytest.approx(3 / 5) and cells["D1"]["respondents"] == 5
    # I3 pools only the statement shown on its own (I3b's two answers stay out).
    assert (cells["I3"]["answers"], cells["I3"]["agree"]) == (5, 5)
    assert cells["T2"] is None  # nobody answered it
    card = client.get(reverse("scorecard", args=[montalto.slug])).content.decode()
    assert 'id="perceived-D1"' in card and "60% agree" in card


def test_the_api_gives_the_perceived_side(client, montalto, alice, round_):
    for person in staff(montalto, 5):
        actions.answer(person, round_, {"S2": 5, "D4": 2})
    sign_in(client, alice)
    body = client.get("/api/v1/scorecard/", {"administration": "montalto"}).json()
    cells = {c["code"]: c for c in body["cells"]}
    assert cells["S2"]["perceived"]["agree_share"] == 1.0
    assert cells["S2"]["perceived"]["respondents"] == 5
    assert cells["D4"]["perceived"]["agree_share"] == 0.0
    assert cells["D4"]["perceived"]["rounds"][0]["administration"] == "montalto"
    assert cells["T1"]["perceived"] is None
    assert "user" not in str(cells["S2"]["perceived"]) and "@" not in str(body)


def test_the_region_pools_its_municipalities_latest_rounds(montalto, lagoverde, alice, oscar):
    today = today_in(montalto)
    older = actions.open_round(alice, montalto, today - 60 * DAY, today - 40 * DAY + 40 * DAY)
    # Older rounds of Montalto: superseded by the latest that reached the threshold.
    for person in staff(montalto, 5):
        actions.answer(person, older, {"D1": 1})
    Round.objects.filter(pk=older.pk).update(closes_on=today - 40 * DAY)
    latest = actions.open_round(alice, montalto, today - DAY, today + DAY)
    for person in staff(montalto, 5, start=10):
        actions.answer(person, latest, {"D1": 5})
    lv = actions.open_round(oscar, lagoverde, today - DAY, today + DAY)
    for i in range(6):
        user = make_staff(lagoverde, Role.OFFICER, f"l{i}@lv.example", f"L {i}")
        actions.answer(user, lv, {"D1": 2})
    scope = Scope.of(montalto.parent, [montalto.parent, montalto, lagoverde])
    d1 = results.perceived(scope)["D1"]
    assert (d1["respondents"], d1["answers"], d1["agree"]) == (11, 11, 5)
