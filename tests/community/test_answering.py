"""A resident answers the open round once, from their area, anonymously; staff of the
administration do not answer as its residents; bad answers get a 400 and store nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.community import actions
from insieme.community.models import Participation, Round, Tally, Turnout
from insieme.community.statements import STATEMENTS
from insieme.core.models import AuditEntry
from tests.conftest import sign_in


def page(admin) -> str:
    return reverse("community:survey", args=[admin.slug])


def post(client, admin, area, answers: dict):
    return client.post(page(admin), {"area": area, **{f"s-{k}": v for k, v in answers.items()}})


def counted(round_) -> dict:
    return {
        (t.area, t.statement, t.score): t.n for t in Tally.objects.filter(round=round_, n__gt=0)
    }


def test_the_round_offers_the_areas_of_the_register(round_):
    assert round_.areas == [["town", ""], ["l1", "Poggio"], ["l2", "Santa Croce"]]
    assert Turnout.objects.filter(round=round_).count() == 3
    assert Tally.objects.filter(round=round_).count() == 3 * len(STATEMENTS) * 5


def test_a_region_offers_its_municipalities_and_a_town_without_register_itself(
    region, montalto, lagoverde, alice
):
    from insieme.community.areas import areas_for

    assert areas_for(region) == [
        ["lago-verde", "Comune di Lago Verde"],
        ["montalto", "Comune di Montalto"],
    ]
    assert areas_for(lagoverde) == [["all", "Comune di Lago Verde"]]


def test_a_resident_answers_once_and_anonymously(client, montalto, charlie, round_):
    sign_in(client, charlie)
    form = client.get(page(montalto))
    html = form.content.decode()
    assert form.status_code == 200 and 'id="survey-form"' in html
    assert all(f'name="s-{s.code}"' in html for s in STATEMENTS)
    assert "Comune di Montalto, main town" in html and "Santa Croce" in html
    response = post(client, montalto, "l1", {"S1": 4, "T2": 2, "I2": 0, "D4": ""})
    assert response.status_code == 302
    assert Participation.objects.filter(round=round_, user=charlie).count() == 1
    assert counted(round_) == {("l1", "S1", 4): 1, ("l1", "T2", 2): 1}
    assert dict(Turnout.objects.filter(round=round_).values_list("area", "people")) == {
        "town": 0,
        "l1": 1,
        "l2": 0,
    }
    assert 'id="answered"' in client.get(page(montalto)).content.decode()
    again = post(client, montalto, "town", {"S1": 5})
    assert again.status_code == 409 and "answered this round already" in again.content.decode()
    assert counted(round_) == {("l1", "S1", 4): 1, ("l1", "T2", 2): 1}
    assert Turnout.objects.get(round=round_, area="town").people == 0
    # Nothing that is counted points to a person, nor is the answer audited.
    for model in (Tally, Turnout):
        assert not any(f.name in ("user", "created_at") for f in model._meta.get_fields())
    assert not AuditEntry.objects.filter(action__startswith="community.answer").exists()


def test_a_double_submission_counts_once(montalto, charlie, round_):
    actions.answer(charlie, round_, "town", {"S1": 3})
    with pytest.raises(actions.AlreadyAnswered):
        actions.answer(charlie, round_, "town", {"S1": 5})
    assert counted(round_) == {("town", "S1", 3): 1}
    assert Turnout.objects.get(round=round_, area="town").people == 1


def test_signing_in_is_needed_to_answer(client, montalto, round_):
    html = client.get(page(montalto)).content.decode()
    assert 'id="sign-in-note"' in html and 'id="survey-form"' not in html
    response = post(client, montalto, "town", {"S1": 4})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not Participation.objects.exists()


def test_staff_do_not_answer_as_residents_of_their_own_administration(
    client, montalto, bob, oscar, round_
):
    sign_in(client, bob)
    html = client.get(page(montalto)).content.decode()
    assert 'id="staff-note"' in html and 'id="survey-form"' not in html
    assert post(client, montalto, "town", {"S1": 4}).status_code == 403
    with pytest.raises(Exception) as refused:
        actions.answer(bob, round_, "town", {"S1": 4})
    assert refused.type.__name__ == "PermissionDenied"
    assert not Participation.objects.exists()
    client.logout()
    # Another municipality's administrator lives somewhere too: a resident here.
    sign_in(client, oscar)
    assert post(client, montalto, "town", {"S1": 4}).status_code == 302
    assert Participation.objects.filter(user=oscar).count() == 1


@pytest.mark.parametrize(
    ("area", "answers", "message"),
    [
        ("", {"S1": 4}, "Choose the area where you live."),
        ("l9", {"S1": 4}, "Unknown area"),
        ("x" * 200, {"S1": 4}, "too long"),
        ("town", {"S1": 7}, "Answers go from 1 to 5."),
        ("town", {"S1": "x"}, "Answers go from 1 to 5."),
        ("town", {"S1": -1}, "Answers go from 1 to 5."),
        ("town", {"ZZ": 3}, "Unknown statement"),
        ("town", {"S1": 0}, "Answer at least one statement"),
        ("town", {}, "Answer at least one statement"),
    ],
)
def test_bad_answers_are_refused_with_a_message(
    client, montalto, charlie, round_, area, answers, message
):
    sign_in(client, charlie)
    response = post(client, montalto, area, answers)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Participation.objects.exists() and not counted(round_)
    assert not Turnout.objects.filter(people__gt=0).exists()


def test_no_open_round(client, montalto, charlie, alice, round_):
    actions.close_round(alice, round_)
    sign_in(client, charlie)
    assert 'id="no-round"' in client.get(page(montalto)).content.decode()
    response = post(client, montalto, "town", {"S1": 3})
    assert response.status_code == 400 and "No round" in response.content.decode()
    with pytest.raises(Exception, match="not open"):
        actions.answer(charlie, Round.objects.get(pk=round_.pk), "town", {"S1": 3})


def test_an_unknown_administration_is_not_found(client, charlie, db):
    sign_in(client, charlie)
    assert client.get("/community/nowhere/survey/").status_code == 404
