"""Demo seed of hotspots (order 87, after the cases 30 and everything that changes them): each
municipality's hotspots computed from the demo's reports, through insieme.hotspots.actions,
for the periods that end where the demo's year ends.

Ground truth, section "hotspots": the places where the cases demo planted hotspots (a quarter
of its located reports fall within 60 m of one of four places per municipality), and how well
the computed hotspots find them (insieme.hotspots.quality).

The cases demo does not record those places, so they are drawn again here from its own random
stream: a Generator of the same seed draws the same residents, then `_plans` draws the same
places in the same order (nothing else draws from that stream before them). This reads two
private names of insieme.cases.demo; tests/hotspots/test_demo.py fails if they drift.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from insieme.core.registry import DemoSeed
from insieme.hotspots import actions, quality

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext


def planted_hotspots(ctx: DemoContext) -> dict[str, list[list]]:
    """{municipality slug: [[lat, lon, street], ...]} where the cases demo planted hotspots."""
    from insieme.cases import demo as cases_demo

    gen = cases_demo.Generator(ctx.seed, 0.0, {"user": 0})
    gen.make_residents(max(20, ctx.requests // 5), list(ctx.citizens))
    return {
        plan.admin.slug: [[h.lat, h.lon, h.street] for h in plan.hotspots]
        for plan, _count in cases_demo._plans(ctx, gen.rng, ctx.requests)
    }


def run(ctx: DemoContext) -> None:
    if ctx.requests <= 0:
        ctx.record("hotspots", {"planted": {}, "quality": None})
        return
    planted = planted_hotspots(ctx)
    found = {}
    for admin in ctx.municipalities:
        computed = actions.compute(None, admin, today=ctx.today)
        found[admin.slug] = [[h.lat, h.lon, h.street] for h in computed.hotspots.all()]
    measured = quality.measure(planted, found)
    ctx.record("hotspots", {"planted": planted, "found": found, "quality": measured})
    ctx.say(
        f"Hotspots: {measured['found']} found in the municipalities; "
        f"{measured['matched']} of {measured['planted']} planted places found "
        f"(recall {measured['recall']}, precision {measured['precision']})."
    )


SEED = DemoSeed(key="hotspots", order=87, run=run, app="hotspots")
