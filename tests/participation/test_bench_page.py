"""The process page's benchmark (insieme/participation/bench_page.py) runs, prints lines a script
can read and leaves nothing behind; and the page reads as many queries for a process with many
ideas and comments as for one with few (the benchmark's claim, checked on small sizes)."""

from __future__ import annotations

import random
import re

import pytest
from django.test import Client

from insieme.core.models import Administration, PartnerOrganisation
from insieme.core.registry import benchmarks
from insieme.participation import bench_page
from insieme.participation.models import Comment, Idea, Process

pytestmark = pytest.mark.django_db

LINE = re.compile(
    r"^bench (?P<name>process_page_(queries|time)(_participant)?) value=(?P<value>[0-9.e+-]+) "
    r"unit=(?P<unit>queries|ms) baseline=(?P<baseline>[0-9.e+-]+) ratio=[0-9.e+-]+ n=(?P<n>\d+)$"
)


def test_the_benchmark_is_registered():
    assert benchmarks.get("participation.process_page") is bench_page.BENCHMARK


def test_the_benchmark_runs_on_tiny_sizes_and_prints_well_formed_lines(monkeypatch, capsys):
    monkeypatch.setattr(bench_page, "SIZES", {"small": (40, 400), "full": (40, 400)})
    monkeypatch.setattr(bench_page, "BASELINE", (4, 40))
    monkeypatch.setattr(bench_page, "ROUNDS", 2)
    found = bench_page.run("small")
    report = capsys.readouterr().out
    assert "40 ideas and 400 comments against 4 ideas and 40 comments" in report
    lines = [line.format() for line in found]
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    names = [m["name"] for m in matches]
    assert names == [
        "process_page_queries",
        "process_page_time",
        "process_page_queries_participant",
        "process_page_time_participant",
    ]
    for match in matches:
        assert match["n"] == "40"
        assert float(match["value"]) > 0 and float(match["baseline"]) > 0
        if match["unit"] == "queries":
            assert match["value"] == match["baseline"], lines  # the same at both sizes
    # Everything it wrote was rolled back.
    assert not Administration.objects.filter(slug=bench_page.SLUG).exists()
    assert not Idea.objects.exists() and not Comment.objects.exists()


def _queries(client: Client, process: Process) -> int:
    url = f"/participation/{process.administration.slug}/{process.slug}/"
    return bench_page.render(client, url, rounds=1, warm_up=1).queries


def test_the_process_page_reads_the_same_queries_at_two_sizes(montalto):
    rng = random.Random(1)
    partner = PartnerOrganisation.objects.create(administration=montalto, name="Partner")
    people = bench_page._people(12)
    small = bench_page.build_process(montalto, "few", 3, 30, people, partner, rng)
    large = bench_page.build_process(montalto, "many", 150, 1500, people, partner, rng)
    # The large one holds what the page must leave out or page through: held and hidden
    # comments and ideas, more threads than a page shows, official comments.
    comments = Comment.objects.filter(process=large)
    assert comments.filter(depth=0).count() > 20
    assert Comment.objects.filter(hidden_at__isnull=False).exists()
    assert Comment.objects.filter(held_at__isnull=False).exists()
    assert Comment.objects.filter(is_official=True).exists()
    anonymous, participant = Client(), Client()
    participant.force_login(people[0])
    for client in (anonymous, participant):
        client.get("/")  # the session and the caches a first visit fills
        assert _queries(client, large) == _queries(client, small)
