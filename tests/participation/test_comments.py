"""Threaded comments on processes and ideas: replies at most Comment.MAX_DEPTH deep, official
answers of staff marked, taken while a phase runs, the author's name as they chose."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from insieme.core.models import AuditEntry
from insieme.participation import actions
from insieme.participation.models import Comment, PhaseKind
from tests.participation.conftest import idea_url, make_process, process_url


def test_comment_and_reply_threads_on_an_idea(persona_client, idea, charlie, sara):
    url = idea_url(idea)
    response = persona_client(sara).post(
        url + "comments/", {"body": "Ottima idea!", "show_name": "on"}
    )
    assert response.status_code == 302 and response["Location"] == url + "#comments"
    first = Comment.objects.get()
    assert (first.idea, first.depth, first.root, first.author_type) == (idea, 0, None, "citizen")
    reply_url = f"/participation/montalto/comments/{first.pk}/reply/"
    page = persona_client(charlie).get(reply_url)
    assert page.status_code == 200 and "Ottima idea!" in page.content.decode()
    assert persona_client(charlie).post(reply_url, {"body": "Grazie!"}).status_code == 302
    reply = Comment.objects.get(parent=first)
    assert (reply.depth, reply.root, reply.show_name) == (1, first, False)  # box left unticked
    html = persona_client(sara).get(url).content.decode()
    thread = html[html.index(f'id="comment-{first.pk}"') :]
    assert thread.index("Ottima idea!") < thread.index(f'id="comment-{reply.pk}"')
    assert "Anonymous participant" in thread  # the reply, without a name
    entry = AuditEntry.objects.filter(action="participation.comment.created").last()
    assert entry.after["parent"] == first.pk and "Grazie" not in str(entry.after)


def test_replies_stop_at_the_maximum_depth(persona_client, idea, charlie, sara):
    comment = actions.add_comment(charlie, idea=idea, body="0", limit=False)
    for depth in range(1, Comment.MAX_DEPTH + 1):
        comment = actions.add_comment(sara, idea=idea, parent=comment, body=str(depth), limit=False)
    assert comment.depth == Comment.MAX_DEPTH
    deepest = f"/participation/montalto/comments/{comment.pk}/reply/"
    page = persona_client(charlie).get(deepest).content.decode()
    assert "This comment takes no replies." in page and 'name="body"' not in page
    assert persona_client(charlie).post(deepest, {"body": "too deep"}).status_code == 400
    assert Comment.objects.count() == Comment.MAX_DEPTH + 1
    html = persona_client(charlie).get(idea_url(idea)).content.decode()
    assert deepest not in html  # no reply link at the deepest level


def test_comments_on_the_process_itself(persona_client, client, process, charlie):
    response = persona_client(charlie).post(process_url(process) + "comments/", {"body": "Quando?"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.process == process and comment.idea is None
    assert "Quando?" in client.get(process_url(process)).content.decode()


def test_staff_official_answers_are_marked(persona_client, idea, carla, bob):
    manager = persona_client(carla)
    form = manager.get(idea_url(idea)).content.decode()
    assert 'name="official"' in form
    assert 'name="official"' not in persona_client(bob).get(idea_url(idea)).content.decode()
    manager.post(idea_url(idea) + "comments/", {"body": "Lo valutiamo.", "official": "on"})
    comment = Comment.objects.get()
    assert comment.is_official and comment.author_type == "employee" and comment.show_name
    html = persona_client(bob).get(idea_url(idea)).content.decode()
    assert re.search(
        r"Carla M\.</strong> \(Employee\) <span class=\"badge bg-primary\">Official answer", html
    )
    # Someone without the permission cannot mark it, even by forging the field.
    persona_client(bob).post(idea_url(idea) + "comments/", {"body": "Anche io", "official": "on"})
    assert not Comment.objects.get(body="Anche io").is_official


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 2001, "at most 2000"),
    ],
)
def test_bad_comments_re_render_the_page(persona_client, idea, charlie, body, message):
    response = persona_client(charlie).post(idea_url(idea) + "comments/", {"body": body})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_no_comment_while_no_phase_runs(persona_client, montalto, carla, charlie):
    process = make_process(montalto, carla, current=None)
    html = persona_client(charlie).get(process_url(process)).content.decode()
    assert "Comments are taken while a phase of the process runs." in html
    response = persona_client(charlie).post(process_url(process) + "comments/", {"body": "Ciao"})
    assert response.status_code == 400 and not Comment.objects.exists()


def test_reply_to_a_comment_of_another_target_is_refused(process, idea, charlie):
    on_process = actions.add_comment(charlie, process=process, body="Sul percorso", limit=False)
    with pytest.raises(ValidationError, match="Reply on the page"):
        actions.add_comment(charlie, idea=idea, parent=on_process, body="x", limit=False)


def test_anonymous_visitors_read_but_log_in_to_comment(client, idea, charlie):
    actions.add_comment(charlie, idea=idea, body="Visibile a tutti", limit=False)
    html = client.get(idea_url(idea)).content.decode()
    assert "Visibile a tutti" in html and "Log in to comment" in html
    assert client.post(idea_url(idea) + "comments/", {"body": "x"}).status_code == 302
    assert Comment.objects.count() == 1


def test_comments_are_paged_by_thread(client, idea, charlie, sara):
    from insieme.participation.display import THREADS_PER_PAGE

    for n in range(THREADS_PER_PAGE + 2):
        actions.add_comment(charlie, idea=idea, body=f"commento numero {n}", limit=False)
    first = client.get(idea_url(idea)).content.decode()
    assert "commento numero 0<" in first and f"commento numero {THREADS_PER_PAGE}<" not in first
    second = client.get(idea_url(idea) + "?page=2").content.decode()
    assert f"commento numero {THREADS_PER_PAGE + 1}<" in second


def test_a_closed_phase_keeps_comments_readable(persona_client, montalto, carla, charlie):
    process = make_process(montalto, carla, current=PhaseKind.IDEATION)
    comment = actions.add_comment(charlie, process=process, body="Letto dopo", limit=False)
    process.phases.all().delete()
    html = persona_client(charlie).get(process_url(process)).content.decode()
    assert "Letto dopo" in html
    reply = persona_client(charlie).get(f"/participation/montalto/comments/{comment.pk}/reply/")
    assert "Comments are taken while a phase of the process runs." in reply.content.decode()
