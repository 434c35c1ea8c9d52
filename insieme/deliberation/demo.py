"""The demo's deliberation: a conversation on Montalto's mobility with three planted opinion
groups, whose ground truth (which group each synthetic participant was planted in) is written to
the ground-truth file, so that `make bench` and the tests measure the groups found against it.

The planted groups: people who want the centre for walking and cycling, drivers and shopkeepers
who need to reach it by car, and bus users (many of them older) who ask for better transit. Each
statement carries the chance that a member of each group agrees with it; each participant votes
on a random part of the statements, and passes on some.
"""

from __future__ import annotations

import random

from django.utils import timezone

from insieme.core.registry import DemoSeed
from insieme.demo.context import DemoContext

GROUPS = ("active mobility", "car access", "public transport")
SHARES = (0.45, 0.33, 0.22)
PARTICIPANTS = 240
VOTES_PER_PERSON = (10, 18)
PASS_RATE = 0.1

# (Italian, English, chance of agreeing in each planted group)
STATEMENTS = [
    (
        "Il centro storico dovrebbe diventare una zona pedonale.",
        "The historic centre should become a pedestrian zone.",
        (0.92, 0.08, 0.5),
    ),
    (
        "Servono più piste ciclabili protette tra le frazioni e il centro.",
        "We need more protected cycle lanes between the villages and the centre.",
        (0.95, 0.1, 0.45),
    ),
    (
        "I parcheggi in centro non vanno ridotti.",
        "Parking in the centre must not be reduced.",
        (0.05, 0.95, 0.5),
    ),
    (
        "I negozi del centro vivono di clienti che arrivano in auto.",
        "The shops in the centre live on customers who come by car.",
        (0.1, 0.92, 0.5),
    ),
    (
        "Gli autobus dovrebbero passare ogni 15 minuti nelle ore di punta.",
        "Buses should run every 15 minutes at peak times.",
        (0.25, 0.15, 0.96),
    ),
    (
        "Il servizio serale degli autobus è indispensabile per chi non guida.",
        "Evening buses are essential for people who do not drive.",
        (0.3, 0.2, 0.97),
    ),
    (
        "La ZTL andrebbe estesa anche al sabato.",
        "The limited traffic zone should also apply on Saturdays.",
        (0.9, 0.06, 0.5),
    ),
    (
        "Il biglietto dell'autobus dovrebbe essere gratuito per gli over 65.",
        "Bus tickets should be free for people over 65.",
        (0.2, 0.25, 0.95),
    ),
    (
        "Le strade del centro sono pericolose per chi va in bicicletta.",
        "The streets of the centre are dangerous for cyclists.",
        (0.9, 0.15, 0.5),
    ),
    (
        "I parcheggi di scambio in periferia sono scomodi e inutili.",
        "Park-and-ride car parks on the outskirts are inconvenient and useless.",
        (0.2, 0.85, 0.1),
    ),
    (
        "Le fermate degli autobus devono avere pensiline e panchine.",
        "Bus stops need shelters and benches.",
        (0.35, 0.3, 0.97),
    ),
    (
        "Il Comune dovrebbe chiedere ai cittadini prima di cambiare la viabilità.",
        "The council should ask residents before changing traffic rules.",
        (0.85, 0.9, 0.88),
    ),
    (
        "I marciapiedi vanno sistemati prima di ogni altra opera.",
        "Pavements must be repaired before any other works.",
        (0.8, 0.75, 0.85),
    ),
    (
        "Il limite di 30 km/h in tutto il centro abitato è una buona idea.",
        "A 30 km/h limit throughout the town is a good idea.",
        (0.9, 0.1, 0.5),
    ),
    (
        "Chi abita fuori dal centro non può fare a meno dell'auto.",
        "People who live outside the centre cannot do without a car.",
        (0.2, 0.95, 0.15),
    ),
    (
        "Gli orari degli autobus dovrebbero coincidere con quelli dei treni.",
        "Bus times should match train times.",
        (0.3, 0.2, 0.95),
    ),
    (
        "Servono più rastrelliere per le biciclette vicino a scuole e stazione.",
        "We need more bicycle racks near schools and the station.",
        (0.95, 0.2, 0.4),
    ),
    (
        "Le strisce blu andrebbero sostituite con parcheggi gratuiti a tempo.",
        "Paid parking should be replaced by free time-limited parking.",
        (0.1, 0.9, 0.4),
    ),
]
QUESTION = (
    "Come ci muoviamo a Montalto? Dicci se sei d'accordo con queste affermazioni.",
    "How do we get around Montalto? Tell us whether you agree with these statements.",
)


def _process(ctx: DemoContext):
    from insieme.participation.models import PhaseKind, Process

    admin = ctx.administrations.get("montalto")
    if admin is None:
        return None
    processes = Process.objects.filter(administration=admin).order_by("pk")
    running = processes.filter(
        phases__kind=PhaseKind.DELIBERATION,
        phases__starts_on__lte=ctx.today,
        phases__ends_on__gte=ctx.today,
    ).first()
    return running or processes.filter(slug="mobilita-sostenibile").first() or processes.first()


def run(ctx: DemoContext) -> None:
    from insieme.deliberation import actions
    from insieme.deliberation.models import Conversation, Participant, Statement, Vote

    process = _process(ctx)
    if process is None or Conversation.objects.filter(process=process).exists():
        return
    rng = random.Random(f"deliberation-{ctx.seed}")
    now = timezone.now()
    conversation = Conversation.objects.create(
        process=process,
        question=QUESTION[0],
        language="it",
        translations={"en": {"question": QUESTION[1]}},
    )
    statements = Statement.objects.bulk_create(
        [
            Statement(
                conversation=conversation,
                text=it,
                language="it",
                translations={"en": {"text": en}},
                is_seed=True,
                status=Statement.Status.ACCEPTED,
                moderated_at=now,
            )
            for it, en, _chances in STATEMENTS
        ]
    )
    planted = rng.choices(range(len(GROUPS)), weights=SHARES, k=PARTICIPANTS)
    participants = Participant.objects.bulk_create(
        [
            Participant(conversation=conversation, external_id=f"demo-{i + 1:03d}")
            for i in range(PARTICIPANTS)
        ]
    )
    votes = []
    for person, group in zip(participants, planted, strict=True):
        seen = rng.sample(range(len(STATEMENTS)), rng.randint(*VOTES_PER_PERSON))
        for index in seen:
            if rng.random() < PASS_RATE:
                value = 0
            else:
                value = 1 if rng.random() < STATEMENTS[index][2][group] else -1
            votes.append(
                Vote(
                    conversation=conversation,
                    participant=person,
                    statement=statements[index],
                    value=value,
                    voted_at=now,
                )
            )
    Vote.objects.bulk_create(votes, batch_size=2000)
    Conversation.objects.filter(pk=conversation.pk).update(version=1)
    computation = actions.compute_groups(conversation)
    ctx.record(
        "opinion_groups",
        {
            "administration": process.administration.slug,
            "process": process.slug,
            "groups": list(GROUPS),
            "participants": {p.external_id: g for p, g in zip(participants, planted, strict=True)},
            "votes": len(votes),
            "groups_found": computation.k,
        },
    )
    ctx.say(
        f"Deliberation: {len(statements)} statements, {len(participants)} participants, "
        f"{len(votes)} votes on {process.administration.slug}/{process.slug} "
        f"({computation.k} opinion groups found, {len(GROUPS)} planted)"
    )


SEED = DemoSeed(key="deliberation", order=45, run=run, app="deliberation")
