"""Comment threads on registered targets (insieme.participation.threads): the public case's page
shows its thread through a page panel, comments are posted, replied to, reported and moderated
by the same code as comments on ideas; private cases and unknown kinds answer 404; the check
constraint keeps exactly one target; official comments carry the administration's name."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from insieme.cases.models import Case
from insieme.core.models import AuditEntry
from insieme.participation import actions, threads
from insieme.participation.models import Comment, ModerationAction
from tests.cases.conftest import filed_case  # noqa: F401  (fixture)
from tests.catalog.conftest import cat  # noqa: F401  (fixture)
from tests.conftest import sign_in


def case_url(case) -> str:
    return f"/cases/{case.administration.slug}/{case.reference}/"


def post_url(case) -> str:
    return f"/participation/threads/cases.public_case/{case.pk}/comments/"


@pytest.fixture
def public_case(filed_case):  # noqa: F811
    assert filed_case.is_public
    return filed_case


def test_the_public_case_page_shows_its_thread_and_form(public_case, sara):
    page = Client().get(case_url(public_case))
    assert page.status_code == 200
    assert b'id="comments"' in page.content
    assert b"Log in to comment" in page.content
    page = sign_in(Client(), sara).get(case_url(public_case))
    assert post_url(public_case).encode() in page.content


def test_a_comment_on_a_public_case_is_posted_audited_and_shown(public_case, sara):
    client = sign_in(Client(), sara)
    response = client.post(
        post_url(public_case), {"body": "Anche io ci sono caduta.", "show_name": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == case_url(public_case) + "#comments"
    comment = Comment.objects.get()
    assert (comment.target_type, comment.target_id) == ("cases.public_case", public_case.pk)
    assert comment.process_id is None and comment.idea_id is None
    assert comment.administration_id == public_case.administration_id
    entry = AuditEntry.objects.filter(action="participation.comment.created").latest("seq")
    assert entry.after["target"] == f"cases.public_case:{public_case.pk}"
    assert "caduta" not in str(entry.after)
    page = Client().get(case_url(public_case))
    assert b"Anche io ci sono caduta." in page.content
    assert b"Sara M." in page.content


def test_replies_reports_and_hiding_use_the_same_paths(public_case, sara, charlie, carla):
    root = actions.add_comment(sara, target=public_case, body="Prima", limit=False)
    client = sign_in(Client(), charlie)
    reply = client.post(
        f"/participation/montalto/comments/{root.pk}/reply/",
        {"body": "Risposta", "show_name": "on"},
    )
    assert reply.status_code == 302 and reply["Location"].startswith(case_url(public_case))
    child = Comment.objects.get(parent=root)
    assert child.target_type == "cases.public_case" and child.root_id == root.pk
    flagged = client.post(f"/participation/montalto/comments/{root.pk}/report/", {"reason": "spam"})
    assert flagged.status_code == 302
    root.refresh_from_db()
    assert root.pending_flags == 1
    queue = sign_in(Client(), carla).get("/staff/montalto/participation/moderation/")
    assert f"Case {public_case.reference}".encode() in queue.content
    assert f"{case_url(public_case)}#comment-{root.pk}".encode() in queue.content
    decided = sign_in(Client(), carla).post(
        f"/staff/montalto/participation/moderation/comments/{root.pk}/",
        {"action": "hide", "reason": "Pubblicità", "ground": "spam"},
    )
    assert decided.status_code == 302
    page = Client().get(case_url(public_case))
    assert b"Hidden by the moderators: Pubblicit" in page.content
    assert b"Prima" not in page.content
    assert ModerationAction.objects.filter(comment=root, kind="hidden").exists()


def test_a_private_case_takes_no_comment_and_shows_no_thread(public_case, sara):
    Case.objects.filter(pk=public_case.pk).update(is_public=False)
    client = sign_in(Client(), sara)
    assert client.post(post_url(public_case), {"body": "x"}).status_code == 404
    assert not Comment.objects.exists()
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied through the action
        public_case.refresh_from_db()
        actions.add_comment(sara, target=public_case, body="x", limit=False)


@pytest.mark.parametrize(
    "url",
    [
        "/participation/threads/no.such/1/comments/",
        "/participation/threads/participation.process/1/comments/",
        "/participation/threads/cases.public_case/999999/comments/",
    ],
)
def test_unknown_kinds_and_rows_answer_404(db, sara, url):
    assert sign_in(Client(), sara).post(url, {"body": "x"}).status_code == 404


def test_posting_needs_a_person_and_a_post(public_case):
    response = Client().post(post_url(public_case), {"body": "x"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not Comment.objects.exists()


def test_an_empty_comment_comes_back_with_its_error(public_case, sara):
    response = sign_in(Client(), sara).post(post_url(public_case), {"body": ""})
    assert response.status_code == 400
    assert case_url(public_case).encode() in response.content
    assert not Comment.objects.exists()


def test_the_shared_rate_limit_applies(public_case, sara, settings):
    settings.PARTICIPATION_COMMENT_RATE = "2/600s"
    client = sign_in(Client(), sara)
    codes = [client.post(post_url(public_case), {"body": f"n{i}"}).status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert Comment.objects.count() == 2


def test_exactly_one_target_is_enforced_by_the_database(process, idea, sara, montalto):
    base = {"administration": montalto, "author": sara, "body": "x"}
    for columns in [
        {"process": process, "idea": idea},
        {"process": process, "target_type": "cases.public_case", "target_id": 1},
        {"target_type": "cases.public_case"},
        {"target_id": 3},
        {},
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Comment.objects.create(**base, **columns)
    Comment.objects.create(**base, target_type="cases.public_case", target_id=1)


def test_a_registered_target_decides_who_reads_and_when_it_is_open(public_case, sara, montalto):
    """A target of another app: its own can_see and is_open, nothing of participation's."""
    from insieme.core.models import Administration

    target = threads.CommentTarget(
        key="tests.administration",
        model=Administration,
        can_see=lambda user, obj: user.email == "sara@example.org",
        url=lambda obj: f"/somewhere/{obj.slug}/",
        administration_id=lambda obj: obj.pk,
        is_open=lambda obj: obj.slug == "montalto",
    )
    threads.register_comment_target(target)
    try:
        url = f"/participation/threads/tests.administration/{montalto.pk}/comments/"
        response = sign_in(Client(), sara).post(url, {"body": "Ciao"})
        assert (
            response.status_code == 302 and response["Location"] == "/somewhere/montalto/#comments"
        )
        assert Comment.objects.get().target_type == "tests.administration"
        from tests.conftest import make_user

        other = make_user("other@example.org", "Other Person")
        assert sign_in(Client(), other).post(url, {"body": "x"}).status_code == 404
        region = montalto.parent
        closed = f"/participation/threads/tests.administration/{region.pk}/comments/"
        assert sign_in(Client(), sara).post(closed, {"body": "x"}).status_code == 400
        assert Comment.objects.count() == 1
    finally:
        threads.comment_targets.unregister("tests.administration")


# --- official answers ---------------------------------------------------------------------------


def test_staff_answer_on_behalf_of_the_administration(public_case, carla, sara, montalto):
    client = sign_in(Client(), carla)
    form = client.get(case_url(public_case))
    assert b"Answer on behalf of the administration" in form.content
    client.post(post_url(public_case), {"body": "Interverremo lunedì.", "official": "on"})
    comment = Comment.objects.get()
    assert comment.is_official and comment.author_type == "employee"
    page = Client().get(case_url(public_case))
    assert f"Official answer of {montalto.display_name}".encode() in page.content
    # a citizen's form has no such box, and the action refuses it
    assert b"Answer on behalf" not in sign_in(Client(), sara).get(case_url(public_case)).content
    sign_in(Client(), sara).post(post_url(public_case), {"body": "Io", "official": "on"})
    assert not Comment.objects.filter(author=sara, is_official=True).exists()


@pytest.mark.parametrize("persona,allowed", [("carla", True), ("bob", False), ("alice", False)])
def test_who_may_answer_officially(persona, allowed, request, process):
    user = request.getfixturevalue(persona)
    assert actions.may_answer_officially(user, process) is allowed


@pytest.mark.parametrize(
    "held,allowed",
    [
        ("participation:process:manage", True),
        ("participation:idea:answer", True),
        ("participation:idea:evaluate", False),
        ("participation:comment:moderate", False),
    ],
)
def test_answering_officially_needs_answer_or_manage(process, charlie, monkeypatch, held, allowed):
    monkeypatch.setattr(actions, "has_perm", lambda user, perm, admin_id: str(perm) == held)
    assert actions.may_answer_officially(charlie, process) is allowed


def test_official_comments_are_marked_in_the_moderation_views(
    process, idea, carla, charlie, montalto
):
    official = actions.add_comment(
        carla, idea=idea, body="Risposta ufficiale", official=True, limit=False
    )
    actions.flag_comment(charlie, official, "other")
    client = sign_in(Client(), carla)
    queue = client.get("/staff/montalto/participation/moderation/")
    assert f"Official answer of {montalto.display_name}".encode() in queue.content
    page = client.get(f"/staff/montalto/participation/moderation/comments/{official.pk}/")
    assert f"Official answer of {montalto.display_name}".encode() in page.content
