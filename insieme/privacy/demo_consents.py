"""Demo seed of consent to optional processing (order 96, after every other seed: it only
needs the people): for every registered purpose, about two demo citizens and residents in five
agree on some day of the past year, and about one in four of those withdraws on a later day.
Each decision goes through the one write (insieme.privacy.actions_consent), so it has its audit
entry; the demo acts for nobody. Ground truth (section "consents"): per purpose, how many gave,
withdrew, and are in force.

A second run finds decisions of these people and changes nothing."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings

from insieme.core.models import Membership, User
from insieme.core.registry import DemoSeed
from insieme.privacy import actions_consent, consents
from insieme.privacy.models import Consent

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

RESIDENT_DOMAIN = "residenti.example"  # the cases seed's residents (insieme.cases.demo)
PEOPLE = 150  # the demo citizens, then residents, up to this many
AGREE = 0.4
WITHDRAW = 0.25


def _people(ctx: DemoContext) -> list[User]:
    staff = set(Membership.objects.values_list("user_id", flat=True))
    residents = User.objects.filter(email__endswith="@" + RESIDENT_DOMAIN).order_by("pk")
    people = [u for u in [*ctx.citizens, *residents[:PEOPLE]] if u.is_active]
    return [u for u in people if u.pk not in staff][:PEOPLE]


def _moment(rng: random.Random, today: dt.date, days_back: int) -> dt.datetime:
    day = today - dt.timedelta(days=days_back)
    at = dt.time(rng.randint(8, 21), rng.randint(0, 59))
    return dt.datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def run(ctx: DemoContext) -> None:
    people = _people(ctx)
    if Consent.objects.filter(user__in=people).exists():
        return  # decided by an earlier run of the demo
    rng = random.Random(f"{ctx.seed}:consents")
    truth = {}
    for purpose in consents.purposes():
        given = withdrawn = 0
        for user in people:
            if rng.random() >= AGREE:
                continue
            agreed_back = rng.randint(2, 360)
            actions_consent.decide(
                ctx.actor, user, purpose.key, True, at=_moment(rng, ctx.today, agreed_back)
            )
            given += 1
            if rng.random() < WITHDRAW:
                back = rng.randint(1, agreed_back - 1)
                actions_consent.decide(
                    ctx.actor, user, purpose.key, False, at=_moment(rng, ctx.today, back)
                )
                withdrawn += 1
        truth[purpose.key] = {"given": given, "withdrawn": withdrawn, "in_force": given - withdrawn}
        ctx.say(f"Consents: {given} people agreed to {purpose.key!r}, {withdrawn} withdrew later.")
    ctx.record("consents", truth)


SEED = DemoSeed(key="privacy-consents", order=96, run=run, app="privacy")
