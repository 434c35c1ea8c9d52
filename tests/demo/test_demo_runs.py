"""`insieme demo` runs: the same seed builds the same region (people, services, cases, ideas);
a bad option writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.db import transaction

from insieme.cases.models import Case
from insieme.catalog.models import Service
from insieme.core.models import Administration, Membership, User
from insieme.core.registry import demo_seeds
from insieme.participation.models import Idea
from tests.demo.conftest import run_demo

# Cases enough to show the cases seed is deterministic too (one load serves every check here:
# a load is the cost of this module).
REQUESTS = 300


def snapshot() -> dict:
    """What a seed decides: names, roles, capacities, services, deviations, skills."""
    return {
        "staff": sorted(
            Membership.objects.values_list(
                "user__email",
                "user__full_name",
                "administration__slug",
                "role",
                "capacity",
                "department__code",
            )
        ),
        "users": sorted(User.objects.values_list("email", "preferred_language")),
        "services": sorted(
            (a, c, n, json.dumps(o))
            for a, c, n, o in Service.objects.values_list(
                "administration__slug", "code", "name", "overridden_fields"
            )
        ),
        "skilled": sorted(
            Service.skilled.through.objects.values_list(
                "service__administration__slug", "service__code", "membership__user__email"
            )
        ),
        "cases": sorted(
            Case.objects.values_list(
                "administration__slug", "reference", "status", "channel", "title", "kind"
            )
        ),
        "ideas": list(
            Idea.objects.order_by(
                "process__administration__slug", "process__slug", "created_at", "title"
            ).values_list("process__slug", "title", "author_type", "supports_count", "answer")
        ),
    }


def snapshot_of_seed(folder: Path, seed: int) -> dict:
    """Load the demo (with REQUESTS cases) inside a savepoint, take its snapshot, roll it
    back."""
    with transaction.atomic():
        run_demo(folder, seed=seed, requests=REQUESTS)
        snap = snapshot()
        transaction.set_rollback(True)
    return snap


def test_same_seed_same_region_other_seed_other_people(db, tmp_path):
    first = snapshot_of_seed(tmp_path, 5)
    assert not Administration.objects.exists()  # rolled back
    assert sum(1 for row in first["cases"] if row[-1] != "improvement") == REQUESTS
    assert first["ideas"] and first["staff"]
    assert snapshot_of_seed(tmp_path, 5) == first
    other = snapshot_of_seed(tmp_path, 6)
    assert len(other["services"]) == len(first["services"])
    assert other["staff"] != first["staff"]
    assert other["cases"] != first["cases"] and other["ideas"] != first["ideas"]


def test_seeds_run_core_before_catalog():
    keys = [s.key for s in sorted(demo_seeds, key=lambda s: (s.order, s.key))]
    assert keys.index("core") < keys.index("catalog")


def test_negative_request_count_is_refused(db, tmp_path):
    with pytest.raises(CommandError):
        run_demo(tmp_path, requests=-1)
    assert not Administration.objects.exists()
