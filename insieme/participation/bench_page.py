"""`make bench` figures of a process's public page (/participation/<administration>/<process>/):
the queries and the time to render it for a process with 5,000 ideas and 50,000 comments,
against the same page of a process with 50 ideas and 500 comments (the baseline), measured in
one run on one database. The page must read the same number of queries at both sizes and take
at most twice the time.

Both processes are written with bulk_create inside a transaction that is rolled back at the end
(the bench's throw-away database keeps nothing of them): a public process of an administration
of its own, in its ideation phase, with categories; ideas from citizens, employees and a
partner organisation, some answered, some merged, a few held for review or hidden; a tenth of
the comments on the process itself and the rest on the ideas, two in three of them replies
(threads three levels deep), a few hidden or held, some official. Each page is rendered through
Django's test client, as an anonymous visitor and as a signed-in participant: a few renders to
warm up, then ROUNDS rounds of one render of each size in turn (a busy moment of the shared
machine falls on both alike); the figure is the median, the query count that of the last render.

BENCH_SIZE=small builds 2,000 ideas and 20,000 comments against the same baseline (n says which).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insieme.core.models import Administration, PartnerOrganisation, User, today_in
from insieme.core.registry import BenchLine, Benchmark
from insieme.participation.models import (
    Audience,
    AuthorType,
    Category,
    Comment,
    Idea,
    Phase,
    PhaseKind,
    Process,
)

SIZES = {"full": (5_000, 50_000), "small": (2_000, 20_000)}
BASELINE = (50, 500)
ROUNDS = 15
WARM_UP = 2
SEED = 13
PEOPLE = 200
SLUG = "bench-participation"


@dataclass
class Render:
    """One page, one visitor: the median time of the renders (ms) and the queries of one."""

    median_ms: float
    queries: int


def _people(n: int) -> list[User]:
    users = [
        User(email=f"bench-participant-{i}@example.invalid", full_name=f"Bench Person{i} Test{i}")
        for i in range(n)
    ]
    for user in users:
        user.set_unusable_password()
    return User.objects.bulk_create(users)


def build_process(
    admin: Administration,
    slug: str,
    ideas: int,
    comments: int,
    people: list[User],
    partner: PartnerOrganisation,
    rng: random.Random,
) -> Process:
    """A public process in its ideation phase with `ideas` ideas and `comments` comments, written
    with bulk_create (the size of the tables is the point, not how they were filled)."""
    now = timezone.now()
    today = today_in(admin)
    name = f"Bench {slug}"  # test data, not interface text
    process = Process.objects.create(
        administration=admin,
        slug=slug,
        title=name,
        description="A process for the benchmark.",
        translations={"en": {"title": name, "description": "Benchmark."}},
        audience=Audience.PUBLIC,
        is_published=True,
        support_threshold=50,
    )
    for offset, kind in enumerate([PhaseKind.INFORMATION, PhaseKind.IDEATION, PhaseKind.VOTING]):
        start = today + dt.timedelta(days=10 * (offset - 1) - 5)
        Phase.objects.create(
            process=process, kind=kind, starts_on=start, ends_on=start + dt.timedelta(days=9)
        )
    categories = Category.objects.bulk_create(
        [Category(process=process, name=f"Category {i}", position=i) for i in range(5)]
    )
    rows = []
    for i in range(ideas):
        kind = rng.choices(
            [AuthorType.CITIZEN, AuthorType.EMPLOYEE, AuthorType.PARTNER], [8, 1, 1]
        )[0]
        created = now - dt.timedelta(minutes=ideas - i)
        roll = rng.random()
        heading = f"Idea {i} for {slug}"
        rows.append(
            Idea(
                process=process,
                title=heading,
                body="Some text of the idea. " * 5,
                author=people[i % len(people)],
                author_type=kind,
                partner=partner if kind == AuthorType.PARTNER else None,
                show_name=roll < 0.7,
                category=categories[i % len(categories)] if roll < 0.8 else None,
                answer=rng.choice(["", "", "", *Idea.Answer.values]),
                supports_count=rng.randrange(0, 80),
                held_at=now if roll > 0.995 else None,
                hidden_at=now if 0.99 < roll <= 0.995 else None,
                created_at=created,
                updated_at=created,
            )
        )
    idea_rows = Idea.objects.bulk_create(rows, batch_size=1000)
    # A few merged ones, as a process that ran a while has.
    merged = idea_rows[1 : max(2, ideas // 50) : 2]
    for idea in merged:
        idea.state, idea.merged_into = Idea.State.MERGED, idea_rows[0]
    Idea.objects.bulk_update(merged, ["state", "merged_into"], batch_size=1000)
    _comments(process, idea_rows, comments, people, partner, rng)
    return process


def _comments(process, ideas, total: int, people, partner, rng) -> None:
    """A third of `total` first comments (a tenth of them on the process), the rest replies to
    them and to replies."""
    admin, now = process.administration, timezone.now()

    def comment(i: int, **where) -> Comment:
        kind = rng.choices(
            [AuthorType.CITIZEN, AuthorType.EMPLOYEE, AuthorType.PARTNER], [8, 1, 1]
        )[0]
        roll = rng.random()
        return Comment(
            administration=admin,
            author=people[i % len(people)],
            author_type=kind,
            partner=partner if kind == AuthorType.PARTNER else None,
            show_name=roll < 0.7,
            is_official=kind == AuthorType.EMPLOYEE and roll < 0.3,
            body=f"Comment {i}: what I think of it.",
            hidden_at=now if roll > 0.99 else None,
            hidden_reason="Off topic." if roll > 0.99 else "",
            held_at=now if 0.985 < roll <= 0.99 else None,
            created_at=now - dt.timedelta(seconds=total - i),
            **where,
        )

    roots_n = max(1, total // 3)
    on_process = max(1, total // 10)
    roots = []
    for i in range(roots_n):
        if i < on_process // 3 or not ideas:
            roots.append(comment(i, process=process))
        else:
            roots.append(comment(i, idea=ideas[i % len(ideas)]))
    roots = Comment.objects.bulk_create(roots, batch_size=2000)
    replies = []
    for i in range(roots_n, roots_n + (total - roots_n) // 2):
        root = roots[rng.randrange(len(roots))]
        replies.append(
            comment(
                i, process_id=root.process_id, idea_id=root.idea_id, parent=root, root=root, depth=1
            )
        )
    replies = Comment.objects.bulk_create(replies, batch_size=2000)
    deeper = []
    for i in range(roots_n + len(replies), total):
        parent = replies[rng.randrange(len(replies))] if replies else roots[0]
        deeper.append(
            comment(
                i,
                process_id=parent.process_id,
                idea_id=parent.idea_id,
                parent=parent,
                root_id=parent.root_id or parent.pk,
                depth=parent.depth + 1,
            )
        )
    Comment.objects.bulk_create(deeper, batch_size=2000)


def _get(client: Client, url: str) -> tuple[float, int]:
    """(seconds, queries) of one render."""
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return seconds, len(ctx.captured_queries)


def render_all(
    client: Client, urls: dict[str, str], rounds: int = ROUNDS, warm_up: int = WARM_UP
) -> dict[str, Render]:
    """Each page `warm_up` times, then `rounds` rounds of one render of each page in turn (so
    that a busy moment of the machine falls on both sizes alike): the median time of each, and
    its queries (of the last render)."""
    for url in urls.values():
        for _ in range(warm_up):
            _get(client, url)
    times: dict[str, list[float]] = {key: [] for key in urls}
    queries: dict[str, int] = {}
    for _ in range(rounds):
        for key, url in urls.items():
            seconds, queries[key] = _get(client, url)
            times[key].append(seconds)
    return {key: Render(statistics.median(times[key]) * 1000, queries[key]) for key in urls}


def render(client: Client, url: str, rounds: int = ROUNDS, warm_up: int = WARM_UP) -> Render:
    return render_all(client, {"page": url}, rounds, warm_up)["page"]


def measure(
    large: tuple[int, int], small: tuple[int, int] = BASELINE, rounds: int = ROUNDS
) -> dict[str, dict[str, Render]]:
    """{visitor: {"large": Render, "small": Render}} for an anonymous visitor and a signed-in
    participant, on data written in a transaction that is rolled back before returning."""
    rng = random.Random(SEED)
    found: dict[str, dict[str, Render]] = {}
    with transaction.atomic():
        admin = Administration.objects.create(
            name="Comune del Benchmark", slug=SLUG, kind=Administration.Kind.MUNICIPALITY
        )
        partner = PartnerOrganisation.objects.create(administration=admin, name="Bench Partner")
        people = _people(PEOPLE)
        processes = {
            "large": build_process(admin, "large", *large, people, partner, rng),
            "small": build_process(admin, "small", *small, people, partner, rng),
        }
        visitors = {
            "anonymous": Client(HTTP_HOST="localhost"),
            "participant": Client(HTTP_HOST="localhost"),
        }
        visitors["participant"].force_login(people[0])
        for who, client in visitors.items():
            client.get("/")  # the session and the caches a first visit fills
            urls = {size: f"/participation/{SLUG}/{p.slug}/" for size, p in processes.items()}
            found[who] = render_all(client, urls, rounds)
        transaction.set_rollback(True)
    return found


def lines(found: dict[str, dict[str, Render]], n: int) -> list[BenchLine]:
    out = []
    for who, suffix in (("anonymous", ""), ("participant", "_participant")):
        large, small = found[who]["large"], found[who]["small"]
        out.append(
            BenchLine(f"process_page_queries{suffix}", large.queries, "queries", n, small.queries)
        )
        out.append(
            BenchLine(f"process_page_time{suffix}", large.median_ms, "ms", n, small.median_ms)
        )
    return out


def run(size: str) -> list[BenchLine]:
    ideas, comments = SIZES.get(size, SIZES["full"])
    found = measure((ideas, comments))
    print(
        f"  process page: {ideas:,} ideas and {comments:,} comments against {BASELINE[0]} ideas "
        f"and {BASELINE[1]} comments (median of {ROUNDS} renders)"
    )
    for who, sizes in found.items():
        large, small = sizes["large"], sizes["small"]
        print(
            f"    {who}: {large.queries} queries, {large.median_ms:.1f} ms against "
            f"{small.queries} queries, {small.median_ms:.1f} ms"
        )
    return lines(found, ideas)


BENCHMARK = Benchmark(key="participation.process_page", run=run, app="participation")


def main(size: str = "full") -> int:
    """This benchmark alone, on a throw-away database of its own (no demo: the benchmark
    writes the data it measures). From a shell, with Django set up:

        DJANGO_SETTINGS_MODULE=insieme.settings .venv/bin/python -c "import django; \\
            django.setup(); from insieme.participation import bench_page; bench_page.main()"
    """
    from django.conf import settings
    from django.test.utils import override_settings

    # `make bench` collects the static files first and serves their hashed names; alone, the
    # pages name them as they are (the same for both sizes: the ratio does not change).
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
            found = run(size)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    for line in found:
        print(line.format())
    return 0
