"""The demo region loaded once per test module, inside a transaction rolled back at its end."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

# Argon2 first, as in production, so that loading also exercises the light demo hashing.
ARGON2_FIRST = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
DEMO_SEED = 11


@dataclass
class LoadedDemo:
    output: str
    ground_truth: Path
    seed: int


def run_demo(folder: Path, seed: int = DEMO_SEED, **options) -> str:
    """Run `insieme demo` as a person would; returns what it printed."""
    out = io.StringIO()
    call_command(
        "demo", seed=seed, ground_truth=str(folder / "ground-truth.json"), stdout=out, **options
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def _demo_module(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=ARGON2_FIRST, MEDIA_ROOT=folder / "media"),
        transaction.atomic(),
    ):
        output = run_demo(folder)
        yield LoadedDemo(output=output, ground_truth=folder / "ground-truth.json", seed=DEMO_SEED)
        transaction.set_rollback(True)


@pytest.fixture
def loaded_demo(_demo_module, db) -> LoadedDemo:
    """The demo region (shared by the module's tests; each test's own writes roll back)."""
    return _demo_module
