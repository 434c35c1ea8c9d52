"""Computing and storing the topics: the action (permission, seed, audit, pruning), the command
`insieme topics compute` and the nightly task."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from insieme.core.models import AuditEntry
from insieme.topics import actions, tasks
from insieme.topics.models import Run

pytestmark = pytest.mark.django_db


def test_a_run_is_stored_with_its_parameters_and_audited(run, texts):
    assert run.seed == 7 and run.documents == 23
    assert run.parameters["method"] == "tf-idf + nmf" and run.parameters["topics"] == 2
    assert run.totals["cases"]["all"] == 21 and run.totals["ideas"]["all"] == 2
    assert run.topics.count() == 2
    entry = AuditEntry.objects.filter(action="topics.computed").latest("seq")
    assert entry.after == {"seed": 7, "documents": 23, "topics": 2}


def test_the_same_seed_stores_the_same_topics(run, texts):
    again = actions.compute(None, texts, seed=7)
    fields = ("number", "label", "terms", "size", "counts", "examples")
    assert list(run.topics.values(*fields)) == list(again.topics.values(*fields))


def test_only_staff_who_read_topics_may_compute(texts, bob, dario):
    with pytest.raises(PermissionDenied):
        actions.compute(bob, texts)
    assert actions.compute(dario, texts).topics.exists()


@pytest.mark.parametrize("seed", [-1, 2**31, "7"])
def test_a_bad_seed_is_refused(texts, seed):
    with pytest.raises(ValidationError):
        actions.compute(None, texts, seed=seed)
    assert not Run.objects.exists()


def test_old_runs_are_pruned(texts):
    for _ in range(actions.KEEP + 2):
        actions.compute(None, texts)
    assert Run.objects.filter(administration=texts).count() == actions.KEEP


def test_the_command_computes_one_or_every_administration(texts, lagoverde):
    out = io.StringIO()
    call_command("topics", "compute", "--administration", "montalto", "--seed", "3", stdout=out)
    assert "montalto: 2 topics in 23 texts (seed 3" in out.getvalue()
    assert Run.objects.get().seed == 3
    call_command("topics", "compute", stdout=io.StringIO())
    # Only administrations with text: Lago Verde has none.
    assert not Run.objects.filter(administration=lagoverde).exists()
    assert Run.objects.filter(administration=texts).count() == 2
    with pytest.raises(CommandError):
        call_command("topics", "compute", "--administration", "nowhere", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("topics", "compute", "--seed", "-5", stdout=io.StringIO())


def test_the_nightly_task(texts):
    assert tasks.compute_all() == 1
    assert Run.objects.filter(administration=texts).count() == 1
