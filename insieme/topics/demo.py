"""Demo seed of the topics (order 85, after the cases 30, participation 40 and the other seeds
that write text): each municipality's topics, computed once with the demo's seed, so the page
has a run to show.

Ground truth, section "topics": per municipality, {case reference: the catalogue group
(category) of the service whose problems the case's text describes}. The cases seed writes a
case's text from its service's issues, except a planted duplicate, which describes its
original's problem (section "duplicates"); insieme.topics.quality compares the topics with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from insieme.cases.models import Case
from insieme.core.registry import DemoSeed
from insieme.topics import actions

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext


def categories(admin, duplicates: list) -> dict[str, str]:
    """{reference: category of the service its text is about} for the cases of `admin` whose
    service has a catalogue group."""
    group_of = dict(
        Case.objects.filter(administration=admin).values_list("reference", "service__group")
    )
    original = {copy: first for copy, first, slug in duplicates if slug == admin.slug}
    found = {}
    for reference in group_of:
        group = group_of.get(original.get(reference, reference))
        if group:
            found[reference] = group
    return found


def run(ctx: DemoContext) -> None:
    section = {}
    duplicates = ctx.ground_truth.get("duplicates", [])
    for admin in ctx.municipalities:
        section[admin.slug] = categories(admin, duplicates)
        actions.compute(None, admin, seed=ctx.seed)
    ctx.record("topics", section)


SEED = DemoSeed(key="topics", order=85, run=run, app="topics")
