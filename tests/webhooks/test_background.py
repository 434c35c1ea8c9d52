"""Delivery never blocks the request that caused the event: a case filed through the web form
records its deliveries and answers at once, while the receiver is still being waited for."""

from __future__ import annotations

import threading
import time

import pytest

from insieme.cases.models import Case
from insieme.webhooks import dispatch
from insieme.webhooks.models import Attempt, Delivery
from tests.cases.filing.test_filing import FILE_URL, report_data


def wait_for(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_manual_mode_files_through_the_web_form_and_sends_nothing_in_the_request(
    cat, charlie, client, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscribe(receiver.url, ["case.created"])
    client.force_login(charlie)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FILE_URL, report_data(client))
    assert response.status_code == 302
    case = Case.objects.get()
    row = Delivery.objects.get()
    assert row.payload["data"]["reference"] == case.reference
    assert (row.status, row.attempts, receiver.received) == ("pending", 0, [])


@pytest.mark.django_db(transaction=True)
def test_the_sender_thread_delivers_after_the_request_has_answered(
    cat, charlie, client, receiver, subscribe, settings
):
    settings.WEBHOOKS_DISPATCH = "auto"  # no broker in tests: the in-process sender thread
    assert dispatch.mode() == "thread"
    subscribe(receiver.url, ["case.created"])
    receiver.gate = threading.Event()  # the receiver hangs until the test lets it answer
    client.force_login(charlie)

    response = client.post(FILE_URL, report_data(client))
    assert response.status_code == 302
    # The request has answered while the receiver still holds the delivery unanswered (had the
    # request sent it, it would have waited for the timeout and logged a failed attempt). The
    # database is read only while the sender is parked on the receiver or idle: the in-memory
    # SQLite of the tests locks whole tables between connections.
    assert wait_for(lambda: len(receiver.received) == 1)
    row = Delivery.objects.get()
    assert row.payload["data"]["reference"] == Case.objects.get().reference
    assert not Attempt.objects.exists()

    receiver.gate.set()
    assert dispatch._dispatcher.join(timeout=15)  # delivered, nothing pending: the thread is idle
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("succeeded", 1)
    assert Attempt.objects.get().status_code == 200
