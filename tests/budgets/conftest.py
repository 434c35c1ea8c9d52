"""Budgets fixtures, built through the actions (the one write path).

Montalto runs a public process in its voting phase (tests/participation/conftest.make_process)
with a knapsack budget of €100,000 and four projects; its resident register lists three
residents. Personas: the shared ones (carla manages budgets, elena keeps the register, bob
verifies at the counter), plus

sara    a citizen of Montalto, in the register and verified
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from insieme.budgets import actions, register
from insieme.budgets.verification import CounterVerifier, RegisterVerifier
from insieme.participation.models import PhaseKind
from tests.conftest import make_user
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)
from tests.participation.conftest import make_process


def fiscal_code(stem: str) -> str:
    """A valid 16-character fiscal code from its first 15 characters."""
    return stem + register.check_character(stem)


SARA_CF = fiscal_code("RSSSRA80A41F205")
LUCA_CF = fiscal_code("BNCLCU75C12H501")
GINO_CF = fiscal_code("VRDGNI90T10L219")
SARA_BORN = dt.date(1980, 1, 1)
LUCA_BORN = dt.date(1975, 3, 12)
GINO_BORN = dt.date(1990, 12, 10)

REGISTER_CSV = (
    "codice_fiscale;data_nascita;nome\n"
    f"{SARA_CF};01/01/1980;Sara\n"
    f"{LUCA_CF.lower()};1975-03-12;Luca\n"
    f"{GINO_CF};10/12/1990;Gino\n"
).encode()


def budget_url(budget, name: str = "budget") -> str:
    return reverse(
        f"budgets:{name}", args=[budget.administration.slug, budget.process.slug, budget.pk]
    )


def make_budget(process, actor, **extra):
    values = {
        "title": "Bilancio partecipativo 2026",
        "description": "Decidi come spendere 100.000 euro.",
        "translations": {"en": {"title": "Participatory budget 2026", "description": "Decide."}},
        "total_cents": 100_000_00,
        "kind": "knapsack",
        "is_published": True,
    }
    values.update(extra)
    return actions.create_budget(actor, process, **values)


def add_projects(budget, actor, costs=(60_000_00, 30_000_00, 25_000_00, 10_000_00)):
    titles = ["Parco giochi", "Pista ciclabile", "Panchine", "Fontanella"]
    return [
        actions.save_project(actor, budget, title=titles[i % 4] + f" {i}", cost_cents=c)
        for i, c in enumerate(costs)
    ]


@pytest.fixture
def voting_process(montalto, carla):
    return make_process(montalto, carla, slug="bilancio", current=PhaseKind.VOTING)


@pytest.fixture
def budget(voting_process, carla):
    return make_budget(voting_process, carla)


@pytest.fixture
def projects(budget, carla):
    return add_projects(budget, carla)


@pytest.fixture
def montalto_register(montalto, elena):
    parsed = actions.upload_register(elena, montalto, REGISTER_CSV)
    assert not parsed.errors, parsed.errors
    return parsed


@pytest.fixture
def sara(db):
    return make_user("sara@example.org", "Sara Rossi")


@pytest.fixture
def verified_sara(sara, montalto, montalto_register):
    RegisterVerifier().verify(sara, montalto, fiscal_code=SARA_CF, birth_date=SARA_BORN)
    return sara


def verify_at_counter(employee, user, admin, code, born):
    return CounterVerifier(employee).verify(
        user, admin, fiscal_code=code, birth_date=born, document_type="identity_card"
    )
