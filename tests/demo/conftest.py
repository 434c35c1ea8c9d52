"""The demo region loaded once for a module (and the modules right after it that also want it),
inside a transaction rolled back when a test that does not see it comes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
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


def load_demo(folder: Path) -> LoadedDemo:
    """Run the demo into the transaction open now (tests/conftest.py opens one for it)."""
    with override_settings(PASSWORD_HASHERS=ARGON2_FIRST, MEDIA_ROOT=folder / "media"):
        output = run_demo(folder)
    return LoadedDemo(output=output, ground_truth=folder / "ground-truth.json", seed=DEMO_SEED)


@pytest.fixture(scope="session")
def _demo_module(django_db_setup) -> None:
    """Marks the tests of the loaded demo (tests/conftest.py loads it before their transaction)."""


@pytest.fixture
def loaded_demo(_demo_module, db) -> LoadedDemo:
    """The demo region, loaded once in an outer transaction for the tests of a module and those
    of the modules right after it that want it too (tests/conftest.py); each test's own writes
    roll back."""
    from tests.conftest import current_demo

    return current_demo()
