"""An administrator subscribes a receiver to case events in a real browser, sends a test event,
reads the delivery log and replays a delivery; every page checked with axe-core."""

from __future__ import annotations

import http.server
import threading

import pytest

from insieme.webhooks.models import Subscription
from tests.browser.conftest import assert_accessible, log_in_as

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # it listens on 127.0.0.1
    """A local HTTP receiver answering 200 and keeping the bodies it got."""
    bodies: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the standard library's name)
            bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies
    server.shutdown()


def test_subscribe_send_a_test_event_and_replay(page, alice, receiver):
    url, bodies = receiver
    log_in_as(page, alice)
    page.goto(page.base_url + "/staff/montalto/")
    page.locator("main").get_by_role("link", name="Webhooks").first.click()
    assert page.url.endswith("/staff/montalto/webhooks/")
    assert_accessible(page)

    page.get_by_role("link", name="New subscription").click()
    assert_accessible(page)
    page.get_by_role("button", name="Create subscription").click()  # nothing filled in
    page.wait_for_load_state()
    assert not Subscription.objects.exists()
    assert_accessible(page)
    page.get_by_label("Name").fill("City app")
    page.get_by_label("URL").fill(url)
    # Bootstrap Italia draws the box on the label, which takes the click.
    page.locator("label", has_text="A case moved to another status.").click()
    page.get_by_role("button", name="Create subscription").click()
    page.wait_for_load_state()
    assert "Signing secret" in page.content()
    assert Subscription.objects.get().secret in page.content()  # shown this once
    assert_accessible(page)

    page.get_by_role("link", name="I have copied the secret").click()
    page.wait_for_load_state()
    assert Subscription.objects.get().secret not in page.content()
    page.get_by_role("button", name="Send a test event").click()
    page.wait_for_load_state()
    for _ in range(50):  # the sender thread delivers in the background
        if bodies:
            break
        page.wait_for_timeout(100)
    assert len(bodies) == 1
    page.reload()
    assert_accessible(page)
    page.locator("main table a").first.click()
    page.wait_for_load_state()
    assert "200" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Replay").click()
    page.wait_for_load_state()
    for _ in range(50):
        if len(bodies) == 2:
            break
        page.wait_for_timeout(100)
    assert len(bodies) == 2 and bodies[0] == bodies[1]  # the same event, sent again
