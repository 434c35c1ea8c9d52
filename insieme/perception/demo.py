"""Demo seed of the staff survey (order 70, after every app that adds staff): in each
municipality, a round open from three weeks ago to ten days ahead, answered by every active
employee, each leaving about one statement in ten as "don't know". How agreeable each
statement is differs by administration, drawn from a random source of its own derived from the
seed, so the Scorecard's "what employees report" side is filled for every cell and differs
between towns. The ground truth (section "perception") has, per administration, the
respondents and, per statement, the answers and how many agreed."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from insieme.core.models import Membership
from insieme.core.registry import DemoSeed
from insieme.perception import actions
from insieme.perception.statements import AGREE, STATEMENTS

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext


def _score(rng: random.Random, tilt: float) -> int:
    """A 1..5 answer leaning to agreement by `tilt` (0 to 1)."""
    weights = [1 - tilt, 1.2 - tilt, 1.0, 0.4 + tilt, 0.2 + tilt]
    return rng.choices([1, 2, 3, 4, 5], weights=weights)[0]


def run(ctx: DemoContext) -> None:
    rng = random.Random(f"insieme-perception-{ctx.seed}")
    truth: dict[str, dict] = {}
    for admin in ctx.municipalities:
        round_ = actions.open_round(
            None,
            admin,
            ctx.today - dt.timedelta(days=21),
            ctx.today + dt.timedelta(days=10),
        )
        tilts = {s.code: rng.uniform(0.1, 0.9) for s in STATEMENTS}
        users = sorted(
            {
                m.user
                for m in Membership.objects.filter(
                    administration=admin, is_active=True, user__is_active=True
                ).select_related("user")
            },
            key=lambda u: u.pk,
        )
        tally = {s.code: [0, 0] for s in STATEMENTS}
        for user in users:
            answers = {
                s.code: (_score(rng, tilts[s.code]) if rng.random() > 0.1 else 0)
                for s in STATEMENTS
            }
            if not any(answers.values()):
                answers[STATEMENTS[0].code] = 3
            actions.answer(user, round_, answers, seed=rng.randrange(2**31))
            for code, score in answers.items():
                if score:
                    tally[code][0] += 1
                    tally[code][1] += score in AGREE
        truth[admin.slug] = {"respondents": len(users), "statements": tally}
    ctx.record("perception", truth)
    ctx.say(
        "Staff survey: one open round per municipality, answered by "
        + ", ".join(f"{n['respondents']} in {slug}" for slug, n in truth.items())
    )


SEED = DemoSeed(key="perception", order=70, run=run, app="perception")
