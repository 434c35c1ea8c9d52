"""Every public function of insieme.participation.actions that writes appends to the audit log,
in the same transaction, and the hash chain stays intact; the ones that only read write nothing.
The tables below must name every public function, so that a new action cannot be added without
saying how it is audited."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insieme.core import audit
from insieme.core.models import AuditEntry, today_in
from insieme.participation import actions
from insieme.participation.models import PhaseKind
from tests.core.test_audit_coverage import written_tables
from tests.participation.conftest import make_idea, make_process


@pytest.fixture
def w(montalto, carla, charlie, sara, bob, alice):
    process = make_process(montalto, carla)
    idea = make_idea(process, charlie)
    other = make_idea(process, sara, title="altra")
    comment = actions.add_comment(sara, idea=idea, body="c", limit=False)
    category = actions.save_category(carla, process, name="Verde")

    class W:
        pass

    for name, value in locals().items():
        setattr(W, name, value)
    return W


def _held(item):
    """As the spam filter leaves a comment or an idea it held."""
    type(item).objects.filter(pk=item.pk).update(held_at=timezone.now(), spam_score=0.9)
    item.refresh_from_db()
    return item


def _trainable(w):
    """Enough decisions for the spam filter to train."""
    from insieme.participation import spam

    for n in range(spam.MIN_SUSPECT):
        c = actions.add_comment(
            w.charlie, idea=w.idea, body=f"Compra pillole {n} www.x.example", limit=False
        )
        actions.hide_comment(w.alice, c, "Spam.", ground="spam")
    for n in range(spam.MIN_FINE):
        actions.add_comment(
            w.sara, idea=w.other, body=f"Servono panchine nel parco {n}", limit=False
        )
    return True


def _voting(w):
    return w.process.phases.get(kind=PhaseKind.VOTING)


WRITES = {
    "create_process": lambda w: actions.create_process(w.carla, w.montalto, title="T", slug="t"),
    "update_process": lambda w: actions.update_process(w.carla, w.process, title="Nuovo"),
    "save_phase": lambda w: actions.save_phase(
        w.carla,
        w.process,
        kind=PhaseKind.EVALUATION,
        starts_on=today_in(w.montalto) + dt.timedelta(days=100),
        ends_on=today_in(w.montalto) + dt.timedelta(days=110),
    ),
    "delete_phase": lambda w: actions.delete_phase(w.carla, _voting(w)),
    "save_category": lambda w: actions.save_category(w.carla, w.process, name="Giochi"),
    "delete_category": lambda w: actions.delete_category(w.carla, w.category),
    "announce_phases": lambda w: (
        w.process.phases.update(announced_at=None),
        actions.announce_phases(),
    ),
    "create_idea": lambda w: make_idea(w.process, w.sara, title="nuova"),
    "invite_coauthor": lambda w: actions.invite_coauthor(w.charlie, w.idea, w.sara.email),
    "accept_coauthorship": lambda w: (
        actions.invite_coauthor(w.charlie, w.idea, w.sara.email),
        actions.accept_coauthorship(w.sara, w.idea),
    ),
    "support_idea": lambda w: actions.support_idea(w.sara, w.idea),
    "withdraw_support": lambda w: (
        actions.support_idea(w.sara, w.idea),
        actions.withdraw_support(w.sara, w.idea),
    ),
    "answer_idea": lambda w: actions.answer_idea(w.carla, w.idea, kind="accepted"),
    "assign_evaluator": lambda w: actions.assign_evaluator(w.carla, w.idea, w.bob),
    "remove_evaluator": lambda w: (
        actions.assign_evaluator(w.carla, w.idea, w.bob),
        actions.remove_evaluator(w.carla, w.idea, w.bob),
    ),
    "add_evaluation_note": lambda w: actions.add_evaluation_note(w.carla, w.idea, "nota"),
    "merge_ideas": lambda w: actions.merge_ideas(w.carla, w.other, w.idea),
    "split_idea": lambda w: actions.split_idea(
        w.carla, w.idea, [{"title": "a", "body": "a"}, {"title": "b", "body": "b"}]
    ),
    "add_comment": lambda w: actions.add_comment(w.charlie, idea=w.idea, body="x", limit=False),
    "flag_comment": lambda w: actions.flag_comment(w.charlie, w.comment, "spam"),
    "hide_comment": lambda w: actions.hide_comment(w.alice, w.comment, "Spam."),
    "restore_comment": lambda w: (
        actions.hide_comment(w.alice, w.comment, "Spam."),
        actions.restore_comment(w.alice, w.comment),
    ),
    "keep_comment": lambda w: (
        actions.flag_comment(w.charlie, w.comment, "spam"),
        actions.keep_comment(w.carla, w.comment),
    ),
    "release_comment": lambda w: actions.release_comment(w.alice, _held(w.comment)),
    "release_idea": lambda w: actions.release_idea(w.alice, _held(w.idea)),
    "hide_idea": lambda w: actions.hide_idea(w.alice, _held(w.idea), "Pubblicità."),
    "retrain_spam_filter": lambda w: (
        _trainable(w) and actions.retrain_spam_filter(w.alice, w.montalto)
    ),
    "follow": lambda w: actions.follow(w.sara, process=w.process),
    "unfollow": lambda w: (
        actions.follow(w.sara, process=w.process),
        actions.unfollow(w.sara, process=w.process),
    ),
}
READS = {
    "author_for": lambda w: actions.author_for(w.sara, w.process),
    "ideas_open": lambda w: actions.ideas_open(w.process),
    "supports_closed": lambda w: actions.supports_closed(w.idea),
    "comments_closed": lambda w: actions.comments_closed(w.process),
    "thread_closed": lambda w: actions.thread_closed(w.idea),
    "may_answer_officially": lambda w: actions.may_answer_officially(w.carla, w.process),
    "may_write_notes": lambda w: actions.may_write_notes(w.bob, w.idea),
    "idea_path": lambda w: actions.idea_path(w.idea),
    "process_path": lambda w: actions.process_path(w.process),
    "public_url": lambda w: actions.public_url("participation_index"),
    "public_url_of": lambda w: actions.public_url_of(w.process),
}


def test_every_action_is_named():
    public = {
        name
        for name, fn in inspect.getmembers(actions, inspect.isfunction)
        if fn.__module__ == actions.__name__ and not name.startswith("_")
    }
    assert set(WRITES) | set(READS) == public
    assert not set(WRITES) & set(READS)


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_write_appends_to_the_audit_log(w, name):
    before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        WRITES[name](w)
    tables = written_tables(queries.captured_queries) - {"core_auditentry"}
    assert tables, f"{name} wrote nothing"
    assert AuditEntry.objects.count() > before, f"{name} wrote {sorted(tables)} without an entry"
    assert audit.verify().ok


@pytest.mark.parametrize("name", sorted(READS))
def test_a_read_writes_nothing(w, name):
    with CaptureQueriesContext(connection) as queries:
        READS[name](w)
    assert not written_tables(queries.captured_queries)
