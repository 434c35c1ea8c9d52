"""Per-person rate limits on new ideas and new comments (insieme.core.throttle): past the limit
the page answers 429 with Retry-After and nothing is written; refused input costs no slot."""

from __future__ import annotations

from insieme.participation.models import Comment, Idea
from tests.participation.conftest import idea_url, process_url


def test_comments_per_person(settings, persona_client, idea, charlie, sara):
    settings.PARTICIPATION_COMMENT_RATE = "2/600s"
    client = persona_client(charlie)
    assert client.post(idea_url(idea) + "comments/", {"body": ""}).status_code == 400  # free
    for n in range(2):
        assert client.post(idea_url(idea) + "comments/", {"body": f"c{n}"}).status_code == 302
    refused = client.post(idea_url(idea) + "comments/", {"body": "one too many"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Comment.objects.count() == 2
    # Someone else is not held back; replies count as comments.
    assert persona_client(sara).post(idea_url(idea) + "comments/", {"body": "s"}).status_code == 302
    first = Comment.objects.filter(author=charlie).first()
    reply = client.post(f"/participation/montalto/comments/{first.pk}/reply/", {"body": "r"})
    assert reply.status_code == 429


def test_ideas_per_person(settings, persona_client, process, charlie):
    settings.PARTICIPATION_IDEA_RATE = "1/hour"
    client = persona_client(charlie)
    new = process_url(process) + "ideas/new/"
    ok = client.post(new, {"title": "Prima", "body": "Uno", "checked": "on"})
    assert ok.status_code == 302
    refused = client.post(new, {"title": "Seconda", "body": "Due", "checked": "on"})
    assert refused.status_code == 429 and "Retry-After" in refused
    assert Idea.objects.count() == 1
