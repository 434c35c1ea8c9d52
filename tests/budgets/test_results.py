"""Results: after voting closes, staff publish them once; projects ranked by votes (ties: lower
cost, then order), funded greedily while they fit, each funded project a result; counts hidden
before; a signed webhook event without personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from insieme.budgets import actions, tally
from insieme.budgets.models import Project
from insieme.core import events
from insieme.core.models import AuditEntry, today_in
from insieme.participation.models import Idea
from insieme.results.models import Result, ResultLink
from tests.budgets.conftest import budget_url, verify_at_counter
from tests.conftest import make_user


def rows(*specs):
    return [tally.Row(pk=i + 1, cost=c, votes=v, position=i + 1) for i, (c, v) in enumerate(specs)]


def test_ranked_by_votes_and_funded_while_they_fit():
    outcome = tally.allocate(rows((50, 10), (60, 9), (30, 5), (30, 0)), 100)
    assert [r.pk for r in outcome.rows] == [1, 2, 3, 4]
    # 1 fits (50 left), 2 does not (60 > 50), the cheaper 3 below it does; 4 has no vote.
    assert [r.pk for r in outcome.funded] == [1, 3]
    assert (outcome.spent, outcome.remaining) == (80, 20)


def test_ties_go_to_the_lower_cost_then_the_order():
    outcome = tally.allocate(rows((40, 7), (30, 7), (30, 7), (90, 8)), 100)
    assert [r.pk for r in outcome.rows] == [4, 2, 3, 1]
    assert [r.rank for r in outcome.rows] == [1, 2, 3, 4]
    assert [r.pk for r in outcome.funded] == [4]


def test_nothing_funded_without_ballots():
    outcome = tally.allocate(rows((10, 0), (20, 0)), 100)
    assert outcome.funded == [] and outcome.remaining == 100


def _vote(budget, bob, montalto, choices_per_voter):
    from tests.budgets.conftest import fiscal_code

    for n, choices in enumerate(choices_per_voter):
        voter = make_user(f"voter{n}@example.org", f"Voter {n}")
        verify_at_counter(
            bob, voter, montalto, fiscal_code(f"VTRVTR80A01F{n:03d}"), dt.date(1980, 1, 1)
        )
        actions.cast_ballot(voter, budget, [p.pk for p in choices])


def _close(budget, carla):
    today = today_in(budget.administration)
    actions.update_budget(
        carla,
        budget,
        voting_opens_on=today - dt.timedelta(days=10),
        voting_closes_on=today - dt.timedelta(days=1),
    )


def test_publishing_results(
    persona_client,
    client,
    budget,
    projects,
    carla,
    bob,
    montalto,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    big, mid, small, tiny = projects  # 60k, 30k, 25k, 10k of 100k
    idea_process = budget.process
    _vote(budget, bob, montalto, [[big, mid], [big, small], [mid, small, tiny], [big], [mid]])
    # While voting is open nobody sees counts, and results cannot be published.
    html = client.get(budget_url(budget)).content.decode()
    assert "Votes are counted when voting closes" in html
    with pytest.raises(ValidationError, match="once voting has closed"):
        actions.publish_results(carla, budget)
    _close(budget, carla)
    seen = []
    monkeypatch.setattr(events, "_listeners", [seen.append])
    with django_capture_on_commit_callbacks(execute=True):
        response = persona_client(carla).post(f"/staff/montalto/budgets/{budget.pk}/publish/")
    assert response.status_code == 302
    budget.refresh_from_db()
    assert budget.results_published
    ranked = list(Project.objects.filter(budget=budget).order_by("rank"))
    # big 3 votes, mid 3 votes (tie: mid is cheaper, first), small 2, tiny 1.
    assert [p.pk for p in ranked] == [mid.pk, big.pk, small.pk, tiny.pk]
    assert [p.votes for p in ranked] == [3, 3, 2, 1]
    # mid 30k (70k left), big 60k (10k left), small 25k does not fit, tiny 10k does.
    assert [p.is_funded for p in ranked] == [True, True, False, True]
    page = client.get(budget_url(budget, "results")).content.decode()
    assert "Funded" in page and "Not funded" in page and "€\xa00" in page
    assert "voter0@example.org" not in page
    # Each funded project is a result, linked back to the project.
    links = ResultLink.objects.filter(kind="budget_project")
    assert sorted(links.values_list("key", flat=True)) == sorted(
        f"project:{p.pk}" for p in (mid, big, tiny)
    )
    assert Result.objects.filter(process=idea_process).count() == 3
    # Once only.
    with pytest.raises(ValidationError, match="published already"):
        actions.publish_results(carla, budget)
    entry = AuditEntry.objects.get(action="budgets.results_published")
    assert entry.after["ballots"] == 5
    event = [e for e in seen if e.type == "budgets.results_published"]
    assert len(event) == 1 and set(event[0].data) == {
        "budget",
        "process",
        "administration",
        "total_cents",
        "spent_cents",
        "funded_projects",
    }
    assert event[0].data["spent_cents"] == 100_000_00


def test_a_project_from_an_idea_uses_the_ideas_result(budget, carla, bob, montalto, charlie):
    from insieme.participation import actions as participation

    idea = Idea.objects.create(process=budget.process, title="Più alberi", body="b", author=charlie)
    participation.answer_idea(carla, idea, kind="accepted", text="Sì.")
    project = actions.projects_from_ideas(carla, budget, {idea.pk: 5_000_00})[0]
    assert project.idea == idea and project.title == "Più alberi"
    _vote(budget, bob, montalto, [[project]])
    _close(budget, carla)
    actions.publish_results(carla, budget)
    assert Result.objects.filter(idea=idea).count() == 1
    assert ResultLink.objects.get(key=f"project:{project.pk}").result.idea == idea


def test_only_accepted_ideas_become_projects(budget, carla, charlie):
    idea = Idea.objects.create(process=budget.process, title="t", body="b", author=charlie)
    with pytest.raises(ValidationError, match="Only an accepted idea"):
        actions.projects_from_ideas(carla, budget, {idea.pk: 100})


def test_projects_freeze_once_ballots_are_cast(budget, projects, carla, bob, montalto):
    _vote(budget, bob, montalto, [[projects[3]]])
    with pytest.raises(ValidationError, match="can no longer change"):
        actions.save_project(carla, budget, projects[0], title="x", cost_cents=1)
    with pytest.raises(ValidationError, match="can no longer change"):
        actions.delete_project(carla, projects[0])
    with pytest.raises(ValidationError, match="can no longer change"):
        actions.update_budget(carla, budget, total_cents=1)


@pytest.mark.parametrize("who", ["bob", "dario", "elena", "alice", "oscar", "charlie"])
def test_only_budget_managers_publish(persona_client, request, budget, projects, carla, who):
    _close(budget, carla)
    user = request.getfixturevalue(who)
    response = persona_client(user).post(f"/staff/montalto/budgets/{budget.pk}/publish/")
    assert response.status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        actions.publish_results(user, budget)
    budget.refresh_from_db()
    assert not budget.results_published
