"""Participation fixtures, all built through insieme.participation.actions (the one write path).

Montalto (tests/conftest.py) runs a public process in its ideation phase (an information phase
before it, a voting phase after), an internal idea box for its employees, and a round table for
an invited partner organisation. Personas: the shared ones, plus

paola   a member of Montalto's partner organisation "Cooperativa Il Girasole" (invited)
piero   a member of another partner organisation, not invited
sara    another citizen
"""

from __future__ import annotations

import datetime as dt

import pytest

from insieme.core import actions as core_actions
from insieme.core.models import today_in
from insieme.participation import actions
from insieme.participation.models import Audience, PhaseKind
from tests.conftest import make_user
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)

INSIDE = {"lat": 43.1, "lon": 11.1}  # within tests/conftest.py's SQUARE (Montalto)
OUTSIDE = {"lat": 45.0, "lon": 9.0}


def make_process(
    admin,
    actor,
    *,
    slug: str = "parchi",
    current: str = PhaseKind.IDEATION,
    audience: str = Audience.PUBLIC,
    published: bool = True,
    phases: list[str] | None = None,
    **extra,
):
    """A process of `admin` whose `current` phase runs today (the others before and after it,
    ten days each); `current=None` for one with no phase running today."""
    process = actions.create_process(
        actor,
        admin,
        title=extra.pop("title", "Idee per i parchi"),
        slug=slug,
        description=extra.pop("description", "Come vorresti i parchi?"),
        translations=extra.pop(
            "translations", {"en": {"title": "Ideas for the parks", "description": "Tell us."}}
        ),
        audience=audience,
        is_published=published,
        **extra,
    )
    today = today_in(admin)
    kinds = phases or [PhaseKind.INFORMATION, PhaseKind.IDEATION, PhaseKind.VOTING]
    at = kinds.index(current) if current in kinds else len(kinds)
    start = today - dt.timedelta(days=5 + 10 * at)
    for kind in kinds:
        actions.save_phase(
            actor, process, kind=kind, starts_on=start, ends_on=start + dt.timedelta(days=9)
        )
        start += dt.timedelta(days=10)
    return process


def make_idea(process, author, title="Più panchine all'ombra", body="Servono panchine.", **extra):
    return actions.create_idea(author, process, title=title, body=body, limit=False, **extra)


@pytest.fixture
def process(montalto, carla):
    return make_process(montalto, carla)


@pytest.fixture
def category(process, carla):
    return actions.save_category(
        carla, process, name="Verde", translations={"en": {"name": "Greenery"}}
    )


@pytest.fixture
def idea_box(montalto, carla):
    return make_process(
        montalto,
        carla,
        slug="cassetta",
        audience=Audience.EMPLOYEES,
        title="Cassetta delle idee",
        translations={"en": {"title": "Idea box"}},
    )


@pytest.fixture
def girasole(montalto):
    return core_actions.create_partner(None, montalto, name="Cooperativa Il Girasole")


@pytest.fixture
def paola(girasole):
    user = make_user("paola@girasole.example", "Paola Partner")
    core_actions.add_partner_member(None, girasole, user, is_representative=True)
    return user


@pytest.fixture
def piero(montalto):
    other = core_actions.create_partner(None, montalto, name="Associazione Altra")
    user = make_user("piero@altra.example", "Piero Other")
    core_actions.add_partner_member(None, other, user)
    return user


@pytest.fixture
def round_table(montalto, carla, girasole):
    return make_process(
        montalto,
        carla,
        slug="tavolo",
        audience=Audience.PARTNERS,
        invited_partners=[girasole],
        title="Tavolo con i partner",
        translations={"en": {"title": "Round table"}},
    )


@pytest.fixture
def sara(db):
    return make_user("sara@example.org", "Sara Martini")


@pytest.fixture
def idea(process, charlie):
    return make_idea(process, charlie)


def process_url(process) -> str:
    return f"/participation/{process.administration.slug}/{process.slug}/"


def idea_url(idea) -> str:
    return f"{process_url(idea.process)}ideas/{idea.pk}/"
