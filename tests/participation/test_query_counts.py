"""The busy pages read a fixed number of queries, whatever the number of ideas, supports and
comments (no query per idea, per comment or per reply)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from insieme.participation import actions
from insieme.participation.models import Comment, Idea, Support
from tests.conftest import make_user
from tests.participation.conftest import idea_url, make_idea, process_url


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(process, category, n: int, people) -> None:
    """n more ideas, each with supports and a comment thread (rows written directly: the point
    is the size of the tables, not how they were filled)."""
    for i in range(n):
        idea = Idea.objects.create(
            process=process,
            title=f"idea {i}",
            body="b",
            author=people[i % len(people)],
            category=category,
            supports_count=len(people),
        )
        Support.objects.bulk_create([Support(idea=idea, user=u) for u in people])
        root = Comment.objects.create(
            administration=process.administration, idea=idea, author=people[0], body="c"
        )
        Comment.objects.create(
            administration=process.administration,
            idea=idea,
            author=people[1],
            body="r",
            parent=root,
            root=root,
            depth=1,
        )
        Comment.objects.create(
            administration=process.administration,
            process=process,
            author=people[i % 2],
            body="p",
            parent=None,
        )


def test_landing_page_and_idea_list_do_not_grow_with_the_data(
    persona_client, django_assert_max_num_queries, process, category, charlie, sara
):
    people = [charlie, sara, make_user("t@example.org", "T T")]
    _grow(process, category, 2, people)
    client = persona_client(charlie)
    client.get("/")  # the session and the caches a visitor's first page fills
    urls = [
        process_url(process),
        process_url(process) + "ideas/",
        process_url(process) + "ideas/?order=supports&category=" + str(category.pk),
        "/participation/montalto/",
        "/participation/",
    ]
    few = [_count(client, url) for url in urls]
    _grow(process, category, 40, people)
    many = [_count(client, url) for url in urls]
    assert many == few
    with django_assert_max_num_queries(26):  # later apps' page panels add a query each
        client.get(process_url(process))
    with django_assert_max_num_queries(26):  # later apps' page panels add a query each
        client.get(process_url(process) + "ideas/")


def test_the_idea_page_does_not_grow_with_its_thread(persona_client, process, charlie, sara):
    idea = make_idea(process, charlie)
    client = persona_client(sara)
    client.get("/")  # the session and the caches a visitor's first page fills
    for _ in range(2):
        root = actions.add_comment(charlie, idea=idea, body="c", limit=False)
        actions.add_comment(sara, idea=idea, parent=root, body="r", limit=False)
    few = _count(client, idea_url(idea))
    for _ in range(15):
        root = actions.add_comment(charlie, idea=idea, body="c", limit=False)
        reply = actions.add_comment(sara, idea=idea, parent=root, body="r", limit=False)
        actions.add_comment(charlie, idea=idea, parent=reply, body="rr", limit=False)
        actions.support_idea(make_user(f"u{root.pk}@example.org", "U"), idea)
    assert _count(client, idea_url(idea)) == few
