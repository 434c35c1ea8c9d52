"""Official answers (accepted, under evaluation, rejected with a reason) by staff holding
participation:idea:answer: shown on the idea and the process pages, e-mailed to the idea's
supporters and followers. Evaluators assigned to an idea keep private notes that only staff see,
never a public page."""

from __future__ import annotations

import pytest
from django.core import mail

from insieme.core.models import AuditEntry
from insieme.participation import actions
from insieme.participation.models import EvaluationNote, Evaluator, OfficialAnswer
from tests.participation.conftest import idea_url, process_url

STAFF_IDEA = "/staff/montalto/participation/ideas/{pk}/"


def test_an_answer_notifies_supporters_and_followers(
    persona_client, idea, carla, charlie, sara, bob, dario, django_capture_on_commit_callbacks
):
    actions.support_idea(sara, idea)
    actions.follow(dario, idea=idea)
    actions.support_idea(bob, idea)
    actions.follow(bob, idea=idea)  # supports and follows: one e-mail
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = persona_client(carla).post(
            STAFF_IDEA.format(pk=idea.pk) + "answer/",
            {"kind": "accepted", "text": "Sarà fatto entro l'estate."},
        )
    assert response.status_code == 302
    answered = [m for m in mail.outbox if m.subject.startswith("Idea ")]
    recipients = sorted(m.to[0] for m in answered)
    # The author follows their idea; the answering manager is not mailed. (Co-design files the
    # accepted idea's work item and its assignee gets the case's own e-mail.)
    assert recipients == sorted(
        [
            "charlie@example.org",
            "sara@example.org",
            "dario@montalto.example",
            "bob@montalto.example",
        ]
    )
    message = next(m for m in answered if m.to == ["sara@example.org"])
    assert "Accepted" in message.subject and "Sarà fatto entro l'estate." in message.body
    # Plain text: the idea's title as written, never HTML-escaped.
    assert f"“{idea.title}”" in message.subject and "&#x27;" not in message.subject + message.body
    assert "'" in idea.title
    assert idea_url(idea) in message.body
    idea.refresh_from_db()
    assert idea.answer == "accepted" and idea.answered_at is not None
    entry = AuditEntry.objects.get(action="participation.idea.answered")
    assert entry.before == {"answer": ""} and entry.after["answer"] == "accepted"


def test_a_rejection_needs_a_reason(persona_client, idea, carla):
    client = persona_client(carla)
    response = client.post(STAFF_IDEA.format(pk=idea.pk) + "answer/", {"kind": "rejected"})
    assert response.status_code == 400
    assert "Say why the idea is rejected" in response.content.decode()
    assert not OfficialAnswer.objects.exists()
    response = client.post(
        STAFF_IDEA.format(pk=idea.pk) + "answer/", {"kind": "rejected", "text": "Area vincolata."}
    )
    assert response.status_code == 302
    html = persona_client(carla).get(idea_url(idea)).content.decode()
    assert "Rejected" in html and "Area vincolata." in html


@pytest.mark.parametrize("kind", ["maybe", ""])
def test_an_unknown_answer_is_refused(persona_client, idea, carla, kind):
    response = persona_client(carla).post(STAFF_IDEA.format(pk=idea.pk) + "answer/", {"kind": kind})
    assert response.status_code == 400
    assert not OfficialAnswer.objects.exists()


def test_answers_show_on_the_idea_and_the_process_pages(client, idea, carla):
    actions.answer_idea(carla, idea, kind="evaluating", text="Stiamo verificando i costi.")
    actions.answer_idea(carla, idea, kind="accepted", text="Approvata.")
    html = client.get(idea_url(idea)).content.decode()
    assert html.index("Approvata.") < html.index("Stiamo verificando i costi.")  # newest first
    landing = client.get(process_url(idea.process)).content.decode()
    table = landing[landing.index("input-heading") :]
    assert "?answer=accepted" in table and "<td>1</td>" in table


def test_citizens_and_other_administrations_cannot_answer(persona_client, idea, charlie, oscar):
    assert (
        persona_client(charlie)
        .post(STAFF_IDEA.format(pk=idea.pk) + "answer/", {"kind": "accepted"})
        .status_code
        == 404
    )
    assert persona_client(oscar).get(STAFF_IDEA.format(pk=idea.pk)).status_code == 404
    assert not OfficialAnswer.objects.exists()


def test_evaluators_and_their_private_notes(
    persona_client, client, idea, carla, bob, charlie, django_capture_on_commit_callbacks
):
    manager = persona_client(carla)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(STAFF_IDEA.format(pk=idea.pk) + "evaluators/", {"user": bob.pk})
    assert response.status_code == 302
    assert Evaluator.objects.get().user == bob
    assert mail.outbox[-1].to == ["bob@montalto.example"]
    officer = persona_client(bob)
    secret = "Costo stimato 8.000 euro; sentire il bilancio."
    response = officer.post(STAFF_IDEA.format(pk=idea.pk) + "notes/", {"text": secret})
    assert response.status_code == 302
    assert EvaluationNote.objects.get().author == bob
    assert secret in officer.get(STAFF_IDEA.format(pk=idea.pk)).content.decode()
    # Never on a public page, whoever reads it (staff included), nor in the audit entry.
    for reader in (client, persona_client(charlie), officer, manager):
        for url in (
            idea_url(idea),
            process_url(idea.process),
            process_url(idea.process) + "ideas/",
        ):
            assert secret not in reader.get(url).content.decode()
    assert secret not in str(AuditEntry.objects.get(action="participation.idea.note_added").after)
    # Removing the evaluator.
    row = Evaluator.objects.get()
    assert (
        manager.post(
            STAFF_IDEA.format(pk=idea.pk) + "evaluator-remove/", {"evaluator": row.pk}
        ).status_code
        == 302
    )
    assert not Evaluator.objects.exists()


def test_only_assigned_evaluators_and_answerers_write_notes(persona_client, idea, bob, dario):
    response = persona_client(dario).post(STAFF_IDEA.format(pk=idea.pk) + "notes/", {"text": "x"})
    assert response.status_code == 403  # a supervisor evaluates, but is not assigned here
    assert not EvaluationNote.objects.exists()


def test_an_evaluator_must_hold_the_permission(persona_client, idea, carla, elena, oscar):
    client = persona_client(carla)
    for user in (elena, oscar):
        response = client.post(STAFF_IDEA.format(pk=idea.pk) + "evaluators/", {"user": user.pk})
        assert response.status_code == 400
    assert not Evaluator.objects.exists()
    assert client.post(STAFF_IDEA.format(pk=idea.pk) + "nonsense/", {}).status_code == 404
    assert (
        client.post(
            STAFF_IDEA.format(pk=idea.pk) + "evaluator-remove/", {"evaluator": "abc"}
        ).status_code
        == 404
    )
