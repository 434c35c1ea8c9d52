"""Results fixtures, built through the actions (the one write path).

Montalto (tests/conftest.py) runs a public process (tests/participation/conftest.py's
`make_process`) with an idea from charlie that carla accepts; `tree` is a parent result with
two weighted parts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from insieme.core.models import today_in
from insieme.participation import actions as participation_actions
from insieme.results import actions
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)
from tests.participation.conftest import make_idea, make_process

__all__ = ["make_idea", "make_process"]


@pytest.fixture
def process(montalto, carla):
    return make_process(montalto, carla)


@pytest.fixture
def idea(process, charlie):
    return make_idea(process, charlie)


@pytest.fixture
def accepted(idea, carla):
    """charlie's idea, accepted by carla: its result exists (the listener made it)."""
    participation_actions.answer_idea(carla, idea, kind="accepted", text="Si fa.")
    return idea


@pytest.fixture
def result(montalto, carla, process):
    return actions.create_result(
        carla,
        montalto,
        title="Nuove panchine",
        description="Venti panchine nei parchi.",
        translations={"en": {"title": "New benches", "description": "Twenty benches."}},
        process=process,
        due_on=today_in(montalto) + dt.timedelta(days=30),
    )


@pytest.fixture
def tree(montalto, carla):
    """A parent with two parts weighted 3 and 1."""
    parent = actions.create_result(carla, montalto, title="Piano del verde")
    a = actions.create_result(carla, montalto, title="Alberi", parent=parent, weight=3)
    b = actions.create_result(carla, montalto, title="Aiuole", parent=parent, weight=1)
    return parent, a, b
