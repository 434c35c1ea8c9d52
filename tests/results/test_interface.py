"""The actions other apps call (codesign, budgets): result_for_idea, create_result, add_link,
set_progress."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from insieme.core.models import AuditEntry
from insieme.participation import actions as participation_actions
from insieme.results import actions
from insieme.results.models import Result, ResultLink, ResultUpdate, Status
from tests.results.conftest import make_idea

pytestmark = pytest.mark.django_db


def test_result_for_idea_is_idempotent(idea, carla):
    first = actions.result_for_idea(carla, idea)
    again = actions.result_for_idea(None, idea)
    assert first.pk == again.pk
    assert Result.objects.filter(idea=idea).count() == 1
    assert first.title == idea.title and first.description == idea.body
    assert first.process_id == idea.process_id
    assert first.administration_id == idea.process.administration_id
    assert first.status == Status.PLANNED and first.progress == 0
    assert AuditEntry.objects.filter(action="results.result.created").count() == 1


def test_accepting_an_idea_makes_its_result(accepted):
    result = Result.objects.get(idea=accepted)
    assert result.title == accepted.title


def test_other_answers_make_no_result(idea, carla):
    participation_actions.answer_idea(carla, idea, kind="evaluating")
    participation_actions.answer_idea(carla, idea, kind="rejected", text="Non possiamo.")
    assert not Result.objects.filter(idea=idea).exists()


def test_accepting_twice_keeps_one_result(process, charlie, carla):
    idea = make_idea(process, charlie, title="Fontanelle")
    participation_actions.answer_idea(carla, idea, kind="accepted")
    participation_actions.answer_idea(carla, idea, kind="evaluating")
    participation_actions.answer_idea(carla, idea, kind="accepted")
    assert Result.objects.filter(idea=idea).count() == 1


def test_result_for_idea_needs_the_permission(idea, bob, charlie, oscar):
    for person in (bob, charlie, oscar):
        with pytest.raises(PermissionDenied):
            actions.result_for_idea(person, idea)
    assert not Result.objects.exists()


def test_create_result_validates(montalto, lagoverde, carla, process):
    with pytest.raises(ValidationError) as exc:
        actions.create_result(carla, montalto, title="  ")
    assert "title" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_result(carla, montalto, title="x", weight=0)
    assert "weight" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_result(carla, montalto, title="x", status="done")
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_result(carla, montalto, title="x", translations={"fr": {"title": "y"}})
    assert "translations" in exc.value.message_dict
    other = actions.create_result(None, lagoverde, title="Lago")
    with pytest.raises(ValidationError) as exc:
        actions.create_result(carla, montalto, title="x", parent=other)
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_result(None, lagoverde, title="x", process=process)
    assert "process" in exc.value.message_dict
    import datetime as dt

    with pytest.raises(ValidationError) as exc:
        actions.create_result(
            carla, montalto, title="x", starts_on=dt.date(2026, 5, 2), due_on=dt.date(2026, 5, 1)
        )
    assert "due_on" in exc.value.message_dict
    assert Result.objects.count() == 1


def test_create_result_permissions(montalto, alice, bob, carla, rita, oscar, charlie):
    assert actions.create_result(carla, montalto, title="a").pk
    assert actions.create_result(rita, montalto, title="b").pk  # the region reaches Montalto
    for person in (alice, bob, oscar, charlie):
        with pytest.raises(PermissionDenied):
            actions.create_result(person, montalto, title="c")


def test_add_link_is_idempotent_by_key(result, carla):
    link = actions.add_link(
        carla, result, kind="work_item", key="codesign.workitem:1", label="Posa panchine"
    )
    again = actions.add_link(
        None, result, kind="work_item", key="codesign.workitem:1", label="Posa panchine"
    )
    assert link.pk == again.pk
    assert ResultLink.objects.count() == 1
    assert AuditEntry.objects.filter(action="results.link.added").count() == 1
    assert not AuditEntry.objects.filter(action="results.link.updated").exists()
    changed = actions.add_link(
        None,
        result,
        kind="work_item",
        key="codesign.workitem:1",
        label="Posa di 20 panchine",
        url="/staff/montalto/x/",
        staff_only=True,
    )
    assert changed.pk == link.pk and changed.label == "Posa di 20 panchine" and changed.staff_only
    assert AuditEntry.objects.filter(action="results.link.updated").count() == 1


@pytest.mark.parametrize(
    "field,value",
    [
        ("kind", "nothing"),
        ("key", ""),
        ("label", ""),
        ("url", "javascript:alert(1)"),
        ("url", "//evil.example/x"),
        ("url", "ftp://x"),
    ],
)
def test_add_link_refuses_bad_input(result, carla, field, value):
    values = {"kind": "other", "key": "k", "label": "L", "url": ""}
    values[field] = value
    with pytest.raises(ValidationError) as exc:
        actions.add_link(carla, result, **values)
    assert field in exc.value.message_dict
    assert not ResultLink.objects.exists()


def test_set_progress_records_an_update(result, carla):
    update = actions.set_progress(carla, result, progress=40, note="Ordinate le panchine.")
    result.refresh_from_db()
    assert result.progress == 40 and result.status == Status.IN_PROGRESS
    assert update.progress == 40 and update.note == "Ordinate le panchine."
    assert update.author == carla
    done = actions.set_progress(carla, result, progress=100)
    result.refresh_from_db()
    assert result.status == Status.COMPLETED and result.completed_on is not None
    assert done.status == Status.COMPLETED
    assert ResultUpdate.objects.filter(result=result).count() == 2
    assert AuditEntry.objects.filter(action="results.progress.set").count() == 2


def test_set_progress_validates(result, carla, bob):
    for bad in (-1, 101, "many", None):
        with pytest.raises(ValidationError):
            actions.set_progress(carla, result, progress=bad)
    with pytest.raises(ValidationError):
        actions.set_progress(carla, result, progress=50, status="completed")
    with pytest.raises(ValidationError):
        actions.set_progress(carla, result, progress=50, status="finished")
    with pytest.raises(PermissionDenied):
        actions.set_progress(bob, result, progress=50)
    result.refresh_from_db()
    assert result.progress == 0
    assert not ResultUpdate.objects.exists()


def test_delayed_and_cancelled_statuses(result, carla):
    actions.set_progress(carla, result, progress=30, status="delayed", note="Fornitore in ritardo")
    result.refresh_from_db()
    assert result.status == Status.DELAYED
    actions.set_progress(carla, result, progress=30, status="cancelled")
    result.refresh_from_db()
    assert result.status == Status.CANCELLED and result.completed_on is None


def test_events_for_public_results_without_personal_data(result, montalto, carla, charlie):
    from insieme.core import events

    seen = []

    def recorder(event):
        if event.type.startswith("results."):
            seen.append(event)

    events.listen(recorder, in_transaction=True)
    try:
        actions.follow(charlie, result)
        actions.set_progress(carla, result, progress=30, note="Avanti")
        actions.create_result(carla, montalto, title="Bozza", is_published=False)
    finally:
        events._recorders.remove(recorder)
    assert [e.type for e in seen] == ["results.progress_updated"]
    data = seen[0].data
    assert data["result"] == result.pk and data["progress"] == 30 and data["note"] == "Avanti"
    text = str(data)
    for secret in ("carla", "charlie", "Carla", "Charlie"):
        assert secret not in text
