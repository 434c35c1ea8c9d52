"""Deliveries: signed as docs/webhooks.md says, retried with backoff after a failing receiver,
logged attempt by attempt, only for the chosen event types of the subscriber's administration."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import inspect
import json
import socket
import time
from pathlib import Path

import pytest

from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.core import events
from insieme.webhooks import actions, delivery
from insieme.webhooks.models import Attempt, Delivery
from tests.cases.conftest import INSIDE_MONTALTO, PII_DESCRIPTION

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


# The verification recipe, exactly as docs/webhooks.md shows it (the last test checks that).
def verify(secret: str, timestamp: str, body: bytes, signature: str, now=None) -> bool:
    """True when `body` was signed by Insieme with `secret` less than five minutes ago."""
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > 300:
        return False  # too old (or from the future): a replayed capture
    signed = timestamp.encode() + b"." + body
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def file_case(charlie, cat, capture):
    with capture(execute=True):
        case, _ = filing_actions.submit_case(
            charlie,
            filing_actions.Filing(
                cat.pothole,
                answers={"size": "large"},
                description=PII_DESCRIPTION,
                contact_name="Charlie Citizen",
                contact_email="charlie.contact@example.org",
                contact_phone="+39 347 765 4321",
                **INSIDE_MONTALTO,
            ),
        )
    return case


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_filed_case_is_delivered_signed_and_verifiable_with_the_documented_recipe(
    cat, charlie, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscription, secret = subscribe(receiver.url, ["case.created"])
    case = file_case(charlie, cat, django_capture_on_commit_callbacks)

    row = Delivery.objects.get()
    assert (row.subscription, row.status, row.attempts) == (subscription, "pending", 0)
    assert receiver.received == []  # filing only recorded it; sending is the background's job

    assert delivery.deliver_due() == 1
    [request] = receiver.received
    headers = request.headers
    assert verify(
        secret, headers["X-Insieme-Timestamp"], request.body, headers["X-Insieme-Signature"]
    )
    assert headers["X-Insieme-Event"] == "case.created"
    assert headers["X-Insieme-Delivery"] == str(row.pk)
    assert headers["Content-Type"] == "application/json"

    payload = json.loads(request.body)
    assert set(payload) == {"id", "type", "occurred_at", "administration", "data"}
    assert payload["type"] == "case.created" and payload["administration"] == "montalto"
    assert payload["id"] == str(row.event_id)
    data = payload["data"]
    assert data["reference"] == case.reference and data["service_code"] == "pothole"
    assert data["status"] == case.status
    assert data["public_url"] == f"/cases/montalto/{case.reference}/"
    text = request.body.decode()
    for private in [
        "charlie",
        "Charlie",
        "333 123 4567",
        "347 765 4321",
        "RSSMRA85T10A562S",
        str(charlie.pk) + ",",
    ]:
        assert private not in text, private
    assert "Buca enorme" in data["text"]  # the public text, redacted

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("succeeded", 1, 200)
    [logged] = row.attempt_log.all()
    assert (logged.number, logged.status_code, logged.error) == (1, 200, "")
    assert logged.duration_ms >= 0


def test_a_signature_fails_with_another_secret_a_changed_body_or_an_old_timestamp(
    cat, charlie, receiver, subscribe, django_capture_on_commit_callbacks
):
    _subscription, secret = subscribe(receiver.url, ["case.created"])
    file_case(charlie, cat, django_capture_on_commit_callbacks)
    delivery.deliver_due()
    [request] = receiver.received
    ts, sig = request.headers["X-Insieme-Timestamp"], request.headers["X-Insieme-Signature"]
    assert verify(secret, ts, request.body, sig)
    assert not verify(secret + "x", ts, request.body, sig)
    assert not verify(secret, ts, request.body.replace(b"pothole", b"potholf"), sig)
    assert not verify(secret, str(int(ts) - 1), request.body, sig)
    assert not verify(secret, ts, request.body, sig, now=int(ts) + 301)


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
    cat, charlie, receiver, subscribe, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 200]
    _subscription, secret = subscribe(receiver.url, ["case.created"])
    file_case(charlie, cat, django_capture_on_commit_callbacks)
    row = Delivery.objects.get()
    t0 = row.next_attempt_at + dt.timedelta(seconds=1)

    assert delivery.deliver_due(now=t0) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
    wait = (row.next_attempt_at - t0).total_seconds()
    assert delivery.BACKOFF_BASE_SECONDS / 2 <= wait <= delivery.BACKOFF_BASE_SECONDS

    assert delivery.deliver_due(now=t0 + dt.timedelta(seconds=wait / 2)) == 0  # not due yet
    assert len(receiver.received) == 1

    assert delivery.deliver_due(now=row.next_attempt_at) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("succeeded", 2, 200)
    assert [(a.number, a.status_code) for a in row.attempt_log.all()] == [(1, 500), (2, 200)]
    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first.body == second.body  # the same event, same id
    for request in receiver.received:
        ts = request.headers["X-Insieme-Timestamp"]
        assert verify(secret, ts, request.body, request.headers["X-Insieme-Signature"], now=int(ts))
    assert first.headers["X-Insieme-Timestamp"] != second.headers["X-Insieme-Timestamp"]
    assert delivery.deliver_due(now=row.next_attempt_at or t0 + dt.timedelta(days=1)) == 0


def test_an_unreachable_receiver_is_retried_with_growing_pauses_then_given_up(
    cat, charlie, subscribe, django_capture_on_commit_callbacks
):
    subscribe(f"http://127.0.0.1:{free_port()}/nobody-listens", ["case.created"])
    file_case(charlie, cat, django_capture_on_commit_callbacks)
    row = Delivery.objects.get()
    now = row.next_attempt_at
    for number in range(1, delivery.MAX_ATTEMPTS + 1):
        assert delivery.deliver_due(now=now) == 1
        row.refresh_from_db()
        assert row.attempts == number and row.last_status_code is None and row.last_error
        if number < delivery.MAX_ATTEMPTS:
            ceiling = min(
                delivery.BACKOFF_CAP_SECONDS, delivery.BACKOFF_BASE_SECONDS * 2 ** (number - 1)
            )
            wait = (row.next_attempt_at - now).total_seconds()
            assert ceiling / 2 <= wait <= ceiling, (number, wait)
            now = row.next_attempt_at
    assert (row.status, row.next_attempt_at) == ("failed", None)
    assert delivery.deliver_due(now=now + dt.timedelta(days=30)) == 0
    assert Attempt.objects.filter(delivery=row, status_code__isnull=True).count() == 10


def test_a_slow_receiver_times_out_and_is_logged(
    cat, charlie, receiver, subscribe, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 0.3)
    receiver.delay = 1.5
    subscribe(receiver.url, ["case.created"])
    file_case(charlie, cat, django_capture_on_commit_callbacks)
    # A controlled clock: the attempt starts at 100 s and its end is read at 100.3125 s.
    readings = iter([100.0, 100.3125])
    monkeypatch.setattr(delivery, "clock", lambda: next(readings))
    delivery.deliver_due()
    row = Delivery.objects.get()
    [logged] = row.attempt_log.all()
    assert logged.status_code is None and "timed out" in logged.error.lower()
    assert logged.duration_ms == 312
    assert row.status == "pending" and row.next_attempt_at is not None


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    cat, charlie, receiver, subscribe, django_capture_on_commit_callbacks
):
    receiver.statuses = [302]
    subscribe(receiver.url, ["case.created"])
    file_case(charlie, cat, django_capture_on_commit_callbacks)
    delivery.deliver_due()
    row = Delivery.objects.get()
    assert (row.status, row.last_status_code, len(receiver.received)) == ("pending", 302, 1)


def test_no_delivery_for_a_type_not_chosen_nor_for_another_administration(
    cat, charlie, bob, oscar, lagoverde, receiver, subscribe, django_capture_on_commit_callbacks
):
    replies, _ = subscribe(receiver.url, ["case.public_reply"])
    everything, _ = subscribe(receiver.url, sorted(events.EVENT_TYPES), name="Everything")
    actions.set_active(None, everything, False)
    other, _ = subscribe(
        receiver.url, ["case.created", "case.public_reply"], admin=lagoverde, actor=oscar
    )

    case = file_case(charlie, cat, django_capture_on_commit_callbacks)
    assert not Delivery.objects.exists()  # replies chose no case.created; the rest is elsewhere

    with django_capture_on_commit_callbacks(execute=True):
        handling_actions.reply(bob, case, "Ci pensiamo noi.")
    assert list(Delivery.objects.values_list("subscription", "event_type")) == [
        (replies.pk, "case.public_reply")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        handling_actions.reply(bob, case, "Nota interna", public=False)
    assert Delivery.objects.count() == 1  # an internal note is no public reply

    with django_capture_on_commit_callbacks(execute=True):
        events.publish_on_commit("case.created", lagoverde.pk, {"reference": "2026-000001"})
    assert Delivery.objects.filter(subscription=other).count() == 1
    assert Delivery.objects.count() == 2
    delivery.deliver_due()
    assert len(receiver.received) == 2


def test_status_changes_tell_from_and_to(
    cat, charlie, bob, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscribe(receiver.url, ["case.status_changed", "case.information_requested"])
    case = file_case(charlie, cat, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        handling_actions.change_status(bob, case, "acknowledged", note="Preso in carico")
    with django_capture_on_commit_callbacks(execute=True):
        handling_actions.request_information(bob, case, text="Quale numero civico?")
    rows = list(Delivery.objects.order_by("pk"))
    assert [r.event_type for r in rows] == ["case.status_changed", "case.information_requested"]
    changed = rows[0].payload["data"]
    assert (changed["from_status"], changed["to_status"]) == ("submitted", "acknowledged")
    assert changed["text"] == "Preso in carico"
    asked = rows[1].payload["data"]
    assert asked["to_status"] == "waiting_citizen" and asked["text"] == "Quale numero civico?"


def test_a_disabled_subscription_receives_nothing_more(
    cat, charlie, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscription, _ = subscribe(receiver.url, ["case.created"])
    file_case(charlie, cat, django_capture_on_commit_callbacks)
    actions.set_active(None, subscription, False)
    assert delivery.deliver_due() == 0
    assert receiver.received == []
    assert Delivery.objects.get().status == "failed"


def test_the_documented_recipe_is_the_one_tested():
    docs = DOCS.read_text()
    source = inspect.getsource(verify)
    assert source in docs


def test_the_management_command_sends_what_is_due(
    cat, charlie, receiver, subscribe, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    subscribe(receiver.url, ["case.created"])
    file_case(charlie, cat, django_capture_on_commit_callbacks)
    out = StringIO()
    call_command("webhooks_deliver", stdout=out)
    assert "1 delivery attempt" in out.getvalue()
    assert len(receiver.received) == 1 and Delivery.objects.get().status == "succeeded"


def test_a_sent_attempt_is_recorded_even_while_sqlite_says_the_table_is_locked(
    cat, charlie, receiver, subscribe, monkeypatch, django_capture_on_commit_callbacks
):
    """The request went out: its record is written again after a short pause while the database
    answers "table is locked" (SQLite, another connection writing), so the delivery is neither
    lost nor sent twice; any other database error is not retried."""
    from django.db import OperationalError

    subscribe(receiver.url, ["case.created"])
    file_case(charlie, cat, django_capture_on_commit_callbacks)
    create = Attempt.objects.create
    failures = ["database table is locked: webhooks_delivery"] * 2

    def locked_twice(**kwargs):
        if failures:
            raise OperationalError(failures.pop())
        return create(**kwargs)

    monkeypatch.setattr(delivery, "RECORD_PAUSE_SECONDS", 0.001)
    monkeypatch.setattr(Attempt.objects, "create", locked_twice)
    assert delivery.deliver_due() == 1
    assert len(receiver.received) == 1
    row = Delivery.objects.get()
    assert (row.status, row.attempts, Attempt.objects.count()) == ("succeeded", 1, 1)


def test_other_database_errors_while_recording_are_not_retried(
    cat, charlie, receiver, subscribe, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    subscribe(receiver.url, ["case.created"])
    file_case(charlie, cat, django_capture_on_commit_callbacks)
    calls = []

    def broken(**kwargs):
        calls.append(kwargs)
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(Attempt.objects, "create", broken)
    with pytest.raises(OperationalError):
        delivery.deliver_due()
    assert len(calls) == 1
