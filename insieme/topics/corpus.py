"""The free text of an administration, as the topic model reads it, and its examples as staff
may read them.

Read: the descriptions of its cases, the title and text of its ideas and the text of its comments,
written in the last PERIOD_DAYS days; ideas and comments held for review or hidden by the
moderators are left out (spam and abuse are no topic). The model reads the texts already redacted
(insieme.core.pii, the redaction the public case pages use: a case's stored public description,
an idea's or comment's text with its author's name masked), so a name, an e-mail address or a
phone number can never become a term.

`examples` gives the stored examples' texts, redacted the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from insieme.cases.models import Case
from insieme.cases.redact import redact
from insieme.participation.models import Comment, Idea
from insieme.topics.fit import Document

PERIOD_DAYS = 365
MAX_TEXT = 2000  # characters of a text the model reads (and an example shows)


def documents(administration, now: datetime) -> list[Document]:
    since = now - timedelta(days=PERIOD_DAYS)
    docs = [
        Document("cases", pk, at, text[:MAX_TEXT])
        for pk, at, text in Case.objects.filter(
            administration=administration, submitted_at__gte=since, submitted_at__lt=now
        )
        .exclude(public_description="")
        .order_by("pk")
        .values_list("pk", "submitted_at", "public_description")
        .iterator(chunk_size=5000)
    ]
    ideas = (
        Idea.objects.visible()
        .filter(process__administration=administration, created_at__gte=since, created_at__lt=now)
        .order_by("pk")
        .values_list("pk", "created_at", "title", "body", "author__full_name")
    )
    for pk, at, title, body, author in ideas:
        docs.append(
            Document("ideas", pk, at, redact(f"{title}. {body}"[:MAX_TEXT], _names(author)))
        )
    comments = (
        Comment.objects.filter(
            administration=administration,
            held_at__isnull=True,
            hidden_at__isnull=True,
            created_at__gte=since,
            created_at__lt=now,
        )
        .order_by("pk")
        .values_list("pk", "created_at", "body", "author__full_name")
    )
    for pk, at, body, author in comments:
        docs.append(Document("comments", pk, at, redact(body[:MAX_TEXT], _names(author))))
    return docs


def _names(author: str | None) -> tuple[str, ...]:
    return (author,) if author and author.strip() else ()


def example_texts(found_examples, by_key: dict[tuple[str, int], str]) -> list[dict]:
    """[{"source", "text", "score"}] for a topic's (source, pk, score) examples."""
    return [
        {"source": source, "text": by_key[(source, pk)], "score": score}
        for source, pk, score in found_examples
        if (source, pk) in by_key
    ]


def administrations_with_text():
    """Administrations with at least one case, idea or comment (the periodic job's list)."""
    from django.db.models import Exists, OuterRef

    from insieme.core.models import Administration

    return Administration.objects.filter(
        Exists(Case.objects.filter(administration=OuterRef("pk")))
        | Exists(Idea.objects.filter(process__administration=OuterRef("pk")))
        | Exists(Comment.objects.filter(administration=OuterRef("pk")))
    ).order_by("pk")
