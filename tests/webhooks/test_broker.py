"""With a broker: the delivery is a Celery task sent on commit, a failed attempt comes back as a
task with a countdown, and the periodic task sends what is due. Real Redis and RabbitMQ, with a
worker in a thread (skipped outside CI when a broker does not answer, as in tests/cases)."""

from __future__ import annotations

import time

import pytest
from kombu import pools

from insieme.cases.filing import actions as filing_actions
from insieme.webhooks import delivery, dispatch, tasks
from insieme.webhooks.models import Delivery
from tests.cases.conftest import INSIDE_MONTALTO
from tests.cases.test_tasks_broker import (  # noqa: F401 - fixtures
    TASK_TIMEOUT,
    broker_app,
    ran,
    running_worker,
)


@pytest.fixture
def fresh_pools():
    """Kombu keeps one connection pool per broker URL for the whole process; broker_app closes
    its pool when it ends, and a later test on the same URL would be handed the closed one."""
    pools.reset()
    yield
    pools.reset()  # after broker_app's own clean-up, which this fixture was set up before


@pytest.fixture
def app(fresh_pools, broker_app):  # noqa: F811
    broker_app._pool = None
    return broker_app


def wait_for(condition, timeout: float = TASK_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_failed_delivery_is_retried_by_the_worker_with_a_countdown(
    app,
    ran,  # noqa: F811
    cat,
    charlie,
    receiver,
    subscribe,
    settings,
    monkeypatch,
):
    runs, _finished = ran
    settings.WEBHOOKS_DISPATCH = "auto"
    settings.CELERY_TASK_ALWAYS_EAGER = False  # what INSIEME_BROKER_URL gives
    assert dispatch.mode() == "celery"
    monkeypatch.setattr(delivery, "BACKOFF_BASE_SECONDS", 1)  # retry within a second
    receiver.statuses = [500, 200]
    subscribe(receiver.url, ["case.created"])

    filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, description="Buca", answers={"size": "large"}, **INSIDE_MONTALTO
        ),
    )
    assert receiver.received == []  # filing only sent a message to the broker
    with running_worker(app):
        assert wait_for(lambda: len(receiver.received) == 2), "the retry did not arrive"
        assert wait_for(lambda: len(runs) == 2)
    queue = app.conf.task_default_queue
    assert runs == [(tasks.deliver.name, False, queue)] * 2  # by the broker, not in-process
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code) == ("succeeded", 2, 200)


@pytest.mark.django_db(transaction=True)
def test_the_periodic_task_sends_what_is_due(
    app,
    ran,  # noqa: F811
    cat,
    charlie,
    receiver,
    subscribe,
    settings,
):
    runs, finished = ran
    settings.WEBHOOKS_DISPATCH = "manual"  # rows stay due, as after a lost message
    subscribe(receiver.url, ["case.created"])
    filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, description="Buca", answers={"size": "large"}, **INSIDE_MONTALTO
        ),
    )
    assert Delivery.objects.get().status == "pending"
    with running_worker(app):
        tasks.deliver_due.apply_async()
        assert finished.wait(TASK_TIMEOUT)
    assert runs == [(tasks.deliver_due.name, False, app.conf.task_default_queue)]
    assert len(receiver.received) == 1
    assert Delivery.objects.get().status == "succeeded"
