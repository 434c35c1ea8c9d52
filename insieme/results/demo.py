"""Demo seed of results (order 50, after participation 40 and deliberation 45): in the region
and each municipality, the accepted ideas become results (as the listener does when an idea is
accepted) at every stage: planned, running, delayed past their due day, completed on time;
with progress updates, milestones, links to the service changes they caused (one for staff
only), and citizens following them. A bilingual "plan" result gathers three of them as weighted
parts, so its progress is rolled up. Everything goes through insieme.results.actions.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from typing import TYPE_CHECKING

from django.urls import reverse

from insieme.core.registry import DemoSeed
from insieme.participation.models import Idea
from insieme.results import access, actions

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

ROME = zoneinfo.ZoneInfo("Europe/Rome")
PER_ADMINISTRATION = 8
WORK_ORDER = "Ordine di lavoro %(n)s/%(year)s"  # demo data, in the administration's language
PARTS = 3

PLAN = {
    "title": "Piano «Hai detto, abbiamo fatto»",
    "description": (
        "Le idee accolte nei percorsi partecipativi, realizzate insieme: ogni parte pesa quanto "
        "il lavoro che richiede."
    ),
    "en": {
        "title": "“You said, we did” plan",
        "description": (
            "The ideas accepted in the participation processes, carried out together: each "
            "part weighs as much as the work it takes."
        ),
    },
}
MILESTONES = [
    ("Progetto approvato dalla giunta", "Plan approved by the council", -40),
    ("Lavori affidati", "Works contracted", -5),
    ("Inaugurazione", "Opening", 60),
]
# (Italian, English) notes for the updates, by stage.
NOTES = {
    "start": ("Sopralluogo fatto, progetto in corso.", "Site visit done, design under way."),
    "half": ("Affidati i lavori, si parte a breve.", "Works contracted, starting soon."),
    "late": (
        "Il fornitore ha rinviato la consegna: nuova data a breve.",
        "The supplier postponed the delivery: a new date soon.",
    ),
    "done": ("Lavoro concluso: grazie a chi ha proposto l'idea!", "Done: thanks to the proposer!"),
}


def _moment(today: dt.date, days_ago: int) -> dt.datetime:
    return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10, 30), ROME)


def _note(idea: Idea, key: str) -> str:
    italian, english = NOTES[key]
    return english if idea.language == "en" else italian


def _seed_administration(ctx: DemoContext, admin, rng: random.Random, counts: dict) -> None:
    ideas = list(
        Idea.objects.filter(
            process__administration=admin,
            answer=Idea.Answer.ACCEPTED,
            state=Idea.State.OPEN,
            held_at__isnull=True,
            hidden_at__isnull=True,
        )
        .select_related("process__administration")
        .order_by("pk")[:PER_ADMINISTRATION]
    )
    if not ideas:
        return
    today = ctx.today
    plan = actions.create_result(
        None,
        admin,
        title=PLAN["title"],
        description=PLAN["description"],
        translations={"en": PLAN["en"]},
        language="it",
        process=ideas[0].process,
        starts_on=today - dt.timedelta(days=60),
        due_on=today + dt.timedelta(days=90),
        now=_moment(today, 60),
    )
    counts["results"] += 1
    for order, (italian, english, offset) in enumerate(MILESTONES):
        milestone = actions.add_milestone(
            None,
            plan,
            title=italian,
            translations={"en": {"title": english}},
            due_on=today + dt.timedelta(days=offset),
            order=(order + 1) * 10,
        )
        counts["milestones"] += 1
        if offset < 0:
            actions.complete_milestone(None, milestone, done_on=today + dt.timedelta(days=offset))
    staged = []
    for index, idea in enumerate(ideas):
        result = actions.result_for_idea(None, idea, now=_moment(today, 50))
        counts["results"] += 1
        stage = index % 4
        starts_on = today - dt.timedelta(days=45)
        due_on = {
            0: today + dt.timedelta(days=120),  # planned
            1: today + dt.timedelta(days=40),  # running
            2: today - dt.timedelta(days=10),  # delayed, past its due day
            3: today + dt.timedelta(days=5),  # completed on time
        }[stage]
        changes = {"starts_on": starts_on, "due_on": due_on}
        if index < PARTS:
            changes.update(parent=plan, weight=rng.choice([1, 2, 3]))
        actions.update_result(None, result, now=_moment(today, 45), **changes)
        staged.append((idea, result, stage))
    for idea, result, stage in staged:
        if stage >= 1:
            actions.set_progress(
                None, result, progress=25, note=_note(idea, "start"), now=_moment(today, 30)
            )
            counts["updates"] += 1
        if stage == 1:
            actions.set_progress(
                None, result, progress=60, note=_note(idea, "half"), now=_moment(today, 8)
            )
            counts["updates"] += 1
        if stage == 2:
            actions.set_progress(
                None,
                result,
                progress=40,
                status="delayed",
                note=_note(idea, "late"),
                now=_moment(today, 5),
            )
            counts["updates"] += 1
        if stage == 3:
            actions.set_progress(
                None, result, progress=100, note=_note(idea, "done"), now=_moment(today, 3)
            )
            counts["updates"] += 1
            services = list(idea.process.services.all()[:1])
            if services:
                service = services[0]
                actions.add_link(
                    None,
                    result,
                    kind="service_change",
                    key=f"demo.service:{service.pk}",
                    label=str(service.i18n.name),
                    url=reverse(
                        "catalogue_service", args=[service.administration.slug, service.code]
                    ),
                )
                counts["links"] += 1
            work_order = WORK_ORDER % {"n": result.pk, "year": today.year}
            actions.add_link(
                None,
                result,
                kind="work_item",
                key=f"demo.workorder:{result.pk}",
                label=work_order,
                staff_only=True,
            )
            counts["links"] += 1
        followers = rng.sample(ctx.citizens, min(3, len(ctx.citizens)))
        if idea.author is not None:
            followers.append(idea.author)
        for person in followers:
            if access.can_see_result(person, result):
                _row, created = actions.follow(person, result)
                counts["follows"] += int(created)


def run(ctx: DemoContext) -> None:
    region = ctx.administrations.get("region")
    if region is None:
        return
    rng = random.Random(f"results-{ctx.seed}")
    counts = {"results": 0, "milestones": 0, "updates": 0, "links": 0, "follows": 0}
    for admin in [region, *ctx.municipalities]:
        _seed_administration(ctx, admin, rng, counts)
    ctx.record("results", counts)


SEED = DemoSeed(key="results", order=50, run=run, app="results")
