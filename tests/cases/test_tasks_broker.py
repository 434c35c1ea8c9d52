"""Background tasks through a real broker, Redis and RabbitMQ: the SLA task sent by `enqueue`
travels through the broker to a worker (in a thread of this process) and changes the database.

Both brokers run on the development machines and in CI. Outside CI a broker that does not answer
skips its test with the reason; in CI (CI=true) it fails it, so a broken set-up cannot pass as
green. The URLs can be changed with INSIEME_TEST_REDIS_URL and INSIEME_TEST_AMQP_URL.
"""

from __future__ import annotations

import os
import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta

import kombu.pools
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from celery.worker import state as worker_state
from django.core import mail
from kombu import Connection, Exchange, Queue

from insieme.cases import tasks
from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Case, DueState, Escalation
from insieme.core.permissions import Role
from insieme.core.tasks import enqueue
from tests.cases.conftest import INSIDE_MONTALTO
from tests.conftest import make_staff

BROKERS = {
    "redis": os.environ.get("INSIEME_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
    "rabbitmq": os.environ.get("INSIEME_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"),
}
TASK_TIMEOUT = 30  # seconds for the task to go through the broker and run

# What the worker's configuration changes, restored after each test.
CONF_KEYS = (
    "broker_url",
    "task_always_eager",
    "task_default_queue",
    "broker_connection_timeout",
    "broker_connection_max_retries",
)


def _unreachable(url: str) -> str | None:
    """None when the broker answers (a channel opens), else what went wrong."""
    try:
        with Connection(url, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
            conn.default_channel  # noqa: B018 - Redis connects lazily: a channel talks to it
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable", with its reason
        return f"{type(exc).__name__}: {exc}"
    return None


def _forget_connections(app) -> None:
    """Drop the app's producer pool and queue set, built for the previous broker and queue."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.__dict__.pop("amqp", None)
    # Kombu keeps one connection pool per broker URL for the process; a pool closed above
    # would otherwise be handed to the next test on the same URL.
    kombu.pools.reset()


@pytest.fixture(params=sorted(BROKERS))
def broker_app(request):
    """The project's Celery app pointed at a real broker, on a queue of this test's own (so
    parallel runs and other programs on the same broker never take its messages)."""
    name, url = request.param, BROKERS[request.param]
    problem = _unreachable(url)
    if problem:
        message = f"the {name} broker at {url} does not answer ({problem})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run it", pytrace=False)
        pytest.skip(f"{message}; start it to run this test")
    app = tasks.app
    saved = {key: app.conf[key] for key in CONF_KEYS}
    queue = f"insieme-test-{uuid.uuid4().hex[:12]}"
    app.conf.update(
        broker_url=url,
        task_always_eager=False,
        task_default_queue=queue,
        broker_connection_timeout=3,
        broker_connection_max_retries=2,
    )
    _forget_connections(app)
    try:
        yield app
    finally:
        try:
            with Connection(url, connect_timeout=3) as conn:
                # Celery's default queue, with its direct exchange of the same name. Declaring
                # it first tells the channel its binding, which Redis keeps in a set of its own.
                bound = Queue(queue, Exchange(queue, "direct"), routing_key=queue)(
                    conn.default_channel
                )
                bound.declare()
                bound.delete()
                bound.exchange.delete()
        except Exception:  # noqa: BLE001, S110 - cleaning up a test queue is best effort
            pass
        _forget_connections(app)
        app.conf.update(saved)


@contextmanager
def running_worker(app):
    """A worker in a thread of this process, consuming the app's queue; stopped on leaving."""
    with start_worker(app, perform_ping_check=False, shutdown_timeout=TASK_TIMEOUT) as worker:
        yield worker
        # Ask it to stop and wake its event loop, rather than wait for the loop's next poll
        # timeout (ten seconds on AMQP). start_worker then joins the thread.
        worker_state.should_terminate = 0
        hub = getattr(worker, "hub", None)
        if hub is not None:
            hub.call_soon(lambda: None)


@pytest.fixture
def ran():
    """Records, from the worker's side, every task run: (task name, eager?, queue it came by),
    and an event set once a task has finished."""
    runs: list[tuple[str, bool, str]] = []
    finished = threading.Event()

    def before(sender=None, task=None, **kwargs):
        info = task.request.delivery_info or {}
        runs.append((task.name, bool(task.request.is_eager), info.get("routing_key", "")))

    def after(**kwargs):
        finished.set()

    task_prerun.connect(before, weak=False)
    task_postrun.connect(after, weak=False)
    yield runs, finished
    task_prerun.disconnect(before)
    task_postrun.disconnect(after)


@pytest.mark.django_db(transaction=True)
def test_the_sla_task_runs_through_the_broker(broker_app, ran, cat, montalto, charlie):
    runs, finished = ran
    officer = make_staff(
        montalto, Role.OFFICER, "ugo@montalto.example", "Ugo", department=cat.department
    )
    supervisor = make_staff(
        montalto,
        Role.SUPERVISOR,
        "vera@montalto.example",
        "Vera",
        department=cat.department,
        capacity=0,
    )
    case, _created = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, description="Buca", answers={"size": "large"}, **INSIDE_MONTALTO
        ),
    )
    overdue_since = case.resolve_due_at - timedelta(days=40)
    Case.objects.filter(pk=case.pk).update(resolve_due_at=overdue_since)
    mail.outbox.clear()

    with running_worker(broker_app):
        enqueue(tasks.sla_tick)  # autocommit: sent to the broker at once
        assert finished.wait(TASK_TIMEOUT), "the worker did not run the task in time"

    queue = broker_app.conf.task_default_queue
    assert runs == [(tasks.sla_tick.name, False, queue)]  # by the broker, not in-process
    case.refresh_from_db()
    assert case.due_state == DueState.OVERDUE and case.assignee == officer
    assert Escalation.objects.filter(case=case, kind=Escalation.Kind.OVERDUE).count() == 1
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([officer.email, supervisor.email])
