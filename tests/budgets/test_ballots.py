"""Ballots: one per verified participant (the unique constraint decides, also when two requests
race), within the budget (refused with the amounts) or up to N projects, only while voting is
open, only projects of the budget, final once cast, audited without the choices."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from insieme.budgets import actions
from insieme.budgets.models import Ballot, BallotChoice
from insieme.core import audit
from insieme.core.models import AuditEntry, today_in
from tests.budgets.conftest import (
    LUCA_BORN,
    LUCA_CF,
    add_projects,
    budget_url,
    make_budget,
    verify_at_counter,
)
from tests.conftest import make_user
from tests.participation.conftest import make_process
from tests.participation.test_supports import in_thread, shared_database


def test_a_verified_citizen_casts_a_ballot_within_the_budget(
    persona_client, budget, projects, verified_sara
):
    client = persona_client(verified_sara)
    page = client.get(budget_url(budget, "ballot"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Once cast, your ballot is final" in html
    response = client.post(
        budget_url(budget, "ballot"),
        {"projects": [projects[0].pk, projects[1].pk], "action": "cast"},
    )
    assert response.status_code == 302
    assert response["Location"] == budget_url(budget, "my_ballot") + "?cast=1"
    ballot = Ballot.objects.get(budget=budget, voter=verified_sara)
    assert sorted(ballot.choices.values_list("project_id", flat=True)) == sorted(
        [projects[0].pk, projects[1].pk]
    )
    mine = client.get(response["Location"]).content.decode()
    assert "Thank you: your ballot is cast." in mine and projects[1].title in mine
    # A second visit to the ballot goes to the ballot already cast.
    again = client.get(budget_url(budget, "ballot"))
    assert again.status_code == 302 and again["Location"] == budget_url(budget, "my_ballot")


def test_a_ballot_over_the_budget_is_refused_naming_the_amounts(
    persona_client, budget, projects, verified_sara
):
    client = persona_client(verified_sara)
    response = client.post(
        budget_url(budget, "ballot"),
        {"projects": [projects[0].pk, projects[1].pk, projects[2].pk], "action": "cast"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your choices cost €\xa0115,000, more than the budget of €\xa0100,000" in html
    assert "remove projects worth at least €\xa015,000" in html
    assert not Ballot.objects.exists()
    # The boxes stay ticked, so the person only has to untick one.
    assert (
        f'value="{projects[2].pk}" id="project-{projects[2].pk}" data-cost="2500000" checked'
        in html
    )


def test_checking_the_total_without_javascript(persona_client, budget, projects, verified_sara):
    client = persona_client(verified_sara)
    fits = client.post(
        budget_url(budget, "ballot"), {"projects": [projects[1].pk], "action": "check"}
    )
    assert fits.status_code == 200
    assert "Your choices fit the budget: €\xa070,000 left." in fits.content.decode()
    over = client.post(
        budget_url(budget, "ballot"),
        {"projects": [projects[0].pk, projects[1].pk, projects[2].pk], "action": "check"},
    )
    assert "more than the budget of" in over.content.decode()
    assert not Ballot.objects.exists()


def test_at_least_one_project_and_only_this_budgets(
    persona_client, budget, projects, verified_sara, voting_process, carla
):
    other = make_budget(voting_process, carla, title="Altro")
    stranger = add_projects(other, carla, costs=(1_00,))[0]
    client = persona_client(verified_sara)
    empty = client.post(budget_url(budget, "ballot"), {"action": "cast"})
    assert empty.status_code == 400 and "Choose at least one project." in empty.content.decode()
    foreign = client.post(
        budget_url(budget, "ballot"), {"projects": [stranger.pk], "action": "cast"}
    )
    assert foreign.status_code == 400
    assert "Choose projects of this budget only." in foreign.content.decode()
    junk = client.post(budget_url(budget, "ballot"), {"projects": ["x1"], "action": "cast"})
    assert junk.status_code == 400
    with pytest.raises(ValidationError, match="of this budget only"):
        actions.cast_ballot(verified_sara, budget, [stranger.pk])
    assert not Ballot.objects.exists()


def test_approval_ballots_take_one_to_n_projects(voting_process, carla, verified_sara):
    budget = make_budget(voting_process, carla, kind="approval", max_choices=2)
    projects = add_projects(budget, carla)
    with pytest.raises(ValidationError, match="You chose 3 projects: this ballot takes at most 2."):
        actions.cast_ballot(verified_sara, budget, [p.pk for p in projects[:3]])
    # Approval ballots do not add costs up: 60,000 + 30,000 is fine whatever the total.
    ballot = actions.cast_ballot(verified_sara, budget, [projects[0].pk, projects[1].pk])
    assert ballot.choices.count() == 2


def test_approval_needs_its_number(voting_process, carla):
    with pytest.raises(ValidationError) as caught:
        make_budget(voting_process, carla, kind="approval", max_choices=None)
    assert "how many projects" in str(caught.value)


def test_only_verified_people_vote(persona_client, budget, projects, charlie, montalto_register):
    client = persona_client(charlie)
    page = client.get(budget_url(budget, "ballot")).content.decode()
    assert "verify that you are one first" in page and 'name="projects"' not in page
    response = client.post(budget_url(budget, "ballot"), {"projects": [projects[3].pk]})
    assert response.status_code == 409
    with pytest.raises(
        ValidationError, match="Verify that you are a resident of Comune di Montalto"
    ):
        actions.cast_ballot(charlie, budget, [projects[3].pk])
    assert not Ballot.objects.exists()


def test_anonymous_visitors_are_asked_to_log_in(client, budget, projects):
    response = client.get(budget_url(budget, "ballot"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "Log in to vote" in client.get(budget_url(budget)).content.decode()


def test_no_ballot_outside_the_voting_dates(montalto, carla, verified_sara):
    today = today_in(montalto)
    process = make_process(montalto, carla, slug="futuro")
    budget = make_budget(
        process,
        carla,
        voting_opens_on=today + dt.timedelta(days=2),
        voting_closes_on=today + dt.timedelta(days=9),
    )
    project = add_projects(budget, carla, costs=(1_000_00,))[0]
    with pytest.raises(ValidationError, match="Voting opens on"):
        actions.cast_ballot(verified_sara, budget, [project.pk])
    actions.update_budget(
        carla,
        budget,
        voting_opens_on=today - dt.timedelta(days=9),
        voting_closes_on=today - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="Voting closed on"):
        actions.cast_ballot(verified_sara, budget, [project.pk])
    # Without dates of its own, the process's voting phase decides (here: it comes later).
    actions.update_budget(carla, budget, voting_opens_on=None, voting_closes_on=None)
    assert budget.voting_window()[0] > today
    with pytest.raises(ValidationError, match="Voting opens on"):
        actions.cast_ballot(verified_sara, budget, [project.pk])
    assert not Ballot.objects.exists()


def test_a_draft_budget_takes_no_ballot_and_is_hidden(
    client, persona_client, voting_process, carla, verified_sara
):
    draft = make_budget(voting_process, carla, is_published=False)
    project = add_projects(draft, carla, costs=(1_000_00,))[0]
    with pytest.raises(ValidationError, match="not published"):
        actions.cast_ballot(verified_sara, draft, [project.pk])
    assert client.get(budget_url(draft)).status_code == 404
    assert persona_client(verified_sara).get(budget_url(draft)).status_code == 404
    assert persona_client(carla).get(budget_url(draft)).status_code == 200


def test_one_ballot_per_person_and_final(persona_client, budget, projects, verified_sara):
    actions.cast_ballot(verified_sara, budget, [projects[3].pk])
    with pytest.raises(actions.AlreadyVoted, match="You have already voted"):
        actions.cast_ballot(verified_sara, budget, [projects[2].pk])
    response = persona_client(verified_sara).post(
        budget_url(budget, "ballot"), {"projects": [projects[2].pk], "action": "cast"}
    )
    assert response.status_code == 302
    assert list(Ballot.objects.get().choices.values_list("project_id", flat=True)) == [
        projects[3].pk
    ]


def test_the_unique_constraint_keeps_one_ballot_per_person(budget, verified_sara):
    Ballot.objects.create(budget=budget, voter=verified_sara, cast_at=budget.created_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(budget=budget, voter=verified_sara, cast_at=budget.created_at)


def test_the_audit_says_a_ballot_was_cast_not_what_it_chose(budget, projects, verified_sara):
    actions.cast_ballot(verified_sara, budget, [projects[0].pk, projects[3].pk])
    entry = AuditEntry.objects.get(action="budgets.ballot_cast")
    assert entry.after == {"budget": budget.pk}
    text = f"{entry.before} {entry.after} {entry.object_repr}"
    for project in projects:
        assert project.title not in text
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_double_clicks_make_one_ballot(montalto, carla, bob, tmp_path):
    """Two threads, each with its own database connection, cast the same person's ballot at the
    same moment: one ballot; the other is told "you have already voted"."""
    process = make_process(montalto, carla, slug="bilancio", current="voting")
    budget = make_budget(process, carla)
    projects = add_projects(budget, carla)
    luca = make_user("luca@example.org", "Luca Bianchi")
    verify_at_counter(bob, luca, montalto, LUCA_CF, LUCA_BORN)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def click(choice):
        try:
            user = type(luca).objects.get(pk=luca.pk)
            target = (
                type(budget).objects.select_related("process", "administration").get(pk=budget.pk)
            )
            barrier.wait(timeout=10)
            actions.cast_ballot(user, target, [choice])
            outcomes.append("cast")
        except actions.AlreadyVoted as exc:
            outcomes.append(str(exc.messages[0]))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    with shared_database(tmp_path):
        threads = [threading.Thread(target=click, args=(p.pk,)) for p in (projects[2], projects[3])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
        rows, choices, entries, chain = in_thread(
            lambda: (
                Ballot.objects.filter(budget=budget).count(),
                BallotChoice.objects.filter(ballot__budget=budget).count(),
                AuditEntry.objects.filter(action="budgets.ballot_cast").count(),
                audit.verify().ok,
            )
        )
    assert outcomes.count("cast") == 1 and len(outcomes) == 2
    assert "You have already voted in this budget" in [o for o in outcomes if o != "cast"][0]
    assert (rows, choices, entries, chain) == (1, 1, 1, True)
