"""Montalto with a street register naming two localities (Poggio, Santa Croce), so that its
residents choose among three areas: the main town, Poggio and Santa Croce."""

from __future__ import annotations

import datetime as dt

import pytest

from insieme.community import actions
from insieme.community.models import Round
from insieme.core.models import today_in
from insieme.places.models import Street
from tests.conftest import make_user
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)

DAY = dt.timedelta(days=1)


@pytest.fixture
def localities(montalto) -> None:
    for name, locality in [
        ("Via Roma", ""),
        ("Piazza del Poggio", "Poggio"),
        ("Via della Croce", "Santa Croce"),
    ]:
        Street.objects.create(
            administration=montalto, name=name, folded=name.lower(), locality=locality
        )


@pytest.fixture
def round_(montalto, alice, localities) -> Round:
    today = today_in(montalto)
    return actions.open_round(alice, montalto, today - DAY, today + 7 * DAY)


def residents(n: int, start: int = 0) -> list:
    return [make_user(f"r{i}@example.org", f"Resident {i}") for i in range(start, start + n)]
