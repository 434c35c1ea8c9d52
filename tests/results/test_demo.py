"""The demo's results: accepted ideas at every stage, a plan with weighted parts whose progress
is rolled up, milestones in both languages, updates, links and followers; the audit chain
intact."""

from __future__ import annotations

import pytest

from insieme.core import audit
from insieme.participation.models import Idea
from insieme.results.actions import rolled_up
from insieme.results.models import Milestone, Result, ResultFollow, ResultLink, ResultUpdate, Status


@pytest.fixture
def demo(loaded_demo):
    """The demo region, loaded once for every test that wants it (tests/demo/conftest.py)."""
    return loaded_demo


@pytest.mark.django_db
def test_demo_results(demo):
    assert Result.objects.filter(idea__answer=Idea.Answer.ACCEPTED).count() >= 8
    statuses = set(Result.objects.values_list("status", flat=True))
    assert {Status.PLANNED, Status.IN_PROGRESS, Status.DELAYED, Status.COMPLETED} <= statuses
    plans = Result.objects.filter(children__isnull=False).distinct()
    assert plans.exists()
    for plan in plans:
        assert plan.progress == rolled_up(plan.pk)
        assert plan.translations["en"]["title"]
    assert Milestone.objects.filter(done_on__isnull=False).exists()
    assert all(m.translations.get("en") for m in Milestone.objects.all())
    assert ResultUpdate.objects.exists() and ResultFollow.objects.exists()
    assert ResultLink.objects.filter(staff_only=True).exists()
    assert audit.verify().ok
