"""Demo seed of the personal-data scanner (order 88, after every seed that writes cases, ideas
and comments, before open data publishes their texts): the scan the nightly job runs, then each
municipality's data steward works through part of what it found: three public texts of every
four redacted, the staff-only descriptions (mostly the filers' own contact details) left to
review. Ground truth (section "privacy"): the findings per source and state.

At scale (more than 50,000 requests) the scan is left to `insieme privacy scan` and the nightly
job."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from insieme.core.permissions import Role
from insieme.core.registry import DemoSeed
from insieme.privacy import actions, scanner
from insieme.privacy.models import Finding

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

SCAN_UP_TO = 50_000
LEFT_OPEN = 4  # every fourth public finding stays to review


def _steward(ctx: DemoContext, admin):
    stewards = ctx.staff_of(admin.slug, Role.DATA_STEWARD)
    return stewards[0].user if stewards else ctx.actor


def run(ctx: DemoContext) -> None:
    if ctx.requests > SCAN_UP_TO:
        ctx.record("privacy", {})
        ctx.say("Privacy: run `insieme privacy scan` to look for personal data in free text.")
        return
    scanner.scan()
    public = [s.key for s in scanner.SOURCES if s.public]
    for admin in ctx.municipalities:
        mine = Finding.objects.filter(administration=admin)
        if mine.exclude(state=Finding.State.OPEN).exists():
            continue  # decided by an earlier run of the demo: loading it again changes nothing
        steward = _steward(ctx, admin)
        found = mine.filter(source__in=public).order_by("pk")
        for i, finding in enumerate(found):
            if i % LEFT_OPEN != LEFT_OPEN - 1:
                actions.resolve_finding(steward, finding, actions.REDACT)
    counts = Counter(
        f"{source} {state}" for source, state in Finding.objects.values_list("source", "state")
    )
    ctx.record("privacy", dict(sorted(counts.items())))
    ctx.say(f"Privacy: {sum(counts.values())} findings of personal data in free text.")


SEED = DemoSeed(key="privacy-findings", order=88, run=run, app="privacy")
