"""Benchmark of the residents' survey (insieme.community), in an administration of its own:

- ``community_answer``: microseconds to record one resident's answers (a participation and the
  counters' increments, one transaction), against the floor any once-per-person survey pays:
  the participation row alone, one transaction each;
- ``community_results``: milliseconds to compute one round's results by area (the folding
  included), against reading its counter rows without any arithmetic.
"""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from insieme.community import actions, results
from insieme.community.models import Participation, Round, Tally, Turnout
from insieme.community.statements import STATEMENTS
from insieme.core import actions as core_actions
from insieme.core.models import Administration, User, today_in
from insieme.core.registry import BenchLine, Benchmark

SLUG = "bench-comunita"
AREAS = [["town", ""], ["l1", "Frazione Uno"], ["l2", "Frazione Due"], ["l3", "Frazione Tre"]]


def run(size: str) -> list[BenchLine]:
    n = 300 if size == "small" else 3000
    admin = Administration.objects.filter(slug=SLUG).first() or core_actions.create_administration(
        None, name="Comune Bench Comunità", slug=SLUG, kind=Administration.Kind.MUNICIPALITY
    )
    Round.objects.filter(administration=admin).delete()
    today = today_in(admin)
    round_ = actions.open_round(None, admin, today, today)
    Round.objects.filter(pk=round_.pk).update(areas=AREAS)
    Turnout.objects.filter(round=round_).delete()
    Tally.objects.filter(round=round_).delete()
    Turnout.objects.bulk_create([Turnout(round=round_, area=k) for k, _n in AREAS])
    Tally.objects.bulk_create(
        [
            Tally(round=round_, area=k, statement=s.code, score=v)
            for k, _n in AREAS
            for s in STATEMENTS
            for v in range(1, 6)
        ]
    )
    stamp = int(timezone.now().timestamp())
    users = User.objects.bulk_create(
        [
            User(email=f"bench-{stamp}-{i}@comunita.example", full_name=f"B {i}")
            for i in range(2 * n)
        ]
    )
    answers = {s.code: (i % 5) + 1 for i, s in enumerate(STATEMENTS)}
    started = time.perf_counter()
    for i, user in enumerate(users[:n]):
        actions.answer(user, round_, AREAS[i % len(AREAS)][0], answers)
    answer_s = time.perf_counter() - started
    other = Round.objects.create(
        administration=admin,
        opens_on=today,
        closes_on=today,
        created_at=timezone.now(),
        closed_early=True,
    )
    started = time.perf_counter()
    for user in users[n:]:
        with transaction.atomic():
            Participation.objects.create(round=other, user=user)
    floor_s = time.perf_counter() - started
    repeat = 20
    started = time.perf_counter()
    for _i in range(repeat):
        found = results.round_results(round_)
    results_s = (time.perf_counter() - started) / repeat
    started = time.perf_counter()
    for _i in range(repeat):
        list(Tally.objects.filter(round=round_).values_list("area", "statement", "score", "n"))
        list(Turnout.objects.filter(round=round_).values_list("area", "people"))
    read_s = (time.perf_counter() - started) / repeat
    assert found["people"] == n
    Round.objects.filter(administration=admin).delete()
    User.objects.filter(pk__in=[u.pk for u in users]).delete()
    return [
        BenchLine("community_answer", answer_s / n * 1e6, "us", n, floor_s / n * 1e6),
        BenchLine("community_results", results_s * 1e3, "ms", n, read_s * 1e3),
    ]


BENCHMARK = Benchmark(key="community.survey", run=run, app="community")
