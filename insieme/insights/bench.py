"""Benchmark of the Scorecard page: as each administration's administrator opens it, read from
the snapshot the worker stores (insieme.insights.snapshots) against computing every indicator
on the page, in the same run. Also prints how long the worker's refresh of every default scope
takes, in every language: the work that moved off the page."""

from __future__ import annotations

import time

from django.test import Client, override_settings
from django.urls import reverse

from insieme.cases.models import Case
from insieme.core.models import Administration, Membership
from insieme.core.permissions import Role
from insieme.core.registry import BenchLine, Benchmark

REPEAT = 3


def _best(fn) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _client(admin: Administration) -> Client | None:
    from django_otp import DEVICE_ID_SESSION_KEY

    from insieme.core import twofactor

    member = (
        Membership.objects.filter(administration=admin, role=Role.ADMINISTRATOR, is_active=True)
        .select_related("user")
        .first()
    )
    if member is None:
        return None
    client = Client()
    client.force_login(member.user)
    device = twofactor.totp_device(member.user)
    if device is not None:  # the demo's administrators have an authenticator app
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def run(size: str) -> list[BenchLine]:
    from insieme.insights import snapshots
    from insieme.insights.models import Snapshot

    lines = []
    with override_settings(INSIEME_SCORECARD_MAX_AGE=3600):
        started = time.perf_counter()
        stored = snapshots.refresh()
        refreshed = time.perf_counter() - started
        cases = Case.objects.count()
        lines.append(BenchLine("scorecard-refresh", refreshed / max(stored, 1), "s", cases))
        for admin in Administration.objects.order_by("kind", "name"):
            client = _client(admin)
            if client is None:
                continue
            url = reverse("scorecard", args=[admin.slug])

            def page(client=client, url=url):
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"scorecard page answered {response.status_code}")

            read = _best(page)
            with override_settings(INSIEME_SCORECARD_MAX_AGE=0):
                computed = _best(page)
            hosted = Administration.objects.filter(parent=admin).values_list("pk", flat=True)
            n = Case.objects.filter(administration_id__in=[admin.pk, *hosted]).count()
            lines.append(
                BenchLine(f"scorecard-page-{admin.slug}", read * 1e3, "ms", n, computed * 1e3)
            )
        Snapshot.objects.all().delete()
    return lines


BENCHMARK = Benchmark(key="insights.scorecard", run=run, app="insights")
