"""Webhooks fixtures: a real HTTP receiver on 127.0.0.1 and subscriptions made by the actions.

Deliveries are sent by calling the due-delivery processing (`delivery.deliver_due`) with a clock
the test controls: the autouse fixture sets WEBHOOKS_DISPATCH to "manual", so nothing starts a
sender behind the test's back (the one test of the background thread turns it back on).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from insieme.webhooks import actions


@pytest.fixture(autouse=True)
def _manual_dispatch(settings):
    settings.WEBHOOKS_DISPATCH = "manual"
    # The receiver below listens on 127.0.0.1; test_targets.py turns this off again.
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next status of `statuses` (the last one repeats), after
    waiting for `gate` when one is set; records every request."""

    url: str = ""
    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    gate: threading.Event | None = None
    received: list[Received] = field(default_factory=list)

    def next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.received.append(Received(self.path, dict(self.headers.items()), body))
            if state.gate is not None:
                state.gate.wait(timeout=30)
            if state.delay:
                time.sleep(state.delay)
            status = state.next_status()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"receiver trouble")

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    if state.gate is not None:
        state.gate.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribe(alice, montalto):
    """subscribe(url, event_types, admin=montalto, actor=alice) -> (subscription, secret)."""

    def make(url: str, event_types, admin=None, actor=None, name="Integrator"):
        return actions.create_subscription(
            actor or alice, admin or montalto, name=name, url=url, event_types=event_types
        )

    return make
