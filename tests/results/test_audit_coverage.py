"""Every public function of insieme.results.actions is named here: each write appends to the
audit log, each read writes nothing. A new action cannot be added without saying which."""

from __future__ import annotations

import inspect

import pytest

from insieme.core.models import AuditEntry
from insieme.results import actions

pytestmark = pytest.mark.django_db

READS = {"result_path", "result_url", "ancestors", "rolled_up"}
LISTENERS = {"on_idea_answered"}  # calls result_for_idea, audited there


def writes(result, idea, carla, charlie):
    milestone = actions.add_milestone(carla, result, title="Tappa")
    return {
        "create_result": lambda: actions.create_result(carla, result.administration, title="x"),
        "result_for_idea": lambda: actions.result_for_idea(carla, idea),
        "update_result": lambda: actions.update_result(carla, result, title="Altro titolo"),
        "set_progress": lambda: actions.set_progress(carla, result, progress=10),
        "add_milestone": lambda: actions.add_milestone(carla, result, title="Altra"),
        "complete_milestone": lambda: actions.complete_milestone(carla, milestone),
        "add_link": lambda: actions.add_link(carla, result, kind="other", key="k", label="L"),
        "follow": lambda: actions.follow(charlie, result),
        "unfollow": lambda: (actions.follow(charlie, result), actions.unfollow(charlie, result)),
    }


def public_functions() -> set[str]:
    return {
        name
        for name, fn in inspect.getmembers(actions, inspect.isfunction)
        if fn.__module__ == actions.__name__ and not name.startswith("_")
    }


def test_every_action_is_named(result, idea, carla, charlie):
    named = set(writes(result, idea, carla, charlie)) | READS | LISTENERS
    assert public_functions() == named


def test_each_write_is_audited(result, idea, carla, charlie):
    for name, perform in writes(result, idea, carla, charlie).items():
        before = AuditEntry.objects.count()
        perform()
        assert AuditEntry.objects.count() > before, name


def test_an_update_that_changes_nothing_writes_nothing(result, carla):
    before = AuditEntry.objects.count()
    actions.update_result(carla, result, title=result.title)
    actions.add_link(carla, result, kind="other", key="k", label="L")
    middle = AuditEntry.objects.count()
    actions.add_link(carla, result, kind="other", key="k", label="L")
    assert middle == before + 1 and AuditEntry.objects.count() == middle
