"""The public pages of deliberation: request in, response and database state out.

A conversation is seen by whoever sees its process (404 for missing and forbidden alike); each
person's vote counts once and can be changed; votes are refused when the conversation is closed
or outside the process's deliberation phase; a participant's statement waits for a moderator;
the report shows the opinion groups and names nobody; the pages speak Italian; the conversation
page reads a fixed number of queries whatever the number of statements.

The helpers here (a process in its deliberation phase, a conversation, planted votes) are also
used by test_staff_pages.py and tests/browser/test_deliberation.py.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insieme.catalog import i18n
from insieme.deliberation import actions, opinion
from insieme.deliberation.models import (
    Conversation,
    GroupsComputation,
    Participant,
    Statement,
    Vote,
)
from insieme.participation import actions as participation_actions
from insieme.participation.models import Audience, PhaseKind
from tests.conftest import make_user, sign_in
from tests.participation.conftest import make_process, process_url

DELIBERATION_PHASES = [PhaseKind.INFORMATION, PhaseKind.DELIBERATION, PhaseKind.EVALUATION]
SEEDS = [
    ("Servono più panchine in piazza.", "The square needs more benches."),
    ("La piazza deve restare chiusa alle auto.", "The square must stay closed to cars."),
    ("Il mercato del sabato va spostato.", "The Saturday market should move elsewhere."),
]


# --- helpers shared with the staff and browser tests ------------------------------------------


def deliberation_process(admin, actor, *, slug="piazza", current=PhaseKind.DELIBERATION, **extra):
    """A process of `admin` whose deliberation phase runs today (by default)."""
    return make_process(
        admin,
        actor,
        slug=slug,
        current=current,
        phases=extra.pop("phases", DELIBERATION_PHASES),
        title=extra.pop("title", "La piazza"),
        translations=extra.pop("translations", {"en": {"title": "The square"}}),
        **extra,
    )


def make_conversation(process, actor, *, seeds=SEEDS, **extra) -> Conversation:
    conversation = actions.save_conversation(
        actor,
        process,
        question=extra.pop("question", "Come rendiamo viva la piazza?"),
        translations=extra.pop(
            "translations", {"en": {"question": "How do we bring the square to life?"}}
        ),
        **extra,
    )
    for italian, english in seeds:
        actions.add_seed_statement(
            actor, conversation, italian, translations={"en": {"text": english}}
        )
    return conversation


def conversation_url(process) -> str:
    return process_url(process) + "deliberation/"


def vote_url(process, statement) -> str:
    return f"{conversation_url(process)}statements/{statement.pk}/vote/"


def plant_votes(conversation, n_participants=60, n_statements=12, *, groups=(0.5, 0.5), seed=3):
    """Statements and votes of a synthetic conversation with planted opinion groups (rows
    written in bulk: the point is the votes, not how they were cast). Participants are
    imported-style rows, with no person behind them. Returns the statements."""
    matrix, _pids, _sids, _truth = opinion.planted_conversation(
        n_participants, n_statements, groups, seed=seed, median_votes=n_statements
    )
    statements = Statement.objects.bulk_create(
        [
            Statement(
                conversation=conversation,
                text=f"Affermazione numero {j} sulla piazza",
                translations={"en": {"text": f"Statement number {j} about the square"}},
                status=Statement.Status.ACCEPTED,
                is_seed=True,
            )
            for j in range(n_statements)
        ]
    )
    people = Participant.objects.bulk_create(
        [
            Participant(conversation=conversation, external_id=f"planted-voter-{i}")
            for i in range(n_participants)
        ]
    )
    now = timezone.now()
    Vote.objects.bulk_create(
        [
            Vote(
                conversation=conversation,
                participant=people[i],
                statement=statements[j],
                value=int(matrix[i, j]),
                voted_at=now,
            )
            for i in range(n_participants)
            for j in range(n_statements)
            if not math.isnan(matrix[i, j])
        ]
    )
    Conversation.objects.filter(pk=conversation.pk).update(version=F("version") + 1)
    return statements


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(name="piazza")
def piazza_fixture(montalto, carla):
    return deliberation_process(montalto, carla)


@pytest.fixture(name="conversation")
def conversation_fixture(piazza, carla):
    return make_conversation(piazza, carla)


@pytest.fixture(name="sara")
def sara_fixture(db):
    """Another citizen (as in tests/participation/conftest.py)."""
    return make_user("sara@example.org", "Sara Martini")


@pytest.fixture(name="seeds")
def seeds_fixture(conversation):
    return list(Statement.objects.filter(conversation=conversation).order_by("pk"))


def _html(response) -> str:
    return response.content.decode()


# --- visibility -------------------------------------------------------------------------------


def test_anyone_sees_a_public_conversation_but_only_people_signed_in_vote(
    client, persona_client, conversation, seeds, piazza, charlie
):
    page = client.get(conversation_url(piazza))
    assert page.status_code == 200
    html = _html(page)
    assert "How do we bring the square to life?" in html
    assert all(english in html for _it, english in SEEDS)
    assert 'name="vote"' not in html and "Log in to vote and to add statements" in html
    assert "/accounts/login/?next=" in html
    assert 'name="text"' not in html  # no statement form either
    assert "deliberation/report/" in html
    signed_in = _html(persona_client(charlie).get(conversation_url(piazza)))
    assert signed_in.count('name="vote" value="agree"') == len(SEEDS) + 1  # next card + list
    assert "You have voted on 0 of 3 statements." in signed_in
    assert 'name="text"' in signed_in


def test_an_employees_only_conversation_is_hidden_from_citizens_and_other_administrations(
    client, persona_client, montalto, carla, charlie, oscar, bob
):
    box = deliberation_process(montalto, carla, slug="interna", audience=Audience.EMPLOYEES)
    conversation = make_conversation(box, carla)
    statement = conversation.statements.first()
    urls = [conversation_url(box), conversation_url(box) + "report/"]
    for reader in (client, persona_client(charlie), persona_client(oscar)):
        for url in urls:
            assert reader.get(url).status_code == 404, url
    for person in (charlie, oscar):
        response = persona_client(person).post(vote_url(box, statement), {"vote": "agree"})
        assert response.status_code == 404
    assert not Vote.objects.exists()
    staff = persona_client(bob)  # an officer of Montalto: an employee
    assert all(staff.get(url).status_code == 200 for url in urls)


def test_missing_things_are_404(client, persona_client, montalto, carla, piazza, charlie):
    assert client.get(conversation_url(piazza)).status_code == 404  # no conversation yet
    make_conversation(piazza, carla)
    assert client.get("/participation/montalto/nowhere/deliberation/").status_code == 404
    assert client.get("/participation/nowhere/piazza/deliberation/").status_code == 404
    other = deliberation_process(montalto, carla, slug="altro")
    elsewhere = make_conversation(other, carla, seeds=[("Una affermazione altrove.", "Else")])
    foreign = elsewhere.statements.get()
    signed_in = persona_client(charlie)
    assert signed_in.post(vote_url(piazza, foreign), {"vote": "agree"}).status_code == 404
    url = f"{conversation_url(piazza)}statements/999999/vote/"
    assert signed_in.post(url, {"vote": "agree"}).status_code == 404
    assert not Vote.objects.exists()


def test_a_draft_process_conversation_is_seen_only_by_its_managers(
    client, persona_client, montalto, carla, charlie
):
    draft = deliberation_process(montalto, carla, slug="bozza", published=False)
    make_conversation(draft, carla)
    assert client.get(conversation_url(draft)).status_code == 404
    assert persona_client(charlie).get(conversation_url(draft)).status_code == 404
    assert persona_client(carla).get(conversation_url(draft)).status_code == 200


# --- votes ------------------------------------------------------------------------------------


def test_a_vote_counts_once_and_a_second_click_changes_it(
    persona_client, conversation, seeds, piazza, charlie
):
    voter = persona_client(charlie)
    first = voter.post(vote_url(piazza, seeds[0]), {"vote": "agree"})
    assert first.status_code == 302 and first["Location"].endswith("deliberation/#next")
    again = voter.post(vote_url(piazza, seeds[0]), {"vote": "disagree", "page": "1"})
    assert again.status_code == 302
    assert again["Location"].endswith(f"deliberation/?page=1#statement-{seeds[0].pk}")
    assert Vote.objects.count() == 1
    vote = Vote.objects.get()
    assert (vote.value, vote.participant.user, vote.statement) == (-1, charlie, seeds[0])
    assert Participant.objects.filter(conversation=conversation).count() == 1
    html = _html(voter.get(conversation_url(piazza)))
    assert "You have voted on 1 of 3 statements." in html
    assert "Your vote: Disagree" in html
    # The next statement is one not voted on yet (drawn by priority, see test_next_statement).
    shown = re.search(r'id="next-text"[^>]*>([^<]*)<', html).group(1)
    assert shown in {i18n.text(seeds[1], "text"), i18n.text(seeds[2], "text")}
    voter.post(vote_url(piazza, seeds[1]), {"vote": "pass"})
    voter.post(vote_url(piazza, seeds[2]), {"vote": "agree"})
    done = _html(voter.get(conversation_url(piazza)))
    assert "You have voted on 3 of 3 statements." in done
    assert "You have voted on every statement" in done
    assert Vote.objects.count() == 3
    conversation.refresh_from_db()
    assert conversation.version >= 4  # each vote moves the version the groups follow


def test_a_vote_other_than_agree_disagree_or_pass_is_a_400(
    persona_client, conversation, seeds, piazza, charlie
):
    voter = persona_client(charlie)
    assert voter.post(vote_url(piazza, seeds[0]), {"vote": "a\x00b"}).status_code == 400
    for data in ({"vote": "maybe"}, {"vote": "1"}, {"vote": "agree\x01"}, {}):
        response = voter.post(vote_url(piazza, seeds[0]), data)
        assert response.status_code == 400, data
        html = _html(response)
        assert (
            "A vote is agree, disagree or pass." in html
            or "Choose agree, disagree or pass." in html
        )
    bad_page = voter.post(vote_url(piazza, seeds[0]), {"vote": "agree", "page": "x"})
    assert bad_page.status_code == 400
    assert not Vote.objects.exists()


def test_wrong_methods_and_anonymous_votes(client, persona_client, conversation, seeds, piazza):
    assert client.post(vote_url(piazza, seeds[0]), {"vote": "agree"}).status_code == 302
    assert not Vote.objects.exists()
    voter = persona_client(make_user("v@example.org", "Vera Voter"))
    assert voter.get(vote_url(piazza, seeds[0])).status_code == 405
    assert voter.get(conversation_url(piazza) + "statements/new/").status_code == 405
    assert voter.post(conversation_url(piazza)).status_code == 405
    assert voter.post(conversation_url(piazza) + "report/").status_code == 405


def test_csrf_is_enforced(conversation, seeds, piazza, charlie):
    strict = sign_in(Client(enforce_csrf_checks=True), charlie)
    assert strict.post(vote_url(piazza, seeds[0]), {"vote": "agree"}).status_code == 403
    url = conversation_url(piazza) + "statements/new/"
    assert strict.post(url, {"text": "Una piazza con più alberi."}).status_code == 403
    assert not Vote.objects.exists()
    assert Statement.objects.count() == len(SEEDS)


def test_votes_are_refused_when_the_conversation_is_closed(
    persona_client, conversation, seeds, piazza, carla, charlie
):
    actions.save_conversation(
        carla,
        piazza,
        question=conversation.question,
        translations=conversation.translations,
        is_open=False,
    )
    voter = persona_client(charlie)
    html = _html(voter.get(conversation_url(piazza)))
    assert "This conversation is closed: votes are no longer taken." in html
    assert 'name="vote"' not in html and 'name="text"' not in html
    response = voter.post(vote_url(piazza, seeds[0]), {"vote": "agree"})
    assert response.status_code == 400
    assert "This conversation is closed: votes are no longer taken." in _html(response)
    assert not Vote.objects.exists()


def test_votes_are_refused_outside_the_deliberation_phase(persona_client, montalto, carla, charlie):
    early = deliberation_process(montalto, carla, slug="presto", current=PhaseKind.INFORMATION)
    conversation = make_conversation(early, carla)
    statement = conversation.statements.first()
    voter = persona_client(charlie)
    refused = voter.post(vote_url(early, statement), {"vote": "agree"})
    assert refused.status_code == 400
    assert "only while the deliberation phase of the process runs" in _html(refused)
    page = _html(voter.get(conversation_url(early)))
    assert "only while the deliberation phase of the process runs" in page
    assert 'name="vote"' not in page
    statement_url = conversation_url(early) + "statements/new/"
    assert voter.post(statement_url, {"text": "Una piazza con più alberi."}).status_code == 400
    assert not Vote.objects.exists()
    # A process without phases leaves it to the conversation's own switch.
    free = participation_actions.create_process(
        carla, montalto, title="Libero", slug="libero", is_published=True
    )
    open_one = make_conversation(free, carla)
    assert (
        voter.post(vote_url(free, open_one.statements.first()), {"vote": "agree"}).status_code
        == 302
    )
    assert Vote.objects.count() == 1


def test_votes_closed_rule(montalto, carla, piazza, conversation):
    today = dt.date.today()
    phases = list(piazza.phases.all())
    running = next(p for p in phases if p.kind == PhaseKind.DELIBERATION)
    assert actions.votes_closed(conversation, running.starts_on, phases) is None
    assert actions.votes_closed(conversation, running.ends_on, phases) is None
    assert actions.votes_closed(conversation, running.ends_on + dt.timedelta(days=1), phases)
    assert actions.votes_closed(conversation, running.starts_on - dt.timedelta(days=1), phases)
    assert actions.votes_closed(conversation, today, []) is None
    conversation.is_open = False
    assert "closed" in actions.votes_closed(conversation, running.starts_on, phases)


# --- statements from participants ---------------------------------------------------------------


def test_a_new_statement_waits_for_moderation_and_is_invisible_to_voters_until_accepted(
    persona_client, conversation, seeds, piazza, charlie, sara, carla
):
    text = "Serve una fontana nuova al centro della piazza."
    author = persona_client(charlie)
    response = author.post(conversation_url(piazza) + "statements/new/", {"text": text})
    assert response.status_code == 302 and response["Location"].endswith("#your-statements")
    statement = Statement.objects.get(text=text)
    assert statement.status == Statement.Status.PENDING and not statement.is_seed
    assert statement.author.user == charlie and statement.language == "en"
    followed = _html(author.get(conversation_url(piazza)))
    assert text in followed and "waiting for a moderator" in followed
    other = persona_client(sara)
    assert text not in _html(other.get(conversation_url(piazza)))
    assert other.post(vote_url(piazza, statement), {"vote": "agree"}).status_code == 404
    assert "You have voted on 0 of 3 statements." in _html(other.get(conversation_url(piazza)))
    actions.moderate_statement(carla, statement, accept=True)
    now_open = _html(other.get(conversation_url(piazza)))
    assert text in now_open and "You have voted on 0 of 4 statements." in now_open
    assert other.post(vote_url(piazza, statement), {"vote": "agree"}).status_code == 302


def test_a_bad_statement_re_renders_the_form_with_its_error(
    persona_client, conversation, seeds, piazza, charlie
):
    url = conversation_url(piazza) + "statements/new/"
    author = persona_client(charlie)
    short = author.post(url, {"text": "Corta"})
    assert short.status_code == 400
    assert "Write a statement of at least 10 characters." in _html(short)
    assert "Corta" in _html(short)  # what was written is kept
    long = author.post(url, {"text": "x" * 401})
    assert long.status_code == 400
    assert author.post(url, {"text": "Una piazza \x01 con alberi."}).status_code == 400
    duplicate = author.post(url, {"text": SEEDS[0][0]})
    assert duplicate.status_code == 400
    assert "This statement is already in the conversation." in _html(duplicate)
    assert Statement.objects.count() == len(SEEDS)


def test_no_statement_form_when_the_conversation_takes_none(
    persona_client, conversation, piazza, carla, charlie
):
    actions.save_conversation(
        carla, piazza, question=conversation.question, accepts_statements=False
    )
    author = persona_client(charlie)
    html = _html(author.get(conversation_url(piazza)))
    assert 'name="text"' not in html
    assert "This conversation takes no statements from participants." in html
    response = author.post(
        conversation_url(piazza) + "statements/new/", {"text": "Una piazza con alberi."}
    )
    assert response.status_code == 400
    assert "This conversation does not take new statements." in _html(response)


# --- the report -------------------------------------------------------------------------------


def test_the_report_shows_the_groups_of_a_planted_conversation_and_names_nobody(
    client, persona_client, conversation, piazza, charlie, sara
):
    plant_votes(conversation)
    # Two people of Insieme among the voters: their names and e-mails must not show.
    for person in (charlie, sara):
        for statement in conversation.statements.all()[:8]:
            actions.cast_vote(person, statement, 1)
    response = client.get(conversation_url(piazza) + "report/")
    assert response.status_code == 200
    html = _html(response)
    computation = GroupsComputation.objects.get()
    assert computation.k >= 2
    assert '<svg class="opinion-map" role="img" aria-label="Map of the opinion groups:' in html
    assert "Group A" in html and "Group B" in html
    assert 'id="groups-table"' in html and "Opinion groups by size" in html
    assert "What sets each group apart" in html and "Other groups" in html
    assert "Agreed across the groups" in html
    assert f"from {computation.votes} votes of {computation.participants} participants" in html
    for person in (charlie, sara):
        assert person.email not in html and person.full_name not in html
        assert person.full_name.split()[0] not in html
    assert "planted-voter" not in html and "insieme-" not in html
    # The sizes in the table add up to the participants in a group.
    sizes = computation.result["group_sizes"]
    assert sum(sizes) == computation.clustered
    # A second visit shows the same computation (nothing moved).
    client.get(conversation_url(piazza) + "report/")
    assert GroupsComputation.objects.count() == 1


def test_the_report_is_recomputed_only_when_votes_moved_and_it_is_old_enough(
    client, persona_client, conversation, piazza, charlie
):
    plant_votes(conversation)
    url = conversation_url(piazza) + "report/"
    client.get(url)
    assert GroupsComputation.objects.count() == 1
    actions.cast_vote(charlie, conversation.statements.first(), 1)
    client.get(url)  # votes moved, but the groups are fresh
    assert GroupsComputation.objects.count() == 1
    GroupsComputation.objects.update(
        computed_at=timezone.now() - dt.timedelta(seconds=actions.REFRESH_EVERY_SECONDS + 1)
    )
    client.get(url)
    assert GroupsComputation.objects.count() == 2


def test_the_report_of_a_conversation_without_votes(client, conversation, piazza):
    html = _html(client.get(conversation_url(piazza) + "report/"))
    assert "No one has voted yet" in html and "Not enough votes yet" in html
    assert "<svg" not in html


# --- languages --------------------------------------------------------------------------------


def test_the_pages_in_italian(client, persona_client, conversation, seeds, piazza, charlie):
    plant_votes(conversation)
    voter = persona_client(charlie)
    voter.cookies["django_language"] = "it"
    html = _html(voter.get(conversation_url(piazza), HTTP_ACCEPT_LANGUAGE="it"))
    assert 'lang="it"' in html
    assert "Come rendiamo viva la piazza?" in html and "bring the square" not in html
    assert SEEDS[0][0] in html and SEEDS[0][1] not in html
    assert ">D'accordo</button>" in html and ">In disaccordo</button>" in html
    assert "Aggiungi un'affermazione" in html and "Hai votato 0 affermazioni su 15." in html
    client.cookies["django_language"] = "it"
    report = _html(client.get(conversation_url(piazza) + "report/", HTTP_ACCEPT_LANGUAGE="it"))
    assert "Gruppi di opinione" in report and "Gruppo A" in report
    assert "Affermazione numero 0 sulla piazza" in report or "Gruppo B" in report


# --- queries ----------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_conversation_page_does_not_grow_with_the_statements(
    persona_client, django_assert_max_num_queries, conversation, seeds, piazza, charlie
):
    voter = persona_client(charlie)
    voter.get("/")  # the session and the caches a visitor's first page fills
    actions.cast_vote(charlie, seeds[0], 1)
    url = conversation_url(piazza)
    few = _count(voter, url)
    statements = plant_votes(conversation, n_participants=30, n_statements=40)
    for statement in statements[:20]:
        actions.cast_vote(charlie, statement, -1)
    with django_assert_max_num_queries(few):
        html = _html(voter.get(url))
    assert "You have voted on 21 of 43 statements." in html
