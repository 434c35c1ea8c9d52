"""Moderation: anyone signed in reports a comment (once); moderators (participation:comment:
moderate) hide it with a public reason, keep it, or show it again; a hidden comment's text never
reaches a page (nor the audit log); every decision is in the moderation log and the audit hash
chain, which stays intact."""

from __future__ import annotations

import pytest

from insieme.core import audit
from insieme.core.models import AuditEntry
from insieme.participation import actions
from insieme.participation.models import CommentFlag, ModerationAction
from tests.participation.conftest import idea_url, process_url

SECRET = "Testo offensivo che nessuno deve rileggere"


@pytest.fixture
def bad(idea, sara):
    return actions.add_comment(sara, idea=idea, body=SECRET, limit=False)


def _report(client, comment, reason="abuse"):
    return client.post(f"/participation/montalto/comments/{comment.pk}/report/", {"reason": reason})


def test_anyone_signed_in_reports_once(persona_client, client, bad, charlie, bob):
    page = persona_client(charlie).get(f"/participation/montalto/comments/{bad.pk}/report/")
    assert page.status_code == 200 and 'type="radio"' in page.content.decode()
    assert _report(persona_client(charlie), bad).status_code == 302
    again = persona_client(charlie).post(
        f"/participation/montalto/comments/{bad.pk}/report/", {"reason": "spam"}, follow=True
    )
    assert "You reported this comment already." in again.content.decode()
    assert _report(persona_client(bob), bad, "spam").status_code == 302
    bad.refresh_from_db()
    assert (bad.flags_count, bad.pending_flags, CommentFlag.objects.count()) == (2, 2, 2)
    assert _report(client, bad).status_code == 302  # anonymous: log in first
    assert CommentFlag.objects.count() == 2


def test_bad_reports_and_own_comments(persona_client, bad, sara, charlie):
    assert _report(persona_client(charlie), bad, "because").status_code == 400
    response = _report(persona_client(sara), bad)  # her own
    assert response.status_code == 400
    assert "You cannot report your own comment." in response.content.decode()
    assert not CommentFlag.objects.exists()
    assert (
        persona_client(charlie).get("/participation/montalto/comments/999999/report/").status_code
        == 404
    )


def test_a_moderator_hides_a_comment_with_a_public_reason(
    persona_client, client, bad, idea, carla, charlie, alice
):
    _report(persona_client(charlie), bad)
    moderator = persona_client(alice)  # the administrator moderates too
    queue = moderator.get("/staff/montalto/participation/moderation/").content.decode()
    assert SECRET in queue and "Offensive, abusive or discriminating: 1" in queue
    url = f"/staff/montalto/participation/moderation/comments/{bad.pk}/"
    missing = moderator.post(url, {"action": "hide", "reason": ""})
    assert missing.status_code == 400
    assert "Give the reason: it is shown in place of the comment." in missing.content.decode()
    response = moderator.post(url, {"action": "hide", "reason": "Linguaggio offensivo."})
    assert response.status_code == 302
    bad.refresh_from_db()
    assert bad.is_hidden and bad.hidden_by == alice and bad.pending_flags == 0
    # Every page says it was hidden and why, and none shows its text.
    pages = [
        idea_url(idea),
        process_url(idea.process),
        process_url(idea.process) + "ideas/",
        f"/participation/montalto/comments/{bad.pk}/reply/",
        f"/participation/montalto/comments/{bad.pk}/report/",
        "/",
    ]
    for reader in (client, persona_client(charlie), moderator, persona_client(carla)):
        for page in pages:
            assert SECRET not in reader.get(page).content.decode(), page
    assert (
        "Hidden by the moderators: Linguaggio offensivo."
        in client.get(idea_url(idea)).content.decode()
    )
    for staff_page in (
        "/staff/montalto/participation/moderation/",
        "/staff/montalto/participation/moderation/log/",
        url,
        "/staff/montalto/audit/",
    ):
        assert SECRET not in moderator.get(staff_page).content.decode(), staff_page
    log = moderator.get("/staff/montalto/participation/moderation/log/").content.decode()
    assert "Linguaggio offensivo." in log and "Hidden" in log and "Alice Admin" in log
    entry = AuditEntry.objects.get(action="participation.comment.hidden")
    assert entry.actor == alice and entry.after["reason"] == "Linguaggio offensivo."
    assert all(SECRET not in str(e.after) + e.object_repr for e in AuditEntry.objects.all())
    assert audit.verify().ok


def test_keep_and_show_again_are_logged(persona_client, bad, charlie, carla):
    _report(persona_client(charlie), bad)
    moderator = persona_client(carla)
    url = f"/staff/montalto/participation/moderation/comments/{bad.pk}/"
    assert (
        moderator.post(url, {"action": "keep", "reason": "Critica legittima."}).status_code == 302
    )
    bad.refresh_from_db()
    assert bad.pending_flags == 0 and not bad.is_hidden
    assert (
        "No reported comment waits for a decision."
        in moderator.get("/staff/montalto/participation/moderation/").content.decode()
    )
    assert moderator.post(url, {"action": "keep"}).status_code == 400  # nothing waits
    assert moderator.post(url, {"action": "hide", "reason": "Rivisto."}).status_code == 302
    assert (
        moderator.post(url, {"action": "restore", "reason": "Ricorso accolto."}).status_code == 302
    )
    bad.refresh_from_db()
    assert not bad.is_hidden
    kinds = list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["kept", "hidden", "restored"]
    actions_audited = AuditEntry.objects.filter(action__startswith="participation.comment.")
    assert {
        "participation.comment.kept",
        "participation.comment.hidden",
        "participation.comment.restored",
    } <= set(actions_audited.values_list("action", flat=True))
    assert moderator.post(url, {"action": "restore"}).status_code == 400  # not hidden
    assert moderator.post(url, {"action": "delete-everything"}).status_code == 400
    assert audit.verify().ok


@pytest.mark.parametrize(
    ("persona", "status"),
    [("bob", 403), ("dario", 403), ("elena", 403), ("oscar", 404), ("charlie", 404)],
)
def test_only_moderators_moderate(request, persona_client, bad, persona, status):
    client = persona_client(request.getfixturevalue(persona))
    url = f"/staff/montalto/participation/moderation/comments/{bad.pk}/"
    assert client.get(url).status_code == status
    assert client.post(url, {"action": "hide", "reason": "x"}).status_code == status
    bad.refresh_from_db()
    assert not bad.is_hidden and not ModerationAction.objects.exists()


def test_a_hidden_comment_takes_no_reply_nor_report(persona_client, bad, carla, charlie):
    actions.hide_comment(carla, bad, "Spam.")
    reply = persona_client(charlie).post(
        f"/participation/montalto/comments/{bad.pk}/reply/", {"body": "x"}
    )
    assert "This comment takes no replies." in reply.content.decode()
    report = _report(persona_client(charlie), bad)
    assert (
        report.status_code == 400 and "This comment is hidden already." in report.content.decode()
    )
