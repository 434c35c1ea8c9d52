"""The demo's budgets: a register of the largest municipality's residents (hashed), about 100
verified voters with ballots in a budget whose voting is open, a past budget with its results
published (its funded projects results); the audit chain intact."""

from __future__ import annotations

import pytest

from insieme.budgets.models import Ballot, Budget, Project, RegisterEntry, Verification
from insieme.core import audit
from insieme.core.models import today_in
from insieme.results.models import ResultLink


@pytest.fixture
def demo(loaded_demo):
    """The demo region, loaded once for every test that wants it (tests/demo/conftest.py)."""
    return loaded_demo


def test_the_demo_has_a_budget_with_ballots_and_a_past_one_with_results(demo, db):
    if True:
        open_budget = Budget.objects.get(kind="knapsack")
        today = today_in(open_budget.administration)
        assert open_budget.voting_state(today) == "open"
        projects = Project.objects.filter(budget=open_budget)
        assert 8 <= projects.count() <= 12
        assert projects.filter(idea__isnull=False).exists()
        assert projects.filter(idea__isnull=True).exists()
        ballots = Ballot.objects.filter(budget=open_budget)
        assert 80 <= ballots.count() <= 100
        for ballot in ballots.prefetch_related("choices__project"):
            cost = sum(c.project.cost_cents for c in ballot.choices.all())
            assert 0 < cost <= open_budget.total_cents
        assert Verification.objects.count() >= 95
        assert RegisterEntry.objects.count() >= 100
        past = Budget.objects.get(kind="approval")
        assert past.results_published and past.voting_state(today) == "closed"
        funded = Project.objects.filter(budget=past, is_funded=True)
        assert funded.exists()
        assert ResultLink.objects.filter(kind="budget_project").count() == funded.count()
        assert open_budget.translations["en"]["title"] == "Participatory budget 2026"
        assert audit.verify().ok
