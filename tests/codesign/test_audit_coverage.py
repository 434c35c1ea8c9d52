"""Every public function of insieme.codesign.actions is named here: each write appends to the
audit log, each read writes nothing. A new action cannot be added without saying which."""

from __future__ import annotations

import inspect

from insieme.codesign import actions, snapshots
from insieme.codesign.models import WorkItem
from insieme.core.models import AuditEntry
from insieme.participation import actions as participation
from tests.codesign.conftest import FIELD
from tests.participation.conftest import make_idea

READS = {"idea_url", "staff_case_url", "target_service", "public_path"}
LISTENERS = {"on_idea_answered"}  # calls create_work_item, audited there
SECOND = {**FIELD, "code": "second", "label": "Seconda domanda", "translations": {}}


def public_functions() -> set[str]:
    return {
        name
        for name, fn in inspect.getmembers(actions, inspect.isfunction)
        if fn.__module__ == actions.__name__ and not name.startswith("_")
    }


def writes(change, carla, charlie, lagoverde) -> list[tuple[str, object]]:
    """In order: each step builds on the one before."""

    def terms():
        proposed = snapshots.normalise(change.proposed)
        sla = {**proposed["sla"], "resolve_days": proposed["sla"]["resolve_days"] + 1}
        return actions.set_terms(carla, change, channels=proposed["channels"], sla=sla)

    def proposed_again():
        proposed = snapshots.normalise(change.proposed)
        proposed["fields"][-1]["label"] = "Ancora un'altra domanda"
        return actions.set_proposed(carla, change, proposed)

    def fresh_work_item():
        idea = make_idea(change.idea.process, charlie, title="Un'altra idea")
        participation.answer_idea(carla, idea, kind="accepted")
        WorkItem.objects.filter(idea=idea).delete()  # as if accepted before co-design came
        return actions.create_work_item(carla, idea)

    def withdrawn():
        other = actions.start_change(carla, change.service, title="Un'altra", rationale="Perché.")
        return actions.withdraw(carla, other)

    return [
        ("update_texts", lambda: actions.update_texts(carla, change, title="T", rationale="R")),
        ("save_field", lambda: actions.save_field(carla, change, dict(FIELD))),
        ("set_proposed", lambda: actions.save_field(carla, change, dict(SECOND))),
        ("move_field", lambda: actions.move_field(carla, change, "second", "up")),
        ("remove_field", lambda: actions.remove_field(carla, change, "pedestrians")),
        ("set_terms", terms),
        ("add_trace", lambda: actions.add_trace(carla, change, field="second", policy_need="P")),
        ("remove_trace", lambda: actions.remove_trace(carla, change, part="traces", index=0)),
        ("open_for_comments", lambda: actions.open_for_comments(carla, change)),
        ("adopt", lambda: actions.adopt(carla, change)),
        (
            "start_change",
            lambda: actions.start_change(carla, change.service, title="N", rationale="R"),
        ),
        ("withdraw", withdrawn),
        ("create_work_item", fresh_work_item),
        ("internal_service", lambda: actions.internal_service(lagoverde)),
        ("set_proposed again", proposed_again),
    ]


def test_every_action_is_named(change, carla, charlie, lagoverde):
    named = {name.split()[0] for name, _ in writes(change, carla, charlie, lagoverde)}
    assert public_functions() == named | READS | LISTENERS


def test_each_write_is_audited(change, carla, charlie, lagoverde):
    steps = writes(change, carla, charlie, lagoverde)
    for name, perform in steps[:-1]:  # the last one edits an adopted proposal: refused
        before = AuditEntry.objects.count()
        perform()
        change.refresh_from_db()
        assert AuditEntry.objects.count() > before, name


def test_an_edit_that_changes_nothing_writes_nothing(change, carla):
    actions.save_field(carla, change, dict(FIELD))
    saved = snapshots.normalise(change.proposed)["fields"][-1]
    before = AuditEntry.objects.count()
    actions.save_field(carla, change, {**FIELD, "order": saved["order"]}, code="pedestrians")
    actions.move_field(carla, change, "pedestrians", "down")  # the last: nowhere to go
    assert AuditEntry.objects.count() == before
