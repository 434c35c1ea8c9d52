"""Benchmarks of the dashboards:
- dashboards-page: the whole page (every panel, the filters' choices) for the demo region as its
  administrator sees it, against a baseline measured in the same run: counting the cases of the
  period (the least any dashboard must do);
- dashboards-rollup-write: what keeping the rollups costs per written case: WRITES cases filed
  through the ORM and read into the rollups (as the worker or the next page does), against the
  same cases filed alone, per case; both rolled back."""

from __future__ import annotations

import time

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from insieme.core.models import Administration, Membership
from insieme.core.permissions import Role
from insieme.core.registry import BenchLine, Benchmark

REPEAT = 5
WRITES = 200


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
    lines = [BenchLine("dashboards-page", _timed(page) * 1e3, "ms", n, _timed(count) * 1e3)]
    return lines + _write_cost()


class _Undo(Exception):
    pass


def _write_cost() -> list[BenchLine]:
    from insieme.cases.models import Case
    from insieme.dashboards import rollups

    template = Case.objects.filter(administration__kind=Administration.Kind.MUNICIPALITY).last()
    if template is None:
        return []
    admin = template.administration
    rollups.catch_up_one(admin)

    def write(roll: bool) -> float:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                for i in range(WRITES):
                    Case.objects.create(
                        administration=admin,
                        service_id=template.service_id,
                        department_id=template.department_id,
                        kind=template.kind,
                        channel=template.channel,
                        reference=f"BENCH-{i}",
                        submitted_at=timezone.now(),
                        updated_at=timezone.now(),
                    )
                if roll:
                    rollups.catch_up_one(admin)
                elapsed = time.perf_counter() - started
                raise _Undo
        except _Undo:
            return elapsed

    plain = min(write(False) for _ in range(3))
    rolled = min(write(True) for _ in range(3))
    return [
        BenchLine(
            "dashboards-rollup-write", rolled / WRITES * 1e3, "ms", WRITES, plain / WRITES * 1e3
        )
    ]


BENCHMARK = Benchmark(key="dashboards.page", run=run, app="dashboards")
