"""Deliveries are an outbox: their rows are written inside the transaction of the write that
caused the event, so they commit with it or not at all, and a process that dies between the
commit and the after-commit send loses nothing (the periodic sender finds them due)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Case
from insieme.core import events
from insieme.webhooks import delivery
from insieme.webhooks.models import Delivery
from tests.cases.conftest import INSIDE_MONTALTO


def submit(charlie, cat):
    return filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "large"}, description="Buca", **INSIDE_MONTALTO
        ),
    )[0]


def test_the_delivery_row_is_written_with_the_case_and_survives_a_lost_callback(
    cat, charlie, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscribe(receiver.url, ["case.created"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = submit(charlie, cat)
        # Inside the write's transaction, before any commit callback: already recorded.
        row = Delivery.objects.get()
        assert row.payload["data"]["reference"] == case.reference
    assert callbacks  # the after-commit send, which a crash would lose: never run here
    assert receiver.received == []
    assert Delivery.objects.get().status == "pending"
    delivery.deliver_due()  # the periodic sender
    assert len(receiver.received) == 1
    assert Delivery.objects.get().status == "succeeded"


def test_a_write_that_rolls_back_leaves_no_delivery(cat, charlie, receiver, subscribe):
    subscribe(receiver.url, ["case.created"])
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(charlie, cat)
        assert Delivery.objects.count() == 1
        raise RuntimeError("the request fails after filing")
    assert not Case.objects.exists()
    assert not Delivery.objects.exists()


@pytest.fixture
def broken_recorder():
    def broken(event):
        with connection.cursor() as cursor:  # a database error inside the write's transaction
            cursor.execute("SELECT * FROM no_such_table_for_events")

    events.listen(broken, in_transaction=True)
    yield broken
    events._recorders.remove(broken)


def test_a_failing_recorder_neither_breaks_the_write_nor_the_other_recorders(
    cat, charlie, receiver, subscribe, broken_recorder, caplog, django_capture_on_commit_callbacks
):
    subscribe(receiver.url, ["case.created"])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        case = submit(charlie, cat)
        # The transaction is still usable (the failure was rolled back to its savepoint).
        assert Case.objects.filter(pk=case.pk).exists()
    assert Case.objects.filter(pk=case.pk).exists()
    assert Delivery.objects.count() == 1
    assert "event recorder" in caplog.text and "failed for case.created" in caplog.text
