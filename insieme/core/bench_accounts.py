"""Benchmark: registration and password reset take as long for a registered address as for an
unknown one (the time of the answer must not tell which accounts exist).

Each figure is the median time of the request for addresses that have an account, with the
median for addresses that have none as its baseline: the ratio should be about 1 (before the
fix it was about 0.02 for registration and 6 for password reset). The two kinds alternate, so
that drift in the machine's load falls on both alike. Real Argon2 hashing; e-mail goes to memory
through a backend that takes 50 ms per message, as a mail server across a network would.
"""

from __future__ import annotations

import statistics
import time

from django.core.mail.backends.locmem import EmailBackend
from django.test import Client, override_settings
from django.urls import reverse

from insieme.core.background import worker
from insieme.core.models import User
from insieme.core.registry import BenchLine, Benchmark

PASSWORD = "a long enough passphrase for the bench 1"  # noqa: S105 - a throw-away database
MAIL_SERVER_SECONDS = 0.05


class SlowMailServer(EmailBackend):
    """In memory, after the pause a mail server across a network takes to accept a message."""

    def send_messages(self, messages):
        time.sleep(MAIL_SERVER_SECONDS)
        return super().send_messages(messages)


def _timed(client: Client, url: str, data: dict) -> float:
    started = time.perf_counter()
    response = client.post(url, data)
    elapsed = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    return elapsed


def _pair(n: int, url: str, known: list[str], data) -> tuple[list[float], list[float]]:
    known_s, unknown_s = [], []
    for i in range(n):
        # A fresh address per request: the per-address e-mail limit must not answer instead.
        client = Client(REMOTE_ADDR=f"10.{i // 250}.{i % 250}.1", SERVER_NAME="localhost")
        known_s.append(_timed(client, url, data(known[i % len(known)], i)))
        client = Client(REMOTE_ADDR=f"10.{i // 250}.{i % 250}.2", SERVER_NAME="localhost")
        unknown_s.append(_timed(client, url, data(f"nobody-{i}-{time.time_ns()}@bench.invalid", i)))
    worker.wait_idle(60)
    return known_s, unknown_s


def run(size: str) -> list[BenchLine]:
    n = 20 if size == "small" else 40
    known = list(
        User.objects.filter(is_active=True, memberships__isnull=True)
        .order_by("pk")
        .values_list("email", flat=True)[:n]
    )
    lines = []
    with override_settings(EMAIL_BACKEND=f"{__name__}.SlowMailServer"):

        def register(email: str, i: int) -> dict:
            return {
                "email": email,
                "full_name": "Bench Person",
                "preferred_language": "en",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            }

        known_s, unknown_s = _pair(n, reverse("register"), known, register)
        lines.append(
            BenchLine(
                "register_time_known_vs_new_address",
                statistics.median(known_s) * 1000,
                "ms",
                n,
                statistics.median(unknown_s) * 1000,
            )
        )
        known_s, unknown_s = _pair(
            n, reverse("password_reset"), known, lambda email, i: {"email": email}
        )
        lines.append(
            BenchLine(
                "password_reset_time_known_vs_unknown_address",
                statistics.median(known_s) * 1000,
                "ms",
                n,
                statistics.median(unknown_s) * 1000,
            )
        )
    return lines


BENCHMARK = Benchmark(key="core.account_timing", run=run, app="core")
