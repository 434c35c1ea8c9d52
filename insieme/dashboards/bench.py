"""Benchmark of the dashboards: the whole page (every panel, the filters' choices) for the demo
region as its administrator sees it, against a baseline measured in the same run: counting the
cases of the period (the least any dashboard must do)."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse

from insieme.core.models import Administration, Membership
from insieme.core.permissions import Role
from insieme.core.registry import BenchLine, Benchmark

REPEAT = 5


def _timed(fn) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run(size: str) -> list[BenchLine]:
    from insieme.dashboards import filters as dash_filters

    region = Administration.objects.filter(kind=Administration.Kind.REGION).first()
    member = (
        Membership.objects.filter(administration=region, role=Role.ADMINISTRATOR, is_active=True)
        .select_related("user")
        .first()
    )
    if region is None or member is None:
        return []
    client = Client()
    client.force_login(member.user)
    session = client.session
    from django_otp import DEVICE_ID_SESSION_KEY

    from insieme.core import twofactor

    device = twofactor.totp_device(member.user)
    if device is not None:  # the demo's administrators have an authenticator app
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    url = reverse("dashboards:page", args=[region.slug])
    members = dash_filters.members_for(member.user, region)
    form = dash_filters.FilterForm({}, members=members, areas=[])
    form.is_valid()
    filters = dash_filters.build(form, region)

    def page():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"dashboards page answered {response.status_code}")

    def count():
        filters.cases().filter(
            submitted_at__gte=filters.start, submitted_at__lt=filters.end
        ).count()

    n = filters.cases().count()
    return [BenchLine("dashboards-page", _timed(page) * 1e3, "ms", n, _timed(count) * 1e3)]


BENCHMARK = Benchmark(key="dashboards.page", run=run, app="dashboards")
