"""Demo seed of retention (order 91, after open data has published): each municipality keeps
the personal data of closed records for five years by default, and for six months in the
services whose places are sensitive (open data scatters them); then its data steward runs a dry
run, so the retention screen shows what a run would change. The demo does not run retention for
real: the nightly job does that where a worker runs. Ground truth (section "retention"): the
dry run's counts per municipality."""

from __future__ import annotations

from typing import TYPE_CHECKING

from insieme.catalog.models import Service
from insieme.core.registry import DemoSeed
from insieme.privacy import actions_retention, retention
from insieme.privacy.demo_findings import _steward
from insieme.privacy.models import RetentionPolicy

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

DEFAULT_MONTHS = 60
SENSITIVE_MONTHS = 6


def run(ctx: DemoContext) -> None:
    from insieme.opendata.models import ServiceTextPolicy

    counts = {}
    for admin in ctx.municipalities:
        steward = _steward(ctx, admin)
        if not RetentionPolicy.objects.filter(administration=admin).exists():
            actions_retention.set_policy(steward, admin, DEFAULT_MONTHS)
            sensitive = Service.objects.filter(
                administration=admin,
                pk__in=ServiceTextPolicy.objects.filter(sensitive_places=True).values("service"),
            )
            for service in sensitive:
                actions_retention.set_policy(steward, admin, SENSITIVE_MONTHS, service=service)
        dry = retention.dry_run(steward, admin)
        counts[admin.slug] = {k: dry.counts[k] for k in retention.KINDS}
    ctx.record("retention", counts)
    due = sum(c["cases"] for c in counts.values())
    ctx.say(f"Retention: a dry run finds {due} closed requests past their period.")


SEED = DemoSeed(key="privacy-retention", order=91, run=run, app="privacy")
