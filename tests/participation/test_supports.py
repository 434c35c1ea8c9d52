"""Supports: one per person (the unique constraint decides, also when two requests race), an
optional threshold and deadline per process, refused after the deadline or outside the phases
that take them, with a sentence saying why."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.db.models.query import QuerySet

from insieme.core import audit
from insieme.core.models import AuditEntry, today_in
from insieme.participation import actions
from insieme.participation.models import Idea, PhaseKind, Support
from tests.conftest import make_user
from tests.participation.conftest import idea_url, make_idea, make_process


def test_a_person_supports_an_idea_once(persona_client, idea, sara):
    client = persona_client(sara)
    first = client.post(idea_url(idea) + "support/", follow=True)
    assert "Thank you: you support this idea." in first.content.decode()
    second = client.post(idea_url(idea) + "support/", follow=True)
    assert "You support this idea already: each person counts once." in second.content.decode()
    idea.refresh_from_db()
    assert idea.supports_count == 1 and Support.objects.count() == 1
    assert AuditEntry.objects.filter(action="participation.idea.supported").count() == 1
    # Withdrawn, then given again: still one.
    assert client.post(idea_url(idea) + "unsupport/").status_code == 302
    idea.refresh_from_db()
    assert idea.supports_count == 0 and not Support.objects.exists()
    client.post(idea_url(idea) + "support/")
    idea.refresh_from_db()
    assert idea.supports_count == 1


def test_anonymous_visitors_are_asked_to_log_in(client, idea):
    response = client.post(idea_url(idea) + "support/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Support.objects.exists()
    assert "Log in to support this idea" in client.get(idea_url(idea)).content.decode()


def test_the_page_shows_count_threshold_and_deadline(client, montalto, carla, charlie):
    deadline = today_in(montalto) + dt.timedelta(days=3)
    process = make_process(montalto, carla, support_threshold=2, support_deadline=deadline)
    idea = make_idea(process, charlie)
    html = client.get(idea_url(idea)).content.decode()
    assert "0 of 2 supports needed" in html
    assert "Supports are taken until" in html and "Threshold reached" not in html
    for n in range(2):
        actions.support_idea(make_user(f"s{n}@example.org", f"S {n}"), idea)
    html = client.get(idea_url(idea)).content.decode()
    assert "2 of 2 supports needed" in html and "Threshold reached" in html


def test_no_support_after_the_deadline(persona_client, montalto, carla, charlie, sara):
    yesterday = today_in(montalto) - dt.timedelta(days=1)
    process = make_process(montalto, carla, support_deadline=yesterday)
    idea = make_idea(process, charlie)
    response = persona_client(sara).post(idea_url(idea) + "support/", follow=True)
    assert f"Supports closed on {yesterday:%d/%m/%Y}." in response.content.decode()
    assert not Support.objects.exists()


@pytest.mark.parametrize("phase", [PhaseKind.INFORMATION, PhaseKind.DELIBERATION])
def test_no_support_outside_the_phases_that_take_them(
    persona_client, montalto, carla, charlie, sara, phase
):
    kinds = [PhaseKind.INFORMATION, PhaseKind.IDEATION, PhaseKind.DELIBERATION]
    process = make_process(montalto, carla, current=phase, phases=kinds)
    idea = Idea.objects.create(process=process, title="t", body="b", author=charlie)
    response = persona_client(sara).post(idea_url(idea) + "support/", follow=True)
    html = response.content.decode()
    assert "Supports are taken only during the ideation and voting phases." in html
    assert "Support this idea" not in html  # no button, the sentence instead
    assert not Support.objects.exists()


def test_no_support_for_a_merged_or_rejected_idea(process, charlie, sara, carla):
    kept, merged = make_idea(process, charlie), make_idea(process, charlie, title="doppione")
    actions.merge_ideas(carla, merged, kept)
    with pytest.raises(ValidationError, match="merged into another one"):
        actions.support_idea(sara, merged)
    actions.answer_idea(carla, kept, kind="rejected", text="No.")
    with pytest.raises(ValidationError, match="rejected"):
        actions.support_idea(sara, kept)


def test_the_unique_constraint_is_what_keeps_supports_one_per_person(idea, sara):
    """Without the application's check (as two racing requests both find no support yet), the
    database itself refuses the second row."""
    Support.objects.create(idea=idea, user=sara)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(idea=idea, user=sara)
    assert Support.objects.filter(idea=idea, user=sara).count() == 1


def test_a_race_past_the_check_still_makes_one_support(idea, sara, monkeypatch):
    """The check-then-insert race, replayed: the first `get` of get_or_create finds nothing
    (the other request's row is not there yet when it looks), the insert meets the unique
    constraint, and the action reads the other request's row instead of failing or counting
    twice."""
    Support.objects.create(idea=idea, user=sara)  # the other request's row
    real_get = QuerySet.get
    calls = {"n": 0}

    def stale_get(self, *args, **kwargs):
        if self.model is Support:
            calls["n"] += 1
            if calls["n"] == 1:
                raise Support.DoesNotExist  # it looked before the other request wrote
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "get", stale_get)
    support, created = actions.support_idea(sara, idea)
    assert not created and calls["n"] == 2
    assert Support.objects.filter(idea=idea, user=sara).count() == 1
    idea.refresh_from_db()
    assert idea.supports_count == 0  # nothing counted by this request


@contextmanager
def shared_database(tmp_path):
    """Where threads can open connections of their own: the test database itself on
    PostgreSQL; on SQLite a file copy of it (the in-memory test database's shared cache answers
    "table is locked" to a second writer instead of making it wait, as a file database does)."""
    if connection.vendor != "sqlite":
        yield
        return
    target = tmp_path / "threads.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    settings = connections.settings["default"]
    name = settings["NAME"]
    settings["NAME"] = str(target)
    try:
        yield
    finally:
        settings["NAME"] = name


def in_thread(fn):
    """fn() run in a thread of its own (its own database connection), its result returned."""
    out = {}

    def run():
        try:
            out["value"] = fn()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return out["value"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_double_clicks_make_one_support(montalto, carla, charlie, sara, tmp_path):
    """Two threads, each with its own database connection, support the same idea at the same
    moment (a double click sends two requests): one support, counted once. On PostgreSQL the
    second insert waits for the first transaction and then meets the unique constraint; on
    SQLite writers take turns."""
    process = make_process(montalto, carla)
    idea = make_idea(process, charlie)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def click():
        try:
            user = type(sara).objects.get(pk=sara.pk)
            target = Idea.objects.select_related("process__administration").get(pk=idea.pk)
            barrier.wait(timeout=10)
            results.append(actions.support_idea(user, target)[1])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    with shared_database(tmp_path):
        threads = [threading.Thread(target=click) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
        assert sorted(results) == [False, True]
        rows, counted, chain = in_thread(
            lambda: (
                Support.objects.filter(idea=idea).count(),
                Idea.objects.get(pk=idea.pk).supports_count,
                audit.verify().ok,
            )
        )
    assert (rows, counted, chain) == (1, 1, True)
