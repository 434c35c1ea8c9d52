"""Demo seed of the dashboards' rollups (order 95, after every seed that writes cases): the
rollups built from all the demo's cases, so that the first dashboard page reads them at once
rather than building them. Ground truth (section "rollups"): the cases counted per
administration, which the rollups' filings must add up to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count

from insieme.cases.models import Case
from insieme.core.registry import DemoSeed
from insieme.dashboards import rollups

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext


def run(ctx: DemoContext) -> None:
    rollups.rebuild()
    counts = Case.objects.values("administration__slug").annotate(n=Count("id")).order_by()
    ctx.record("rollups", {r["administration__slug"]: r["n"] for r in counts})


SEED = DemoSeed(key="rollups", order=95, run=run, app="dashboards")
