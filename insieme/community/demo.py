"""Demo seed of the residents' community survey (order 75, after the cases seed has made the
residents and the places seed the localities): in each municipality, a round open from two
weeks ago to two weeks ahead, answered by distinct demo residents (the demo citizens first).
Most answer from the main town and the first locality, so that their figures show; each of the
other localities gets two or three residents, so that their figures are folded into "other
areas", never shown on their own. The first municipality also has an earlier round, about four
months back, so that results can be read over time. How agreeable each statement is differs by
municipality, drawn from a random source of its own derived from the seed.

The ground truth (section "community") has, per municipality and round, the people per area and,
per area and statement, [answers, agreeing]."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from insieme.community import actions
from insieme.community.statements import AGREE, STATEMENTS
from insieme.core.models import Membership, User
from insieme.core.registry import DemoSeed

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

RESIDENT_DOMAIN = "residenti.example"  # the cases seed's residents (insieme.cases.demo)
BIG = (24, 12)  # people from the main town and from the first other area
SMALL = (2, 3)  # people from each of the other areas: under the threshold


def _score(rng: random.Random, tilt: float) -> int:
    """A 1..5 answer leaning to agreement by `tilt` (0 to 1)."""
    weights = [1 - tilt, 1.2 - tilt, 1.0, 0.4 + tilt, 0.2 + tilt]
    return rng.choices([1, 2, 3, 4, 5], weights=weights)[0]


def _people(ctx: DemoContext) -> list:
    staff = set(Membership.objects.values_list("user_id", flat=True))
    residents = User.objects.filter(email__endswith="@" + RESIDENT_DOMAIN).order_by("pk")
    return [u for u in [*ctx.citizens, *residents] if u.pk not in staff and u.is_active]


def _fill(ctx, rng, round_, people: list, tilts: dict, today: dt.date) -> dict:
    """Answer `round_` with people taken from `people`; what was answered, per area."""
    plan = [
        (key, BIG[i] if i < len(BIG) else rng.choice(SMALL))
        for i, (key, _n) in enumerate(round_.areas)
    ]
    truth = {"people": {}, "statements": {}}
    for key, count in plan:
        tally = {s.code: [0, 0] for s in STATEMENTS}
        for _i in range(count):
            if not people:
                break
            user = people.pop()
            answers = {
                s.code: (_score(rng, tilts[s.code]) if rng.random() > 0.1 else 0)
                for s in STATEMENTS
            }
            if not any(answers.values()):
                answers[STATEMENTS[0].code] = 3
            actions.answer(user, round_, key, answers, today=today)
            truth["people"][key] = truth["people"].get(key, 0) + 1
            for code, score in answers.items():
                if score:
                    tally[code][0] += 1
                    tally[code][1] += score in AGREE
        truth["statements"][key] = tally
    return truth


def run(ctx: DemoContext) -> None:
    rng = random.Random(f"insieme-community-{ctx.seed}")
    people = _people(ctx)[::-1]  # popped from the end: the demo citizens answer first
    truth: dict[str, list] = {}
    for index, admin in enumerate(ctx.municipalities):
        tilts = {s.code: rng.uniform(0.1, 0.9) for s in STATEMENTS}
        periods = [(ctx.today - dt.timedelta(days=14), ctx.today + dt.timedelta(days=14))]
        if index == 0:
            earlier = ctx.today - dt.timedelta(days=120)
            periods.insert(0, (earlier, earlier + dt.timedelta(days=20)))
        truth[admin.slug] = []
        for opens_on, closes_on in periods:
            round_ = actions.open_round(None, admin, opens_on, closes_on, today=opens_on)
            found = _fill(ctx, rng, round_, people, tilts, opens_on)
            truth[admin.slug].append({"opens_on": opens_on.isoformat(), **found})
            # The earlier round speaks of a slightly less satisfied town.
            tilts = {k: min(0.9, v + 0.1) for k, v in tilts.items()}
    ctx.record("community", truth)
    ctx.say(
        "Community survey: rounds answered by "
        + ", ".join(
            f"{sum(sum(r['people'].values()) for r in rounds)} residents in {slug}"
            for slug, rounds in truth.items()
        )
    )


SEED = DemoSeed(key="community", order=75, run=run, app="community")
