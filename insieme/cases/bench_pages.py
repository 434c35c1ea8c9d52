"""`make bench` figures of page weight: what a first visit to each main page downloads,
compressed as the server sends it, measured by Debian's chromium (the browser tests' one).

The pages are served by a WSGI server thread over the bench's throw-away database, with the
static files as `collectstatic` left them (hashed, gzip by whitenoise), and loaded with an
empty cache; the figure is the sum of every response's encoded size once the network is idle
(the HTML, stylesheets, scripts and ES modules, fonts, images). The baseline is the same page as
every page loaded it before: the design system's whole JavaScript bundle and whole stylesheet in
place of the per-component modules and the cut stylesheet (their compressed sizes swapped).

Without chromium (it is installed by `make chromium`) the figures are left out with a note.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.urls import reverse

from insieme.cases.models import Case
from insieme.core.registry import BenchLine, Benchmark

CHROMIUM = os.environ.get("INSIEME_CHROMIUM", "/usr/bin/chromium")
BUNDLE = "bootstrap-italia/dist/js/bootstrap-italia.bundle.min.js"
STYLESHEET = "bootstrap-italia/dist/css/bootstrap-italia.min.css"
# What pages load now in their place: per-component modules, the stylesheet cut to what is used.
MODULES_URL = "/vendor/bootstrap-italia/plugins/"
LEAN_CSS_URL = "/insieme/build/bootstrap-italia"


def _whole_kb(name: str) -> float:
    """The compressed size of one of the design system's whole files, as whitenoise gzips it."""
    node_modules = Path(os.environ.get("INSIEME_NODE_MODULES", settings.BASE_DIR / "node_modules"))
    path = node_modules / name
    if not path.exists():
        return 0.0
    return len(gzip.compress(path.read_bytes(), 9)) / 1024


def _pages() -> tuple[list[tuple[str, str, str | None]], Case]:
    """(name, path, who is signed in: 'citizen', 'officer' or None) of the pages measured,
    and the public case they show."""
    from insieme.catalog.models import Service

    case = (
        Case.objects.filter(
            is_public=True,
            submitted_by__isnull=False,
            lat__isnull=False,
            department__isnull=False,
        )
        .select_related("administration", "service", "department")
        .order_by("-pk")
        .first()
    )
    service = Service.objects.filter(pk=case.service_id).first()
    return [
        ("home", reverse("home"), None),
        ("filing", reverse("case_file", args=[case.administration.slug, service.code]), None),
        ("my_requests", reverse("my_requests"), "citizen"),
        (
            "public_case",
            reverse("case_public", args=[case.administration.slug, case.reference]),
            None,
        ),
        ("queue", reverse("staff_queue", args=[case.administration.slug]), "officer"),
        (
            "case_page",
            reverse("staff_case", args=[case.administration.slug, case.reference]),
            "officer",
        ),
    ], case


def _session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _officer_of(case):
    from insieme.core.models import Membership
    from insieme.core.permissions import Role

    member = (
        Membership.objects.filter(
            administration=case.administration,
            department=case.department,
            role__in=[Role.OFFICER, Role.SUPERVISOR],
            is_active=True,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return member.user


def measure() -> list[tuple[str, float, float]]:
    """[(page, kB, kB with the whole bundle)] for each page; [] without chromium."""
    if not os.access(CHROMIUM, os.X_OK):
        print(f"  page weights left out: {CHROMIUM} not found (run `make chromium`)")
        return []
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    pages, case = _pages()
    people = {"citizen": case.submitted_by, "officer": _officer_of(case)}
    cookies = {who: _session_cookie(user) for who, user in people.items()}
    shared = {}
    # An in-memory SQLite database (the bench's on SQLite) exists in this connection only: the
    # server thread shares it (the real connection object, not django.db.connection's proxy).
    real = connections[connection.alias]
    if real.vendor == "sqlite" and real.is_in_memory_db():
        shared = {real.alias: real}
        real.inc_thread_sharing()
    # Static files through whitenoise, as in production (the thread serves the app as it is).
    server = LiveServerThread("127.0.0.1", lambda app: app, connections_override=shared)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    whole = _whole_kb(BUNDLE) + _whole_kb(STYLESHEET)
    found = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            for name, path, who in pages:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                if who:
                    context.add_cookies(
                        [{"name": settings.SESSION_COOKIE_NAME, "value": cookies[who], "url": base}]
                    )
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                sizes: dict[str, int] = {}
                urls: dict[str, str] = {}
                cdp.on(
                    "Network.responseReceived",
                    lambda e, urls=urls: urls.__setitem__(e["requestId"], e["response"]["url"]),
                )
                cdp.on(
                    "Network.loadingFinished",
                    lambda e, sizes=sizes: sizes.__setitem__(
                        e["requestId"], e["encodedDataLength"]
                    ),
                )
                response = page.goto(base + path)
                assert response is not None and response.status == 200, (path, response)
                page.wait_for_load_state("networkidle")
                total = sum(sizes.values()) / 1024
                lean = sum(
                    n
                    for rid, n in sizes.items()
                    if MODULES_URL in urls.get(rid, "") or LEAN_CSS_URL in urls.get(rid, "")
                )
                found.append((name, total, total - lean / 1024 + whole))
                context.close()
            browser.close()
    finally:
        server.terminate()
        if shared:
            real.dec_thread_sharing()
    return found


def run(size: str) -> list[BenchLine]:
    return [BenchLine(f"page_weight_{name}", kb, "kB", 1, before) for name, kb, before in measure()]


BENCHMARK = Benchmark(key="cases.page_weight", run=run, app="cases")
