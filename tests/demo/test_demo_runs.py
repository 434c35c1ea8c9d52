"""`insieme demo` runs: the same seed builds the same region; a bad option writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.db import transaction

from insieme.catalog.models import Service
from insieme.core.models import Administration, Membership, User
from insieme.core.registry import demo_seeds
from tests.demo.conftest import run_demo


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
    }


def snapshot_of_seed(folder: Path, seed: int) -> dict:
    """Load the demo (without cases: the snapshot holds none) inside a savepoint, take its
    snapshot, roll it back."""
    with transaction.atomic():
        run_demo(folder, seed=seed, requests=0)
        snap = snapshot()
        transaction.set_rollback(True)
    return snap


def test_same_seed_same_region_other_seed_other_people(db, tmp_path):
    first = snapshot_of_seed(tmp_path, 5)
    assert not Administration.objects.exists()  # rolled back
    assert snapshot_of_seed(tmp_path, 5) == first
    other = snapshot_of_seed(tmp_path, 6)
    assert len(other["services"]) == len(first["services"])
    assert other["staff"] != first["staff"]


def test_seeds_run_core_before_catalog():
    keys = [s.key for s in sorted(demo_seeds, key=lambda s: (s.order, s.key))]
    assert keys.index("core") < keys.index("catalog")


def test_negative_request_count_is_refused(db, tmp_path):
    with pytest.raises(CommandError):
        run_demo(tmp_path, requests=-1)
    assert not Administration.objects.exists()
