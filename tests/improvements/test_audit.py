"""Every public function of insieme.improvements.actions is named here: each write appends to
the audit log, each read writes nothing; an update that changes nothing writes nothing."""

from __future__ import annotations

import inspect

import pytest

from insieme.core import audit
from insieme.core.models import AuditEntry
from insieme.improvements import actions

pytestmark = pytest.mark.django_db

READS = {"is_active_staff"}


def writes(item, dario, carla):
    return {
        "open_item": lambda: actions.open_item(
            dario, item.administration, title="x", source="other", owner=dario
        ),
        "update_item": lambda: actions.update_item(dario, item, owner=carla),
        "set_status": lambda: actions.set_status(dario, item, "in_progress"),
        "close_as_done": lambda: actions.close_as_done(dario, item),
        "drop_item": lambda: actions.drop_item(
            dario,
            actions.open_item(dario, item.administration, title="y", source="other", owner=dario),
            reason="Non serve",
        ),
    }


def public_functions() -> set[str]:
    return {
        name
        for name, fn in inspect.getmembers(actions, inspect.isfunction)
        if fn.__module__ == actions.__name__ and not name.startswith("_")
    }


def test_every_action_is_named(item, dario, carla):
    assert public_functions() == set(writes(item, dario, carla)) | READS


def test_each_write_is_audited(item, dario, carla):
    for name, perform in writes(item, dario, carla).items():
        before = AuditEntry.objects.count()
        perform()
        assert AuditEntry.objects.count() > before, name
    assert audit.verify().ok


def test_the_entries_say_what_changed(item, dario, carla):
    actions.update_item(dario, item, owner=carla)
    entry = AuditEntry.objects.filter(action="improvements.item.updated").get()
    assert entry.before == {"owner_id": dario.pk} and entry.after == {"owner_id": carla.pk}
    actions.close_as_done(dario, item)
    done = AuditEntry.objects.filter(action="improvements.item.done").get()
    assert done.after["value_before"] == 0.4 and done.after["status"] == "done"


def test_an_update_that_changes_nothing_writes_nothing(item, dario):
    before = AuditEntry.objects.count()
    actions.update_item(dario, item, title=item.title, owner=dario)
    actions.set_status(dario, item, item.status)
    assert AuditEntry.objects.count() == before
