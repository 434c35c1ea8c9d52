"""Demo seed of participatory budgets (order 60, after participation at 40 and results at 50).

In the largest municipality: a resident register of its demo residents (synthetic fiscal codes,
stored hashed like any upload); about 100 residents verified (most against the register, some at
the counter) who cast ballots in a knapsack budget of the process whose voting phase runs today
(ten projects: some from the process's accepted ideas, the others from staff), each ballot drawn
from a seeded preference; and a past approval budget of a process whose voting is over, with its
results published (funded projects become results). The demo citizens are in the register but
neither verified nor voting, so that a visitor can try the whole journey; their fiscal codes are
printed at the end.

Everything goes through the actions (the system as actor), so every write has its audit entry.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from typing import TYPE_CHECKING

from insieme.budgets import actions
from insieme.budgets import demo_text as T
from insieme.budgets import register as reg
from insieme.budgets.models import Budget, Project
from insieme.budgets.verification import CounterVerifier, RegisterVerifier
from insieme.core import actions as core_actions
from insieme.core.models import User
from insieme.core.permissions import Role
from insieme.core.registry import DemoSeed
from insieme.participation.models import Idea, Process

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

RESIDENT_DOMAIN = "residenti.example"
VOTERS = 100
FIRST_NAMES = [
    "Giulia",
    "Marco",
    "Chiara",
    "Luca",
    "Anna",
    "Paolo",
    "Sofia",
    "Davide",
    "Elena",
    "Matteo",
    "Francesca",
    "Andrea",
    "Martina",
    "Stefano",
    "Laura",
    "Omar",
    "Irina",
]
SURNAMES = [
    "Rossi",
    "Bianchi",
    "Esposito",
    "Ferrari",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Costa",
    "Fontana",
    "Moretti",
]
OPEN_PROCESS = "servizi-digitali"  # its voting phase runs today (insieme.participation.demo)
PAST_PROCESS = "mensa-scolastica"  # its voting phase is over


def fiscal_code_for(rng: random.Random) -> str:
    """A synthetic, well-formed fiscal code (right shape and check character; nobody's)."""
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(6))
    stem = (
        f"{letters}{rng.randint(40, 99):02d}{rng.choice('ABCDEHLMPRST')}"
        f"{rng.randint(1, 28):02d}{rng.choice('ABCDEFGHL')}{rng.randint(100, 999)}"
    )
    return stem + reg.check_character(stem)


def _birth(rng: random.Random) -> dt.date:
    return dt.date(rng.randint(1940, 2006), rng.randint(1, 12), rng.randint(1, 28))


def _ballot(rng: random.Random, projects: list[Project], total: int, limit: int | None):
    """A seeded preference: projects drawn by popularity, kept while they fit (knapsack) or
    until `limit` (approval); a voter stops early now and then."""
    pool = list(projects)
    chosen, spent = [], 0
    while pool:
        pick = rng.choices(pool, weights=[p.popularity for p in pool])[0]
        pool.remove(pick)
        if limit is None and spent + pick.cost_cents > total:
            continue
        chosen.append(pick)
        spent += pick.cost_cents
        if (limit is not None and len(chosen) >= limit) or rng.random() < 0.2:
            break
    return chosen


def _projects(budget: Budget, specs, start: int = 0) -> list[Project]:
    made = []
    for i, (title, title_en, text, text_en, cost, popularity) in enumerate(specs, start=start):
        project = actions.save_project(
            None,
            budget,
            title=title,
            description=text,
            translations={"en": {"title": title_en, "description": text_en}},
            cost_cents=cost * 100,
            position=i + 1,
        )
        project.popularity = popularity
        made.append(project)
    return made


def run(ctx: DemoContext) -> None:
    if not ctx.municipalities:
        return
    admin = max(ctx.municipalities, key=lambda a: ctx.population.get(a.slug, 0))
    open_process = Process.objects.filter(administration=admin, slug=OPEN_PROCESS).first()
    past_process = Process.objects.filter(administration=admin, slug=PAST_PROCESS).first()
    if open_process is None:
        return
    rng = random.Random(f"budgets-{ctx.seed}")
    today = ctx.today

    # The register: the demo residents (and the demo citizens, who are left to verify themselves).
    residents = list(
        User.objects.filter(email__endswith="@" + RESIDENT_DOMAIN).order_by("pk")[: VOTERS + 40]
    )
    # A small demo (no requests) has few residents: more join, who take part in budgets only.
    for n in range(len(residents), VOTERS + 40):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        residents.append(
            core_actions.create_user(
                ctx.actor,
                email=f"elettore{n + 1}.s{ctx.seed}@{RESIDENT_DOMAIN}",
                full_name=name,
                verified=True,
            )
        )
    people = [*residents, *ctx.citizens]
    identities = {u.pk: (fiscal_code_for(rng), _birth(rng)) for u in people}
    lines = ["codice_fiscale;data_nascita"] + [
        f"{code};{born:%d/%m/%Y}" for code, born in identities.values()
    ]
    actions.upload_register(None, admin, ("\n".join(lines) + "\n").encode())

    # About 100 verified voters: most checked themselves against the register, some at the counter.
    officers = [m.user for m in ctx.staff_of(admin.slug, Role.OFFICER)]
    voters = residents[:VOTERS]
    for n, voter in enumerate(voters):
        code, born = identities[voter.pk]
        if officers and n % 5 == 4:
            CounterVerifier(officers[0]).verify(
                voter, admin, fiscal_code=code, birth_date=born, document_type="identity_card"
            )
        else:
            RegisterVerifier().verify(voter, admin, fiscal_code=code, birth_date=born)

    # The budget whose voting is open: staff projects and the process's accepted ideas.
    budget = actions.create_budget(
        None,
        open_process,
        **T.OPEN_BUDGET,
        total_cents=250_000_00,
        kind="knapsack",
        is_published=True,
    )
    projects = _projects(budget, T.STAFF_PROJECTS)
    ideas = list(
        Idea.objects.visible()
        .filter(process=open_process, answer=Idea.Answer.ACCEPTED, state=Idea.State.OPEN)
        .order_by("pk")[: len(T.IDEA_COSTS)]
    )
    if ideas:
        made = actions.projects_from_ideas(
            None, budget, {i.pk: c * 100 for i, c in zip(ideas, T.IDEA_COSTS, strict=False)}
        )
        for project in made:
            project.popularity = 5
        projects += made
    ballots = 0
    for voter in voters[: VOTERS - 10]:  # a few verified residents have not voted yet
        chosen = _ballot(rng, projects, budget.total_cents, None)
        actions.cast_ballot(voter, budget, [p.pk for p in chosen])
        ballots += 1

    # A past budget, its results published.
    past_ballots, funded = 0, 0
    if past_process is not None:
        past = actions.create_budget(
            None,
            past_process,
            **T.PAST_BUDGET,
            total_cents=50_000_00,
            kind="approval",
            max_choices=3,
            voting_opens_on=today - dt.timedelta(days=1),
            voting_closes_on=today,
            is_published=True,
        )
        past_projects = _projects(past, T.PAST_PROJECTS)
        for voter in voters[:70]:
            chosen = _ballot(rng, past_projects, past.total_cents, rng.randint(1, 3))
            actions.cast_ballot(voter, past, [p.pk for p in chosen])
            past_ballots += 1
        # Voting ended weeks ago: the dates the administration set, then the count.
        actions.update_budget(
            None,
            past,
            voting_opens_on=today - dt.timedelta(days=60),
            voting_closes_on=today - dt.timedelta(days=40),
        )
        funded = len(actions.publish_results(None, past).funded)

    ctx.record(
        "budgets",
        {
            "administration": admin.slug,
            "register": len(identities),
            "verified": len(voters),
            "ballots": ballots,
            "past_ballots": past_ballots,
            "past_funded": funded,
        },
    )
    for citizen in ctx.citizens[:2]:
        code, born = identities[citizen.pk]
        ctx.say(
            f"Budget voter check for {citizen.email} in {admin.slug}: "
            f"fiscal code {code}, birth date {born:%Y-%m-%d}"
        )


SEED = DemoSeed(key="budgets", order=60, run=run, app="budgets")
